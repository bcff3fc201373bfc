ALTER TABLE "log_entries" DROP CONSTRAINT "log_entries_execution_id_executions_id_fk";
--> statement-breakpoint
-- What ON DELETE CASCADE did, once per statement instead of a check per inserted entry.
CREATE OR REPLACE FUNCTION jobdeck_delete_logs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM log_entries WHERE execution_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER executions_delete_logs AFTER DELETE ON executions
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_delete_logs();
