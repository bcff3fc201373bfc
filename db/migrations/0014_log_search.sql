CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TABLE "log_search" (
	"execution_id" bigint NOT NULL,
	"first_seq" integer NOT NULL,
	"last_seq" integer NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "log_search_execution_id_first_seq_pk" PRIMARY KEY("execution_id","first_seq")
);
--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "search_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "log_search_body_trgm_idx" ON "log_search" USING gin ("body" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "executions_search_pending_idx" ON "executions" USING btree ("id") WHERE search_seq < last_seq;
--> statement-breakpoint
-- Searched by viewers as jobdeck_tenant, like log_entries: the same scope through its execution.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobdeck_tenant') THEN
    GRANT SELECT ON log_search TO jobdeck_tenant;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'jobdeck_tenant grant on log_search skipped: %', SQLERRM;
END $$;
--> statement-breakpoint
ALTER TABLE log_search ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_scope ON log_search USING (EXISTS (SELECT 1 FROM executions e WHERE e.id = log_search.execution_id));
--> statement-breakpoint
-- Deleting executions takes their search chunks too (with their lines, as since migration 0003).
CREATE OR REPLACE FUNCTION jobdeck_delete_logs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM log_entries WHERE execution_id IN (SELECT id FROM gone);
  DELETE FROM log_search WHERE execution_id IN (SELECT id FROM gone);
  RETURN NULL;
END $$;
