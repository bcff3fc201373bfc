CREATE TYPE "public"."alert_event" AS ENUM('opened', 'resolved');--> statement-breakpoint
CREATE TYPE "public"."alert_kind" AS ENUM('FAILED', 'RECOVERED', 'MISSED', 'TOO_LONG', 'TOO_SHORT', 'NO_WORKER');--> statement-breakpoint
CREATE TYPE "public"."channel_kind" AS ENUM('EMAIL', 'WEBHOOK', 'SLACK');--> statement-breakpoint
CREATE TYPE "public"."delivery_status" AS ENUM('PENDING', 'DELIVERED', 'FAILED');--> statement-breakpoint
CREATE TABLE "alert_deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alert_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"alert_id" bigint NOT NULL,
	"event" "alert_event" NOT NULL,
	"channel_id" uuid NOT NULL,
	"status" "delivery_status" DEFAULT 'PENDING' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alerts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" "alert_kind" NOT NULL,
	"row_id" uuid,
	"job_id" text,
	"domain" text,
	"execution_id" bigint,
	"occurrence_at" timestamp with time zone,
	"message" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"snoozed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" "channel_kind" NOT NULL,
	"target" text NOT NULL,
	"secret" text,
	"events" "alert_kind"[] NOT NULL,
	"domain" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "row_expectations" (
	"row_id" uuid PRIMARY KEY NOT NULL,
	"max_duration_seconds" integer,
	"min_duration_seconds" integer,
	"grace_seconds" integer,
	"failures_before_alert" integer,
	"snoozed_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_row_id_job_rows_id_fk" FOREIGN KEY ("row_id") REFERENCES "public"."job_rows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alerts" ADD CONSTRAINT "alerts_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "row_expectations" ADD CONSTRAINT "row_expectations_row_id_job_rows_id_fk" FOREIGN KEY ("row_id") REFERENCES "public"."job_rows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alert_deliveries_event_channel_uq" ON "alert_deliveries" USING btree ("alert_id","event","channel_id");--> statement-breakpoint
CREATE INDEX "alert_deliveries_due_idx" ON "alert_deliveries" USING btree ("next_attempt_at") WHERE status = 'PENDING';--> statement-breakpoint
CREATE INDEX "alert_deliveries_channel_idx" ON "alert_deliveries" USING btree ("channel_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_row_kind_uq" ON "alerts" USING btree ("row_id","kind") WHERE resolved_at IS NULL AND row_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_fleet_kind_uq" ON "alerts" USING btree ("kind") WHERE resolved_at IS NULL AND row_id IS NULL;--> statement-breakpoint
CREATE INDEX "alerts_domain_id_idx" ON "alerts" USING btree ("domain","id");--> statement-breakpoint
CREATE INDEX "alerts_open_idx" ON "alerts" USING btree ("id") WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE INDEX "alerts_execution_idx" ON "alerts" USING btree ("execution_id");--> statement-breakpoint
CREATE INDEX "channels_domain_idx" ON "channels" USING btree ("domain");--> statement-breakpoint
-- hand-written: policies and grants
-- The periodic checks (MISSED, NO_WORKER) look for rows whose occurrence is due, every few seconds.
CREATE INDEX IF NOT EXISTS job_rows_due_idx ON job_rows (next_run_at) WHERE in_catalog AND next_run_at IS NOT NULL;
--> statement-breakpoint
-- Read by viewers as jobdeck_tenant: alerts follow their domain (a fleet alert, domain NULL, counts as
-- "global"); a channel without a domain is seen only by a scope of every domain and global; deliveries
-- follow their channel, expectations their row. A channel's secret is never readable by that role.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobdeck_tenant') THEN
    GRANT SELECT ON alerts, alert_deliveries, row_expectations TO jobdeck_tenant;
    GRANT UPDATE (acknowledged_at, acknowledged_by) ON alerts TO jobdeck_tenant;
    GRANT UPDATE (status, attempts, next_attempt_at, locked_until) ON alert_deliveries TO jobdeck_tenant;
    GRANT SELECT (id, name, kind, target, events, domain, enabled, created_by, created_at, updated_at) ON channels TO jobdeck_tenant;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'jobdeck_tenant grants on assurance tables skipped: %', SQLERRM;
END $$;
--> statement-breakpoint
ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_scope ON alerts
  USING ((coalesce(domain, 'global') <> 'global' AND (SELECT jobdeck_scope_all())) OR coalesce(domain, 'global') = ANY ((SELECT jobdeck_scope_domains())::text[]));
--> statement-breakpoint
ALTER TABLE channels ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_scope ON channels
  USING (CASE WHEN domain IS NULL THEN (SELECT jobdeck_scope_all()) AND 'global' = ANY ((SELECT jobdeck_scope_domains())::text[])
              ELSE (domain <> 'global' AND (SELECT jobdeck_scope_all())) OR domain = ANY ((SELECT jobdeck_scope_domains())::text[]) END);
--> statement-breakpoint
ALTER TABLE alert_deliveries ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_scope ON alert_deliveries USING (EXISTS (SELECT 1 FROM channels c WHERE c.id = alert_deliveries.channel_id));
--> statement-breakpoint
ALTER TABLE row_expectations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_scope ON row_expectations USING (EXISTS (SELECT 1 FROM job_rows r WHERE r.id = row_expectations.row_id));
