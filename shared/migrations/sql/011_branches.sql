-- A conversation is a tree: editing a sent message makes a sibling of it,
-- regenerating an answer a sibling of the answer, and the old branches stay.
-- messages.parent_id is the message a message follows (NULL for a first
-- message); conversations.leaf_id is the end of the branch shown, whose path
-- to the root is what GET …/messages lists and what the model sees.
-- An answer still names its question in reply_to, but a question may now
-- have several answers. seq still grows along every path: an answer takes
-- its question's seq + 1 when that is free (the first answer), else the
-- conversation's next number.
--
-- The triggers keep the tree for every writer (the chat turn, imports,
-- tests), as they keep seq: an insert without a parent follows the
-- conversation's leaf (a user message) or its question (an answer); the
-- nil UUID as parent asks for a first message. A new user message becomes
-- the leaf; an answer becomes it if its question still is. A question's
-- first answer, stored late (a stopped stream), takes over the user
-- messages sent after the question meanwhile, so it still sits between
-- them. Deleting the leaf moves it to its parent.
ALTER TABLE messages ADD COLUMN parent_id uuid REFERENCES messages (id) ON DELETE CASCADE;
WITH o AS (
    SELECT id, lag(id) OVER (PARTITION BY conversation_id ORDER BY seq) AS prev FROM messages
)
UPDATE messages m SET parent_id = o.prev FROM o WHERE m.id = o.id AND o.prev IS NOT NULL;
CREATE INDEX messages_parent_idx ON messages (parent_id, seq);
CREATE INDEX messages_root_idx ON messages (conversation_id, seq) WHERE parent_id IS NULL;

ALTER TABLE conversations ADD COLUMN leaf_id uuid;
UPDATE conversations c SET leaf_id = (
    SELECT id FROM messages m WHERE m.conversation_id = c.id ORDER BY seq DESC LIMIT 1);

DROP INDEX messages_reply_to_key;
CREATE INDEX messages_reply_to_idx ON messages (reply_to) WHERE reply_to IS NOT NULL;

CREATE OR REPLACE FUNCTION messages_seq_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id = '00000000-0000-0000-0000-000000000000' THEN
        NEW.parent_id := NULL; -- a first message, asked for
    ELSIF NEW.parent_id IS NULL AND NEW.reply_to IS NOT NULL THEN
        NEW.parent_id := NEW.reply_to;
    ELSIF NEW.parent_id IS NULL THEN
        SELECT leaf_id INTO NEW.parent_id FROM conversations WHERE id = NEW.conversation_id FOR UPDATE;
    END IF;
    IF NEW.seq IS NOT NULL THEN
        RETURN NEW;
    END IF;
    IF NEW.reply_to IS NOT NULL THEN
        SELECT seq + 1 INTO NEW.seq FROM messages
         WHERE id = NEW.reply_to AND conversation_id = NEW.conversation_id;
        IF NEW.seq IS NULL THEN
            RAISE EXCEPTION 'message % answers % of another conversation', NEW.id, NEW.reply_to
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        PERFORM 1 FROM messages WHERE conversation_id = NEW.conversation_id AND seq = NEW.seq;
        IF NOT FOUND THEN
            RETURN NEW;
        END IF;
        -- A second answer (regenerated): the next number, after everything.
    END IF;
    PERFORM 1 FROM conversations WHERE id = NEW.conversation_id FOR UPDATE;
    SELECT (coalesce(max(seq), 0) / 2) * 2 + 2 INTO NEW.seq FROM messages
     WHERE conversation_id = NEW.conversation_id;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION messages_count_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.role = 'user' THEN
            UPDATE conversations
               SET message_count = message_count + 1, updated_at = greatest(updated_at, NEW.created_at),
                   leaf_id = NEW.id
             WHERE id = NEW.conversation_id;
        ELSE
            UPDATE conversations
               SET message_count = message_count + 1,
                   leaf_id = CASE WHEN leaf_id IS NOT DISTINCT FROM NEW.parent_id THEN NEW.id ELSE leaf_id END
             WHERE id = NEW.conversation_id;
            IF NEW.reply_to IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM messages WHERE reply_to = NEW.reply_to AND id <> NEW.id) THEN
                UPDATE messages SET parent_id = NEW.id
                 WHERE parent_id = NEW.reply_to AND role = 'user' AND conversation_id = NEW.conversation_id;
            END IF;
        END IF;
        RETURN NEW;
    END IF;
    UPDATE conversations
       SET message_count = message_count - 1,
           leaf_id = CASE WHEN leaf_id = OLD.id THEN OLD.parent_id ELSE leaf_id END
     WHERE id = OLD.conversation_id;
    RETURN OLD;
END
$$;

---- create above / drop below ----
CREATE OR REPLACE FUNCTION messages_seq_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS NOT NULL THEN
        RETURN NEW;
    END IF;
    IF NEW.reply_to IS NOT NULL THEN
        SELECT seq + 1 INTO NEW.seq FROM messages
         WHERE id = NEW.reply_to AND conversation_id = NEW.conversation_id;
        IF NEW.seq IS NULL THEN
            RAISE EXCEPTION 'message % answers % of another conversation', NEW.id, NEW.reply_to
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NEW;
    END IF;
    PERFORM 1 FROM conversations WHERE id = NEW.conversation_id FOR UPDATE;
    SELECT (coalesce(max(seq), 0) / 2) * 2 + 2 INTO NEW.seq FROM messages
     WHERE conversation_id = NEW.conversation_id;
    RETURN NEW;
END
$$;
CREATE OR REPLACE FUNCTION messages_count_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.role = 'user' THEN
            UPDATE conversations
               SET message_count = message_count + 1, updated_at = greatest(updated_at, NEW.created_at)
             WHERE id = NEW.conversation_id;
        ELSE
            UPDATE conversations SET message_count = message_count + 1 WHERE id = NEW.conversation_id;
        END IF;
        RETURN NEW;
    END IF;
    UPDATE conversations SET message_count = message_count - 1 WHERE id = OLD.conversation_id;
    RETURN OLD;
END
$$;
DROP INDEX messages_reply_to_idx;
CREATE UNIQUE INDEX messages_reply_to_key ON messages (reply_to) WHERE reply_to IS NOT NULL;
ALTER TABLE conversations DROP COLUMN leaf_id;
DROP INDEX messages_root_idx;
DROP INDEX messages_parent_idx;
ALTER TABLE messages DROP COLUMN parent_id;
