import { index, integer, pgTable, primaryKey, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import { executionStatusEnum } from './jobs';

/**
 * Ended executions counted per hour of their start, per domain and status, kept by triggers on
 * executions (migration 0015): the dashboard's "last 24 hours" sums 24 of these instead of counting
 * every execution of the day (240,000 on the benchmark's data set). Two keys only: '*' (every domain
 * but "global": what a supervisor of all domains sees) and "global"; a viewer of some domains counts
 * his own executions through executions_domain_started_idx (a domain's day is small).
 * Each key is split over COUNT_SHARDS rows (migration 0019): every run that ends adds to its key in
 * the transaction that ends it, so one row per key made all workers' final writes wait for each
 * other's commits. Readers sum the shards.
 */
export const executionHourCounts = pgTable(
  'execution_hour_counts',
  {
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    domain: text('domain').notNull(),
    status: executionStatusEnum('status').notNull(),
    n: integer('n').notNull(),
    /** Which of the key's rows (the writing backend's pid modulo 16); 0 for counts from before migration 0019. */
    shard: smallint('shard').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.domain, t.hour, t.status, t.shard] }), index('execution_hour_counts_hour_idx').on(t.hour)],
);
