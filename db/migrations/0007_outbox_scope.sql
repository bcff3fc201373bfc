-- Report emails carry a tenant's subjects, recipients and logs: a second, independent scope check
-- under the service layer, as for executions. A report is visible exactly when its execution is
-- (the executions policy applies inside the EXISTS). Retrying is an UPDATE of the delivery columns.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobdeck_tenant') THEN
    GRANT SELECT ON outbox TO jobdeck_tenant;
    GRANT UPDATE (status, attempts, next_attempt_at, locked_until) ON outbox TO jobdeck_tenant;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'jobdeck_tenant grants on outbox skipped: %', SQLERRM;
END $$;
--> statement-breakpoint
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_scope ON outbox USING (EXISTS (SELECT 1 FROM executions e WHERE e.id = outbox.execution_id));
