DROP INDEX "job_rows_last_status_idx";--> statement-breakpoint
CREATE INDEX "job_rows_catalog_idx" ON "job_rows" USING btree ("job_id","domain") WHERE in_catalog;--> statement-breakpoint
CREATE INDEX "job_rows_last_status_idx" ON "job_rows" USING btree ("last_status","job_id","domain") WHERE in_catalog;