-- The scope setting was parsed once per row (10,000 rows: a noticeable part of a count). These
-- helpers are called through scalar subqueries, which PostgreSQL evaluates once per statement.
CREATE OR REPLACE FUNCTION jobdeck_scope_domains() RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN nullif(current_setting('jobdeck.scope', true), '') IS NULL THEN '{}'::text[]
    ELSE ARRAY(SELECT jsonb_array_elements_text(current_setting('jobdeck.scope', true)::jsonb -> 'd'))
      || CASE WHEN coalesce((current_setting('jobdeck.scope', true)::jsonb ->> 'g')::boolean, false)
              THEN ARRAY['global'] ELSE '{}'::text[] END
  END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION jobdeck_scope_all() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce((nullif(current_setting('jobdeck.scope', true), '')::jsonb ->> 'a')::boolean, false)
$$;
--> statement-breakpoint
ALTER POLICY tenant_scope ON job_rows
  USING ((domain <> 'global' AND (SELECT jobdeck_scope_all())) OR domain = ANY ((SELECT jobdeck_scope_domains())::text[]));
--> statement-breakpoint
ALTER POLICY tenant_scope ON executions
  USING ((domain <> 'global' AND (SELECT jobdeck_scope_all())) OR domain = ANY ((SELECT jobdeck_scope_domains())::text[]));
