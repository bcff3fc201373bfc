import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { executionStatusEnum } from './jobs';

/**
 * Ended executions counted per hour of their start, per domain and status, kept by triggers on
 * executions (migration 0015): the dashboard's "last 24 hours" sums 24 of these instead of counting
 * every execution of the day (240,000 on the benchmark's data set). Two keys only: '*' (every domain
 * but "global": what a supervisor of all domains sees) and "global"; a viewer of some domains counts
 * his own executions through executions_domain_started_idx (a domain's day is small).
 */
export const executionHourCounts = pgTable(
  'execution_hour_counts',
  {
    hour: timestamp('hour', { withTimezone: true }).notNull(),
    domain: text('domain').notNull(),
    status: executionStatusEnum('status').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.domain, t.hour, t.status] }), index('execution_hour_counts_hour_idx').on(t.hour)],
);
