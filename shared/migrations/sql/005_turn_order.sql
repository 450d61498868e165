-- Messages are ordered by the turn they belong to, not by the wall-clock time
-- of their write: an answer can be stored seconds late (a stopped stream, a
-- slow model) and must still sit right after the message it answers.
--
-- messages.seq is a per-conversation position: a user message takes the next
-- even number (after the conversation's highest), and an answer its question's
-- number plus one, whenever it is stored. A BEFORE INSERT trigger assigns it
-- when the insert does not, so every writer (the chat turn, imports, tests)
-- gets the same order; a new user message locks its conversation's row while
-- it takes the next number, so concurrent turns never collide (the unique
-- index would refuse it anyway).
ALTER TABLE messages ADD COLUMN seq bigint;

WITH q AS (
    SELECT id, 2 * row_number() OVER (PARTITION BY conversation_id ORDER BY created_at, id) AS seq
    FROM messages WHERE reply_to IS NULL
)
UPDATE messages m SET seq = q.seq FROM q WHERE m.id = q.id;
UPDATE messages a SET seq = q.seq + 1 FROM messages q WHERE a.reply_to = q.id;

ALTER TABLE messages ALTER COLUMN seq SET NOT NULL;
CREATE UNIQUE INDEX messages_conversation_seq_key ON messages (conversation_id, seq);
DROP INDEX messages_conversation_created_idx;

CREATE FUNCTION messages_seq_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER messages_seq BEFORE INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION messages_seq_trigger();

-- A conversation's updated_at (the sidebar's order) is the time of its user's
-- own last action: created, renamed, or a message sent. An answer, stored when
-- the model is done, does not move it: a late write must never lift a
-- conversation above ones the user touched after it.
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

---- create above / drop below ----
CREATE OR REPLACE FUNCTION messages_count_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP TRIGGER messages_seq ON messages;
DROP FUNCTION messages_seq_trigger();
CREATE INDEX messages_conversation_created_idx ON messages (conversation_id, created_at, id);
DROP INDEX messages_conversation_seq_key;
ALTER TABLE messages DROP COLUMN seq;
