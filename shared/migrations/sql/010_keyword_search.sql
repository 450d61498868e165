-- Keyword search (GET /search?mode=keyword|hybrid, docs/search.md): the
-- words of each message as a tsvector, kept by PostgreSQL itself (a stored
-- generated column, so that every writer — the chat turn, the bench's COPY,
-- an UPDATE — gets it without code), and a GIN index over it.
--
-- Why full-text search with the 'simple' configuration, and not pg_trgm:
-- what embeddings miss are whole tokens — an error code (ERR_7f3a9c),
-- an identifier (fooBar_baz), a host or a name. 'simple' lower-cases and
-- splits them but neither stems nor drops stop words, so 'ERR_7f3a9c'
-- becomes the phrase 'err' <-> '7f3a9c' and matches exactly that message,
-- and ts_rank gives a ranking; an English configuration would stem
-- identifiers and error strings into other words. pg_trgm would also find
-- arbitrary substrings, but its GIN index is several times larger (Neon's
-- free tier holds 512 MB), its similarity ranks short common trigrams
-- highly, and it needs an extension; partial tokens are left out for now.
--
-- left(content, 100000): a tsvector holds at most 1 MB, and a longer text
-- must not make an INSERT fail (messages are at most 10 000 characters
-- today; an answer may be longer).
--
-- No new privileges: a column added to a table is covered by macro_ai_app's
-- table-level SELECT/INSERT/UPDATE (migration 008), the generated value is
-- computed by the server, and an index needs no grant.
ALTER TABLE messages
    ADD COLUMN content_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, left(content, 100000))) STORED;
CREATE INDEX messages_content_tsv_idx ON messages USING gin (content_tsv);
-- A user with few messages is searched through their own rows instead of
-- the GIN index (store.KeywordMessages): with a word most messages hold,
-- the index's matches are mostly other users' rows, and checking them all
-- took 0.3 s for a user with 2 000 of 182 000 messages.
CREATE INDEX messages_user_idx ON messages (user_id);

---- create above / drop below ----
DROP INDEX messages_user_idx;
DROP INDEX messages_content_tsv_idx;
ALTER TABLE messages DROP COLUMN content_tsv;
