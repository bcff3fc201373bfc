import { integer, pgEnum, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { jobRows } from './jobs';

export const backoffEnum = pgEnum('retry_backoff', ['FIXED', 'EXPONENTIAL']);

/**
 * A row's own retry policy (API.md "Assurance"): absent, the row follows its job's (JOBS_FILE
 * `retry`, or defineJob's), which defaults to no retry.
 */
export const rowRetry = pgTable('row_retry', {
  rowId: uuid('row_id')
    .primaryKey()
    .references(() => jobRows.id, { onDelete: 'cascade' }),
  attempts: integer('attempts').notNull(),
  delaySeconds: integer('delay_seconds').notNull(),
  backoff: backoffEnum('backoff').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
