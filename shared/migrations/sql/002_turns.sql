-- An assistant message answers one user message (at most one answer each), so
-- that a retried turn finds its answer; embedded_at marks messages that have a
-- vector, and the partial index lets the backfill find the others cheaply.
ALTER TABLE messages ADD COLUMN reply_to uuid REFERENCES messages (id) ON DELETE CASCADE;
ALTER TABLE messages ADD COLUMN embedded_at timestamptz;
CREATE UNIQUE INDEX messages_reply_to_key ON messages (reply_to) WHERE reply_to IS NOT NULL;
CREATE INDEX messages_unembedded_idx ON messages (created_at, id) WHERE embedded_at IS NULL;

---- create above / drop below ----
DROP INDEX messages_unembedded_idx;
DROP INDEX messages_reply_to_key;
ALTER TABLE messages DROP COLUMN embedded_at;
ALTER TABLE messages DROP COLUMN reply_to;
