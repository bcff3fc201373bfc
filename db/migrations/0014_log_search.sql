CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "log_entries_message_trgm_idx" ON "log_entries" USING gin ("message" gin_trgm_ops);