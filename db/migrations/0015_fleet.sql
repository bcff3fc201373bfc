CREATE TABLE "resource_claims" (
	"execution_id" bigint NOT NULL,
	"resource" text NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "resource_claims_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"granted_at" timestamp with time zone,
	CONSTRAINT "resource_claims_execution_id_resource_pk" PRIMARY KEY("execution_id","resource")
);
--> statement-breakpoint
CREATE TABLE "resources" (
	"name" text PRIMARY KEY NOT NULL,
	"declared_capacity" integer DEFAULT 1 NOT NULL,
	"capacity" integer,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scheduling_pauses" (
	"domain" text PRIMARY KEY NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	"paused_by" text,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "execution_hour_counts" (
	"hour" timestamp with time zone NOT NULL,
	"domain" text NOT NULL,
	"status" "execution_status" NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "execution_hour_counts_domain_hour_status_pk" PRIMARY KEY("domain","hour","status")
);
--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "parameters" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "waiting_for" text;--> statement-breakpoint
ALTER TABLE "job_rows" ADD COLUMN "parameter_defaults" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "job_rows" ADD COLUMN "missed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "resource_claims" ADD CONSTRAINT "resource_claims_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "resource_claims_resource_idx" ON "resource_claims" USING btree ("resource","seq");--> statement-breakpoint
CREATE INDEX "execution_hour_counts_hour_idx" ON "execution_hour_counts" USING btree ("hour");--> statement-breakpoint
-- Read by viewers as jobdeck_tenant: resources are global (names from JOBS_FILE), claims and pauses
-- follow the scope of their execution and domain ('*' = every domain, seen by everyone it affects).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobdeck_tenant') THEN
    GRANT SELECT ON resources, resource_claims, scheduling_pauses TO jobdeck_tenant;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'jobdeck_tenant grants on fleet tables skipped: %', SQLERRM;
END $$;
--> statement-breakpoint
ALTER TABLE resource_claims ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_scope ON resource_claims USING (EXISTS (SELECT 1 FROM executions e WHERE e.id = resource_claims.execution_id));
--> statement-breakpoint
ALTER TABLE scheduling_pauses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_scope ON scheduling_pauses USING (domain = '*' OR (domain <> 'global' AND (SELECT jobdeck_scope_all())) OR domain = ANY ((SELECT jobdeck_scope_domains())::text[]));

--> statement-breakpoint
-- The dashboard's hourly counts (db/schema/insight.ts), kept by triggers: an execution counts once it
-- has ended (inserted ended, or its status leaves IN_PROGRESS), under '*' (every domain but "global")
-- or "global"; a status change moves it, a delete takes it away. A viewer of some domains counts his
-- own executions through executions_domain_started_idx instead: a domain's day is small.
CREATE OR REPLACE FUNCTION jobdeck_count_execution(h timestamptz, d text, s execution_status, delta int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO execution_hour_counts (hour, domain, status, n)
  VALUES (date_trunc('hour', h), CASE WHEN d = 'global' THEN d ELSE '*' END, s, delta)
  ON CONFLICT (domain, hour, status) DO UPDATE SET n = execution_hour_counts.n + excluded.n
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION jobdeck_executions_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status <> 'IN_PROGRESS' THEN
    PERFORM jobdeck_count_execution(OLD.started_at, OLD.domain, OLD.status, -1);
  END IF;
  IF NEW.status <> 'IN_PROGRESS' THEN
    PERFORM jobdeck_count_execution(NEW.started_at, NEW.domain, NEW.status, 1);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER executions_counted_insert AFTER INSERT ON executions
  FOR EACH ROW WHEN (NEW.status <> 'IN_PROGRESS') EXECUTE FUNCTION jobdeck_executions_counted();
--> statement-breakpoint
CREATE TRIGGER executions_counted_update AFTER UPDATE OF status, started_at ON executions
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR (NEW.status <> 'IN_PROGRESS' AND OLD.started_at IS DISTINCT FROM NEW.started_at))
  EXECUTE FUNCTION jobdeck_executions_counted();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION jobdeck_executions_uncounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO execution_hour_counts (hour, domain, status, n)
  SELECT date_trunc('hour', g.started_at), CASE WHEN g.domain = 'global' THEN g.domain ELSE '*' END, g.status, -count(*)
  FROM gone g
  WHERE g.status <> 'IN_PROGRESS'
  GROUP BY 1, 2, 3
  ON CONFLICT (domain, hour, status) DO UPDATE SET n = execution_hour_counts.n + excluded.n;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER executions_uncounted AFTER DELETE ON executions REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_executions_uncounted();
--> statement-breakpoint
-- What was there before this migration.
INSERT INTO execution_hour_counts (hour, domain, status, n)
SELECT date_trunc('hour', started_at), CASE WHEN domain = 'global' THEN domain ELSE '*' END, status, count(*)
FROM executions
WHERE status <> 'IN_PROGRESS'
GROUP BY 1, 2, 3;
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobdeck_tenant') THEN
    GRANT SELECT ON execution_hour_counts TO jobdeck_tenant;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'jobdeck_tenant grant on execution_hour_counts skipped: %', SQLERRM;
END $$;
--> statement-breakpoint
ALTER TABLE execution_hour_counts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_scope ON execution_hour_counts
  USING ((domain = '*' AND (SELECT jobdeck_scope_all())) OR (domain = 'global' AND 'global' = ANY ((SELECT jobdeck_scope_domains())::text[])));
