-- The backfill takes unembedded messages fewest-attempts first, so that a
-- message whose embedding keeps failing sinks behind the others instead of
-- blocking them.
ALTER TABLE messages ADD COLUMN embed_attempts smallint NOT NULL DEFAULT 0;
DROP INDEX messages_unembedded_idx;
CREATE INDEX messages_unembedded_idx ON messages (embed_attempts, created_at, id) WHERE embedded_at IS NULL;

---- create above / drop below ----
DROP INDEX messages_unembedded_idx;
CREATE INDEX messages_unembedded_idx ON messages (created_at, id) WHERE embedded_at IS NULL;
ALTER TABLE messages DROP COLUMN embed_attempts;
