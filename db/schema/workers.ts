import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every worker process, registered at start and heartbeating on the database clock, so that the
 * console and the alerts can tell a fleet that runs from one that died. Kept 24 hours after it stopped.
 */
export const workers = pgTable(
  'workers',
  {
    id: text('id').primaryKey(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    slots: integer('slots').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
    /** A graceful stop says so; a killed worker just stops heartbeating. */
    stoppedAt: timestamp('stopped_at', { withTimezone: true }),
  },
  (t) => [index('workers_heartbeat_idx').on(t.heartbeatAt)],
);
