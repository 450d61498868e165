-- The functions query as a role that may read and write rows and nothing
-- else: no CREATE, ALTER, DROP or TRUNCATE. macro_ai_app holds those rights;
-- the functions' login role is made a member of it (migrations.GrantApp,
-- which the migrate function runs with the URL the functions use).
-- Migrations keep running as the owner, with DDL.
DO $$
BEGIN
  CREATE ROLE macro_ai_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- roles are the cluster's: another database (or a concurrent migration) made it
END
$$;
GRANT USAGE ON SCHEMA public TO macro_ai_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO macro_ai_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO macro_ai_app;
-- Tables and sequences a later migration creates, as this owner.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO macro_ai_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO macro_ai_app;
-- The migrations' own bookkeeping is not the functions' business.
REVOKE INSERT, UPDATE, DELETE ON public.schema_version FROM macro_ai_app;

---- create above / drop below ----
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM macro_ai_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM macro_ai_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM macro_ai_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM macro_ai_app;
REVOKE USAGE ON SCHEMA public FROM macro_ai_app;
-- The role stays: other databases of the cluster may still grant to it.
