-- A grant pass reads only the head of a queue (its first waiting claims, LIMIT-ed) and counts its
-- holders: one partial index for each, so neither walks past the other kind (a release under 1,000
-- waiting claims read them all before).
DROP INDEX "resource_claims_resource_idx";--> statement-breakpoint
CREATE INDEX "resource_claims_waiting_idx" ON "resource_claims" USING btree ("resource","seq") WHERE granted_at IS NULL;--> statement-breakpoint
CREATE INDEX "resource_claims_held_idx" ON "resource_claims" USING btree ("resource") WHERE granted_at IS NOT NULL;