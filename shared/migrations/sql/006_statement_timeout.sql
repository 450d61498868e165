-- Behind a transaction-mode pooler (Neon's pooled endpoint, PgBouncer) a
-- client cannot send statement_timeout when it connects (the pooler refuses
-- startup parameters it does not know), so the database carries it: every
-- new session, pooled or not, stops a statement after 10 s. Migrations set
-- their own (shared/migrations: none), and a direct connection may still
-- set DATABASE_STATEMENT_TIMEOUT.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET statement_timeout = %L', current_database(), '10s');
END
$$;

---- create above / drop below ----
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I RESET statement_timeout', current_database());
END
$$;
