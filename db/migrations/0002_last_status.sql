ALTER TABLE "job_rows" ADD COLUMN "last_status" "execution_status";--> statement-breakpoint
CREATE INDEX "job_rows_last_status_idx" ON "job_rows" USING btree ("last_status","job_id","domain");--> statement-breakpoint
UPDATE job_rows r SET last_status = e.status FROM executions e WHERE e.id = r.last_execution_id;
--> statement-breakpoint
-- Status changes of a row's last execution (finish, sweep, cancel) reach job_rows in the same
-- transaction; openExecution and deleteFinished set last_status themselves with last_execution_id.
CREATE OR REPLACE FUNCTION jobdeck_sync_last_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE job_rows SET last_status = NEW.status
  WHERE id = NEW.row_id AND last_execution_id = NEW.id AND last_status IS DISTINCT FROM NEW.status;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER executions_last_status AFTER UPDATE OF status ON executions
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION jobdeck_sync_last_status();
