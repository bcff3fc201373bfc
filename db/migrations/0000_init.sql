CREATE TYPE "public"."user_role" AS ENUM('SYSTEM_ADMIN', 'DOMAIN_ADMIN');--> statement-breakpoint
CREATE TYPE "public"."execution_status" AS ENUM('IN_PROGRESS', 'SUCCESS', 'WARNING', 'FAILURE', 'CANCELLED', 'INTERRUPTED');--> statement-breakpoint
CREATE TYPE "public"."log_level" AS ENUM('PROGRESS', 'INFO', 'WARNING', 'ERROR');--> statement-breakpoint
CREATE TYPE "public"."plan_kind" AS ENUM('AUTOMATIC', 'SCHEDULED', 'DISABLED');--> statement-breakpoint
CREATE TYPE "public"."report_when" AS ENUM('ALWAYS', 'WARNING_OR_FAILURE', 'FAILURE');--> statement-breakpoint
CREATE TYPE "public"."execution_trigger" AS ENUM('SCHEDULE', 'MANUAL', 'API');--> statement-breakpoint
CREATE TYPE "public"."outbox_status" AS ENUM('PENDING', 'SENT', 'FAILED');--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "domains" (
	"name" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "login_failures" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone DEFAULT now() NOT NULL,
	"count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"address" text
);
--> statement-breakpoint
CREATE TABLE "user_domains" (
	"user_id" uuid NOT NULL,
	"domain" text NOT NULL,
	CONSTRAINT "user_domains_user_id_domain_pk" PRIMARY KEY("user_id","domain")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "user_role" NOT NULL,
	"all_domains" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "executions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "executions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"row_id" uuid NOT NULL,
	"job_id" text NOT NULL,
	"domain" text NOT NULL,
	"status" "execution_status" DEFAULT 'IN_PROGRESS' NOT NULL,
	"trigger" "execution_trigger" NOT NULL,
	"triggered_by" text,
	"occurrence_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"progress" smallint,
	"owner" text,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancel_requested_by" text,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"warning_count" integer DEFAULT 0 NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"dropped_lines" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "job_rows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" text NOT NULL,
	"domain" text NOT NULL,
	"kind" text NOT NULL,
	"plan_kind" "plan_kind" DEFAULT 'AUTOMATIC' NOT NULL,
	"rule" jsonb,
	"report_send" boolean DEFAULT false NOT NULL,
	"report_recipients" text[] DEFAULT '{}'::text[] NOT NULL,
	"report_when" "report_when" DEFAULT 'ALWAYS' NOT NULL,
	"next_run_at" timestamp with time zone,
	"last_execution_id" bigint,
	"in_catalog" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_entries" (
	"execution_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"level" "log_level" NOT NULL,
	"message" text NOT NULL,
	CONSTRAINT "log_entries_execution_id_seq_pk" PRIMARY KEY("execution_id","seq")
);
--> statement-breakpoint
CREATE TABLE "log_reads" (
	"user_id" uuid NOT NULL,
	"row_id" uuid NOT NULL,
	"execution_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	CONSTRAINT "log_reads_user_id_row_id_pk" PRIMARY KEY("user_id","row_id")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"domain" text,
	"details" jsonb,
	"address" text
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"execution_id" bigint NOT NULL,
	"message_id" text NOT NULL,
	"recipients" text[] NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text NOT NULL,
	"status" "outbox_status" DEFAULT 'PENDING' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "outbox_execution_id_unique" UNIQUE("execution_id")
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_domains" ADD CONSTRAINT "user_domains_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_domains" ADD CONSTRAINT "user_domains_domain_domains_name_fk" FOREIGN KEY ("domain") REFERENCES "public"."domains"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_row_id_job_rows_id_fk" FOREIGN KEY ("row_id") REFERENCES "public"."job_rows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "log_entries" ADD CONSTRAINT "log_entries_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "log_reads" ADD CONSTRAINT "log_reads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "log_reads" ADD CONSTRAINT "log_reads_row_id_job_rows_id_fk" FOREIGN KEY ("row_id") REFERENCES "public"."job_rows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_tokens_user_idx" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "executions_row_occurrence_uq" ON "executions" USING btree ("row_id","occurrence_at");--> statement-breakpoint
CREATE UNIQUE INDEX "executions_row_in_progress_uq" ON "executions" USING btree ("row_id") WHERE status = 'IN_PROGRESS';--> statement-breakpoint
CREATE INDEX "executions_row_id_idx" ON "executions" USING btree ("row_id","id");--> statement-breakpoint
CREATE INDEX "executions_in_progress_heartbeat_idx" ON "executions" USING btree ("heartbeat_at") WHERE status = 'IN_PROGRESS';--> statement-breakpoint
CREATE INDEX "executions_domain_started_idx" ON "executions" USING btree ("domain","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "job_rows_job_domain_uq" ON "job_rows" USING btree ("job_id","domain");--> statement-breakpoint
CREATE INDEX "job_rows_domain_idx" ON "job_rows" USING btree ("domain","job_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("next_attempt_at") WHERE status = 'PENDING';