-- Per conversation: the chat model (null: the user's default, else the
-- deployment's) and a system prompt of its own (null: none). Per user:
-- custom instructions for every conversation and a default model. Per
-- assistant message: the model that wrote it, its usage and how long it
-- took. A model is checked against the deployment's list by the API, not
-- here: the list is configuration and may change.
ALTER TABLE conversations
    ADD COLUMN model text CHECK (char_length(model) BETWEEN 1 AND 100),
    ADD COLUMN system_prompt text CHECK (char_length(system_prompt) BETWEEN 1 AND 4000);
ALTER TABLE users
    ADD COLUMN instructions text CHECK (char_length(instructions) BETWEEN 1 AND 4000),
    ADD COLUMN default_model text CHECK (char_length(default_model) BETWEEN 1 AND 100);
ALTER TABLE messages
    ADD COLUMN model text,
    ADD COLUMN prompt_tokens integer CHECK (prompt_tokens >= 0),
    ADD COLUMN completion_tokens integer CHECK (completion_tokens >= 0),
    ADD COLUMN duration_ms integer CHECK (duration_ms >= 0);
-- GET /me/usage sums a user's answers over a time range.
CREATE INDEX messages_usage_idx ON messages (user_id, created_at) WHERE model IS NOT NULL;

---- create above / drop below ----
DROP INDEX messages_usage_idx;
ALTER TABLE messages DROP COLUMN model, DROP COLUMN prompt_tokens, DROP COLUMN completion_tokens, DROP COLUMN duration_ms;
ALTER TABLE users DROP COLUMN instructions, DROP COLUMN default_model;
ALTER TABLE conversations DROP COLUMN model, DROP COLUMN system_prompt;
