import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './auth';

export const planKindEnum = pgEnum('plan_kind', ['AUTOMATIC', 'SCHEDULED', 'DISABLED']);
export const executionStatusEnum = pgEnum('execution_status', [
  'IN_PROGRESS',
  'SUCCESS',
  'WARNING',
  'FAILURE',
  'CANCELLED',
  'INTERRUPTED',
]);
export const triggerEnum = pgEnum('execution_trigger', ['SCHEDULE', 'MANUAL', 'API', 'RETRY']);
export const logLevelEnum = pgEnum('log_level', ['PROGRESS', 'INFO', 'WARNING', 'ERROR']);
export const reportWhenEnum = pgEnum('report_when', ['ALWAYS', 'WARNING_OR_FAILURE', 'FAILURE']);

/** The stored form of a rule; validated by jobs/plan.ts before it gets here. */
export type RuleJson = {
  kind: 'EVERY_MINUTES' | 'EVERY_HOURS' | 'DAILY' | 'CRON';
  every?: number | null;
  days?: string[] | null;
  times?: string[] | null;
  cron?: string | null;
  timeZone: string;
  /** Each row's occurrences are shifted by a stable offset in [0, spreadMinutes) minutes (jobs/spread.ts). */
  spreadMinutes?: number | null;
};

/** A parameter's value as stored: the row's own default (job_rows.parameter_defaults) or a run's value (executions.parameters). */
export type ParameterValueJson = { name: string; value: string };

/** One (job, execution domain) pair: the unit that has a plan, report settings and history. */
export const jobRows = pgTable(
  'job_rows',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    jobId: text('job_id').notNull(),
    /** "global" for GLOBAL jobs. Not a foreign key: "global" is not a tenant. */
    domain: text('domain').notNull(),
    kind: text('kind').$type<'GLOBAL' | 'PER_DOMAIN'>().notNull(),
    planKind: planKindEnum('plan_kind').notNull().default('AUTOMATIC'),
    rule: jsonb('rule').$type<RuleJson>(),
    reportSend: boolean('report_send').notNull().default(false),
    reportRecipients: text('report_recipients').array().notNull().default(sql`'{}'::text[]`),
    reportWhen: reportWhenEnum('report_when').notNull().default('ALWAYS'),
    /** The next occurrence, always recomputed in the same statement that changes the plan or consumes one. */
    nextRunAt: timestamp('next_run_at', { withTimezone: true }),
    lastExecutionId: bigint('last_execution_id', { mode: 'number' }),
    /** Status of the last execution, kept by the executions_last_status trigger: the list filters on it without a join. */
    lastStatus: executionStatusEnum('last_status'),
    /** The row's own default parameter values (the job declares the parameters). */
    parameterDefaults: jsonb('parameter_defaults').$type<ParameterValueJson[]>().notNull().default(sql`'[]'::jsonb`),
    /** The first occurrence skipped while scheduling was paused: resumeScheduling(RUN_ONCE) runs it once. */
    missedAt: timestamp('missed_at', { withTimezone: true }),
    /** False when the job left the catalog: hidden, history kept. */
    inCatalog: boolean('in_catalog').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('job_rows_job_domain_uq').on(t.jobId, t.domain),
    index('job_rows_domain_idx').on(t.domain, t.jobId),
    // Partial on in_catalog, which every list reads: the page's count is an index-only scan
    // (2.3 -> 0.3 ms over 10,000 rows with a status filter, 2 -> 0.9 ms without).
    index('job_rows_last_status_idx').on(t.lastStatus, t.jobId, t.domain).where(sql`in_catalog`),
    index('job_rows_catalog_idx').on(t.jobId, t.domain).where(sql`in_catalog`),
  ],
);

export const executions = pgTable(
  'executions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    rowId: uuid('row_id')
      .notNull()
      .references(() => jobRows.id, { onDelete: 'cascade' }),
    jobId: text('job_id').notNull(),
    domain: text('domain').notNull(),
    status: executionStatusEnum('status').notNull().default('IN_PROGRESS'),
    trigger: triggerEnum('trigger').notNull(),
    triggeredBy: text('triggered_by'),
    /** The scheduled occurrence this execution runs (SCHEDULE only): unique per row. */
    occurrenceAt: timestamp('occurrence_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    progress: smallint('progress'),
    /** The worker that claimed it; final writes must match it. */
    owner: text('owner'),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
    cancelRequestedBy: text('cancel_requested_by'),
    lastSeq: integer('last_seq').notNull().default(0),
    /** Lines up to this seq are in log_search (the search indexer's progress). */
    searchSeq: integer('search_seq').notNull().default(0),
    warningCount: integer('warning_count').notNull().default(0),
    errorCount: integer('error_count').notNull().default(0),
    droppedLines: integer('dropped_lines').notNull().default(0),
    error: text('error'),
    /** The values this run was given (secret ones too: served masked, never in full). */
    parameters: jsonb('parameters').$type<ParameterValueJson[]>().notNull().default(sql`'[]'::jsonb`),
    /** The resource this run waits for, while it waits (null once it holds all it needs). */
    waitingFor: text('waiting_for'),
    /** 1 for a first run; a retry (trigger RETRY) counts on from the run it repeats. */
    attempt: smallint('attempt').notNull().default(1),
    /** A retry's first attempt (the chain's head); null for a first attempt. */
    retryOf: bigint('retry_of', { mode: 'number' }),
    /** A retry is not taken by a worker before this instant (its delay). */
    notBefore: timestamp('not_before', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('executions_row_occurrence_uq').on(t.rowId, t.occurrenceAt),
    // A row never has two executions in progress: the database says so, not the app.
    uniqueIndex('executions_row_in_progress_uq').on(t.rowId).where(sql`status = 'IN_PROGRESS'`),
    index('executions_row_id_idx').on(t.rowId, t.id),
    index('executions_in_progress_heartbeat_idx').on(t.heartbeatAt).where(sql`status = 'IN_PROGRESS'`),
    // Runs queued by executeNow that no worker took yet, oldest first (claimQueued).
    index('executions_queued_idx').on(t.id).where(sql`status = 'IN_PROGRESS' AND owner IS NULL`),
    index('executions_domain_started_idx').on(t.domain, t.startedAt),
    // The dashboard's "last 24 hours" across every domain.
    index('executions_started_idx').on(t.startedAt),
    // The search indexer's work: executions with lines not in log_search yet.
    index('executions_search_pending_idx').on(t.id).where(sql`search_seq < last_seq`),
  ],
);

export const logEntries = pgTable(
  'log_entries',
  {
    /**
     * No foreign key: checking it cost more than the insert itself at 10,000-line batches. Entries
     * are only written while their execution is held in progress (db/queries/logs.ts appendBatch),
     * and deleting executions deletes their entries (trigger executions_delete_logs, migration 0003).
     */
    executionId: bigint('execution_id', { mode: 'number' }).notNull(),
    seq: integer('seq').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    level: logLevelEnum('level').notNull(),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.executionId, t.seq] })],
);

/**
 * What searchLogs looks through: up to 100 consecutive lines of one execution joined by newlines,
 * trigram-indexed (pg_trgm). Written off the log writer's path by the search indexer
 * (jobs/search-indexer.ts), so ingest does not pay for the index; lines past an execution's
 * `search_seq` are not here yet and are searched in log_entries directly. No foreign key, like
 * log_entries: executions_delete_logs removes them with their execution.
 */
export const logSearch = pgTable(
  'log_search',
  {
    executionId: bigint('execution_id', { mode: 'number' }).notNull(),
    firstSeq: integer('first_seq').notNull(),
    lastSeq: integer('last_seq').notNull(),
    body: text('body').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.executionId, t.firstSeq] }),
    index('log_search_body_trgm_idx').using('gin', sql`${t.body} gin_trgm_ops`),
  ],
);

/** Per user and row: how far the user has read the row's latest execution. */
export const logReads = pgTable(
  'log_reads',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    rowId: uuid('row_id')
      .notNull()
      .references(() => jobRows.id, { onDelete: 'cascade' }),
    executionId: bigint('execution_id', { mode: 'number' }).notNull(),
    seq: integer('seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.rowId] })],
);
