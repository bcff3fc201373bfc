import { executions } from './jobs';
import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Resources runs hold (a job's `locks`). `declared_capacity` comes from JOBS_FILE (1 for a lock that
 * names no declared resource), written by every process at start; `capacity` is the override set by
 * setResourceCapacity, which wins until cleared. Effective capacity = coalesce(capacity, declared_capacity).
 */
export const resources = pgTable('resources', {
  name: text('name').primaryKey(),
  declaredCapacity: integer('declared_capacity').notNull().default(1),
  capacity: integer('capacity'),
  updatedBy: text('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A run's claim on a resource: waiting while granted_at is null, holding once granted. Granted first
 * come first served (by seq); a run that needs several is granted all of them at once or none.
 * Deleted when the run releases them (or ends: the executions foreign key cascades).
 */
export const resourceClaims = pgTable(
  'resource_claims',
  {
    executionId: bigint('execution_id', { mode: 'number' })
      .notNull()
      .references(() => executions.id, { onDelete: 'cascade' }),
    resource: text('resource').notNull(),
    /** Arrival order: the first waiting run of a resource is served first. */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    grantedAt: timestamp('granted_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.executionId, t.resource] }),
    // A grant pass reads a queue's head (the first waiting claims in seq order, LIMIT-ed) and counts
    // its holders: neither scans the other kind, so a handoff costs the same under 1,000 waiting runs.
    index('resource_claims_waiting_idx').on(t.resource, t.seq).where(sql`granted_at IS NULL`),
    index('resource_claims_held_idx').on(t.resource).where(sql`granted_at IS NOT NULL`),
  ],
);

/**
 * Scheduling paused for every domain (domain '*') or for one domain. While a row's domain (or all) is
 * paused, its scheduled occurrences do not start: the row remembers the first one it missed
 * (job_rows.missed_at) for resumeScheduling(missed: RUN_ONCE).
 */
export const schedulingPauses = pgTable('scheduling_pauses', {
  domain: text('domain').primaryKey(),
  since: timestamp('since', { withTimezone: true }).notNull().defaultNow(),
  pausedBy: text('paused_by'),
  reason: text('reason'),
});
