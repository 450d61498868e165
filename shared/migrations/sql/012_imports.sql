-- Imports (docs/import-export.md). An import is a file the user uploads
-- straight to S3 with a pre-signed URL; the import function, started by the
-- bucket's ObjectCreated event, reads it and writes its conversations in one
-- transaction, and reports here how far it got.
--
-- conversations.source_key names where an imported conversation came from
-- ("chatgpt:<its id>", "macro-ai:<its id>"): unique per user, so importing the
-- same file twice creates nothing the second time. Ids read from a file only
-- ever feed this key, scoped to the importing user; the rows get new ids.
ALTER TABLE conversations ADD COLUMN source_key text CHECK (char_length(source_key) BETWEEN 1 AND 300);
CREATE UNIQUE INDEX conversations_user_source_key ON conversations (user_id, source_key) WHERE source_key IS NOT NULL;

CREATE TABLE imports (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status        text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    size          bigint      NOT NULL CHECK (size > 0),
    format        text,
    bytes_read    bigint      NOT NULL DEFAULT 0,
    conversations integer     NOT NULL DEFAULT 0,
    messages      integer     NOT NULL DEFAULT 0,
    skipped       integer     NOT NULL DEFAULT 0,
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);
CREATE INDEX imports_user_idx ON imports (user_id, created_at DESC);

---- create above / drop below ----
DROP TABLE imports;
DROP INDEX conversations_user_source_key;
ALTER TABLE conversations DROP COLUMN source_key;
