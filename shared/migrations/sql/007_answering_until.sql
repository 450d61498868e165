-- A user message being answered carries answering_until: the time by which
-- its turn will have stored an answer or given up (the function's timeout).
-- A retry with the same clientMessageId before then is told the turn is in
-- progress instead of calling the model a second time; the answer (or the
-- turn's failure) clears it, and a turn that died leaves it to expire.
ALTER TABLE messages ADD COLUMN answering_until timestamptz;

---- create above / drop below ----
ALTER TABLE messages DROP COLUMN answering_until;
