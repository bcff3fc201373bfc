import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { executions, jobRows } from './jobs';

export const alertKindEnum = pgEnum('alert_kind', ['FAILED', 'RECOVERED', 'MISSED', 'TOO_LONG', 'TOO_SHORT', 'NO_WORKER']);
export const channelKindEnum = pgEnum('channel_kind', ['EMAIL', 'WEBHOOK', 'SLACK']);
/** An alert's two moments a channel hears of (RECOVERED is born resolved: it has only `opened`). */
export const alertEventEnum = pgEnum('alert_event', ['opened', 'resolved']);
export const deliveryStatusEnum = pgEnum('delivery_status', ['PENDING', 'DELIVERED', 'FAILED']);

/**
 * What a row is expected to do (API.md "Assurance"), and until when its alerts are only recorded.
 * One row per job row that has any; a null column takes its default (grace 60 s, 1 failure).
 */
export const rowExpectations = pgTable('row_expectations', {
  rowId: uuid('row_id')
    .primaryKey()
    .references(() => jobRows.id, { onDelete: 'cascade' }),
  maxDurationSeconds: integer('max_duration_seconds'),
  minDurationSeconds: integer('min_duration_seconds'),
  graceSeconds: integer('grace_seconds'),
  failuresBeforeAlert: integer('failures_before_alert'),
  snoozedUntil: timestamp('snoozed_until', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * An open (or past) condition on a row, or on the whole fleet (NO_WORKER: no row, no domain). At
 * most one open alert per row and kind: the database says so (two partial unique indexes).
 */
export const alerts = pgTable(
  'alerts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    kind: alertKindEnum('kind').notNull(),
    rowId: uuid('row_id').references(() => jobRows.id, { onDelete: 'cascade' }),
    /** The row's job and domain, copied so the history reads without a join; null for NO_WORKER. */
    jobId: text('job_id'),
    domain: text('domain'),
    executionId: bigint('execution_id', { mode: 'number' }).references(() => executions.id, { onDelete: 'set null' }),
    /** MISSED: the occurrence that did not start. */
    occurrenceAt: timestamp('occurrence_at', { withTimezone: true }),
    message: text('message').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    acknowledgedBy: text('acknowledged_by'),
    /** The row was snoozed when it opened: recorded, never sent. */
    snoozed: boolean('snoozed').notNull().default(false),
  },
  (t) => [
    uniqueIndex('alerts_open_row_kind_uq').on(t.rowId, t.kind).where(sql`resolved_at IS NULL AND row_id IS NOT NULL`),
    uniqueIndex('alerts_open_fleet_kind_uq').on(t.kind).where(sql`resolved_at IS NULL AND row_id IS NULL`),
    index('alerts_domain_id_idx').on(t.domain, t.id),
    index('alerts_open_idx').on(t.id).where(sql`resolved_at IS NULL`),
    index('alerts_execution_idx').on(t.executionId),
  ],
);

/**
 * Where alerts go. `domain` null: every alert (system administrators of all domains manage it);
 * otherwise only that domain's. `target` is a URL (WEBHOOK, SLACK: never served in full) or
 * comma-separated addresses (EMAIL); `secret` a `whsec_…` key, never served.
 */
export const channels = pgTable(
  'channels',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: text('name').notNull(),
    kind: channelKindEnum('kind').notNull(),
    target: text('target').notNull(),
    secret: text('secret'),
    events: alertKindEnum('events').array().notNull(),
    domain: text('domain'),
    enabled: boolean('enabled').notNull().default(true),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('channels_domain_idx').on(t.domain)],
);

/**
 * The alert outbox: one row per (alert, event, channel), written in the transaction that opens or
 * resolves the alert, so an event is never queued twice; delivered by jobs/alerts/sender.ts.
 */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    alertId: bigint('alert_id', { mode: 'number' })
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    event: alertEventEnum('event').notNull(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    status: deliveryStatusEnum('status').notNull().default('PENDING'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** A sender holds a delivery until this instant (database clock). */
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('alert_deliveries_event_channel_uq').on(t.alertId, t.event, t.channelId),
    index('alert_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'PENDING'`),
    index('alert_deliveries_channel_idx').on(t.channelId, t.id),
  ],
);
