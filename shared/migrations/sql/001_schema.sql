-- The first schema (docs/architecture.md, "Data"). {{.embedding_dimensions}} comes from
-- EMBEDDING_DIMENSIONS when the migration first runs.
CREATE EXTENSION IF NOT EXISTS vector;

-- users.id is the Cognito user's sub.
CREATE TABLE users (
    id         uuid        PRIMARY KEY,
    email      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_email_idx ON users (email);

CREATE TABLE conversations (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title         text        NOT NULL DEFAULT 'New conversation'
                              CHECK (char_length(title) BETWEEN 1 AND 255),
    message_count integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Keyset pagination: newest updated_at first, id breaks ties.
CREATE INDEX conversations_user_updated_idx ON conversations (user_id, updated_at DESC, id DESC);

CREATE TABLE messages (
    id                uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id   uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id           uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role              text        NOT NULL CHECK (role IN ('user', 'assistant')),
    content           text        NOT NULL,
    status            text        NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'incomplete')),
    client_message_id uuid,
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT messages_client_message_id_key UNIQUE (conversation_id, client_message_id)
);
-- Keyset pagination by (created_at, id) within a conversation, in both directions.
CREATE INDEX messages_conversation_created_idx ON messages (conversation_id, created_at, id);

CREATE TABLE message_embeddings (
    message_id      uuid        PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id uuid        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    model           text        NOT NULL,
    embedding       halfvec({{.embedding_dimensions}}) NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX message_embeddings_embedding_idx ON message_embeddings USING hnsw (embedding halfvec_cosine_ops);
CREATE INDEX message_embeddings_user_idx ON message_embeddings (user_id);
CREATE INDEX message_embeddings_conversation_idx ON message_embeddings (conversation_id);

-- conversations.message_count and updated_at follow their messages, so that a
-- list never counts rows per conversation.
CREATE FUNCTION messages_count_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE conversations
           SET message_count = message_count + 1, updated_at = greatest(updated_at, NEW.created_at)
         WHERE id = NEW.conversation_id;
        RETURN NEW;
    END IF;
    UPDATE conversations SET message_count = message_count - 1 WHERE id = OLD.conversation_id;
    RETURN OLD;
END
$$;
CREATE TRIGGER messages_count AFTER INSERT OR DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_count_trigger();

---- create above / drop below ----
DROP TABLE message_embeddings;
DROP TABLE messages;
DROP FUNCTION messages_count_trigger();
DROP TABLE conversations;
DROP TABLE users;
