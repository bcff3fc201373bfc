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
ALTER TABLE "executions" ADD COLUMN "parameters" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "waiting_for" text;--> statement-breakpoint
ALTER TABLE "job_rows" ADD COLUMN "parameter_defaults" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "job_rows" ADD COLUMN "missed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "resource_claims" ADD CONSTRAINT "resource_claims_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "resource_claims_resource_idx" ON "resource_claims" USING btree ("resource","seq");--> statement-breakpoint
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
