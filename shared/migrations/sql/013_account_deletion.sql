-- Deleted accounts (POST /me/delete, docs/decisions.md#deleting-an-account).
-- Deleting the users row cascades to every row of the user. But an access
-- token issued before the deletion stays a valid JWT until it expires (an
-- hour: API Gateway's authorizer and the Function URL's verifier check the
-- signature and the expiry, not Cognito), and a route that creates the users
-- row on first sight (a new conversation, PATCH /me) would bring the account
-- back with it. So the deletion leaves a tombstone: the SHA-256 of the user's
-- id, never the id itself, and an insert of that user is refused with
-- SQLSTATE MA401, which the API answers 401. The trigger runs after the insert
-- (after any wait on a conflicting row being deleted), so it sees a tombstone
-- committed meanwhile.
CREATE TABLE deleted_users (
    id_sha256  bytea       PRIMARY KEY CHECK (length(id_sha256) = 32),
    deleted_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION refuse_deleted_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM deleted_users WHERE id_sha256 = sha256(convert_to(NEW.id::text, 'UTF8'))) THEN
        RAISE EXCEPTION 'this account was deleted' USING ERRCODE = 'MA401';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER users_refuse_deleted AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION refuse_deleted_user();

---- create above / drop below ----
DROP TRIGGER users_refuse_deleted ON users;
DROP FUNCTION refuse_deleted_user();
DROP TABLE deleted_users;
