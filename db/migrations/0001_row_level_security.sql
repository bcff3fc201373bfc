-- Row-level security: a second, independent scope check under the service layer.
-- Viewer-scoped reads run as jobdeck_tenant (SET LOCAL ROLE), which does not own the tables and so
-- is bound by these policies; the scope travels in the transaction setting jobdeck.scope as
-- {"g": global visible, "a": all tenant domains, "d": [domains]}. Internal work (workers,
-- schedulers, migrations) keeps the owner role and is not affected.
-- A server whose user may not create roles (some managed services) still migrates: the role is
-- then absent and Jobdeck logs that this second check is off.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobdeck_tenant') THEN
    CREATE ROLE jobdeck_tenant NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege OR unique_violation OR duplicate_object THEN
  RAISE NOTICE 'jobdeck_tenant role not created: %', SQLERRM;
END $$;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobdeck_tenant') THEN
    EXECUTE format('GRANT jobdeck_tenant TO %I', current_user);
    GRANT USAGE ON SCHEMA public TO jobdeck_tenant;
    GRANT SELECT ON job_rows, executions, log_entries, log_reads, domains TO jobdeck_tenant;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'jobdeck_tenant grants skipped: %', SQLERRM;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION jobdeck_in_scope(d text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN nullif(current_setting('jobdeck.scope', true), '') IS NULL THEN false
    WHEN d = 'global' THEN coalesce((current_setting('jobdeck.scope', true)::jsonb ->> 'g')::boolean, false)
    ELSE coalesce((current_setting('jobdeck.scope', true)::jsonb ->> 'a')::boolean, false)
      OR (current_setting('jobdeck.scope', true)::jsonb -> 'd') ? d
  END
$$;
--> statement-breakpoint
ALTER TABLE job_rows ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE executions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE log_entries ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_scope ON job_rows USING (jobdeck_in_scope(domain));
--> statement-breakpoint
CREATE POLICY tenant_scope ON executions USING (jobdeck_in_scope(domain));
--> statement-breakpoint
CREATE POLICY tenant_scope ON log_entries USING (EXISTS (SELECT 1 FROM executions e WHERE e.id = log_entries.execution_id));
