import type { Sql } from '../client';
import { endsQuietly } from './alerts';

export type ExecStatus = 'IN_PROGRESS' | 'SUCCESS' | 'WARNING' | 'FAILURE' | 'CANCELLED' | 'INTERRUPTED';
export type ExecTrigger = 'SCHEDULE' | 'MANUAL' | 'API' | 'RETRY';

export type ExecutionRecord = {
  id: number;
  rowId: string;
  jobId: string;
  domain: string;
  status: ExecStatus;
  trigger: ExecTrigger;
  triggeredBy: string | null;
  occurrenceAt: Date | null;
  startedAt: Date;
  endedAt: Date | null;
  progress: number | null;
  owner: string | null;
  cancelRequestedBy: string | null;
  lastSeq: number;
  warningCount: number;
  errorCount: number;
  droppedLines: number;
  /** The run's parameter values, secret ones in full: services mask them before anything is served. */
  parameters: { name: string; value: string }[];
  /** The resource the run waits for, while it waits. */
  waitingFor: string | null;
  /** 1, then 2, 3… for its retries. */
  attempt: number;
  /** A retry's first attempt. */
  retryOf: number | null;
  /** A retry waits for this instant before a worker takes it. */
  notBefore: Date | null;
};

/** ExecutionRecord's columns: the expression on the executions alias, and the record's key. */
const EXEC_FIELDS: readonly (readonly [string, keyof ExecutionRecord])[] = [
  ['id::int', 'id'], ['row_id', 'rowId'], ['job_id', 'jobId'], ['domain', 'domain'], ['status', 'status'],
  ['trigger', 'trigger'], ['triggered_by', 'triggeredBy'], ['occurrence_at', 'occurrenceAt'], ['started_at', 'startedAt'],
  ['ended_at', 'endedAt'], ['progress', 'progress'], ['owner', 'owner'], ['cancel_requested_by', 'cancelRequestedBy'],
  ['last_seq', 'lastSeq'], ['warning_count', 'warningCount'], ['error_count', 'errorCount'],
  ['dropped_lines', 'droppedLines'], ['parameters', 'parameters'], ['waiting_for', 'waitingFor'],
  ['attempt', 'attempt'], ['retry_of::int', 'retryOf'], ['not_before', 'notBefore'],
];
const IDENT = /^[a-z_][a-z0-9_]*$/;
/** Built select lists by skip set (this module's constants), then by alias and prefix. */
const columnLists = new Map<ReadonlySet<string> | undefined, Map<string, string>>();
/** The select list of an ExecutionRecord from the executions alias `e`, each key prefixed, the `skip` keys left out (built once per alias, prefix and skip set). */
function execColumnList(e: string, prefix: string, skip?: ReadonlySet<string>) {
  let lists = columnLists.get(skip);
  if (!lists) columnLists.set(skip, (lists = new Map()));
  const k = `${e} ${prefix}`;
  let s = lists.get(k);
  if (!s) {
    if (!IDENT.test(e) || (prefix && !IDENT.test(prefix))) throw new Error(`not an SQL alias: ${e} ${prefix}`);
    s = EXEC_FIELDS.filter(([, key]) => !skip?.has(key)).map(([col, key]) => `${e}.${col} AS "${prefix}${key}"`).join(', ');
    lists.set(k, s);
  }
  return s;
}
export const EXEC_COLUMNS = (sql: Sql, e = 'e') => sql.unsafe(execColumnList(e, ''));

/**
 * EXEC_COLUMNS under keys prefixed `last_execution__`, for a statement that reads rows (ROW_COLUMNS)
 * with their last executions (LEFT JOIN: every one null when there is none); readLastExecution
 * reads them back out. What the row says already (its id, job and domain) is not read twice.
 */
const LAST = 'last_execution__';
const FROM_ROW: Readonly<Record<string, string>> = { rowId: 'id', jobId: 'jobId', domain: 'domain' };
const FROM_ROW_KEYS = new Set(Object.keys(FROM_ROW));
export const LAST_EXEC_COLUMNS = (sql: Sql, e = 'e') => sql.unsafe(execColumnList(e, LAST, FROM_ROW_KEYS));
// In EXEC_FIELDS' order, so that a record read here has the same shape as one read by EXEC_COLUMNS.
const LAST_KEYS = EXEC_FIELDS.map(([, key]) => [key, FROM_ROW[key] ?? `${LAST}${key}`] as const);
/** The last execution's keys read back out of a listed row; undefined when it has none. */
function readLast(row: Record<string, unknown>, keys: readonly (readonly [string, string])[]) {
  if (row[`${LAST}id`] == null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, from] of keys) out[key] = row[from];
  return out;
}
export const readLastExecution = (row: Record<string, unknown>) => readLast(row, LAST_KEYS) as ExecutionRecord | undefined;

/**
 * The last execution as the jobs list shows it (id, status, start, the resource it waits for): a
 * list whose query asks no more reads only these. Each of the record's other 15 columns cost every
 * row of a page a value to decode and parse (a status-filtered page's statement 1.43 → 1.06 ms).
 */
export const BRIEF_EXEC_KEYS: ReadonlySet<string> = new Set(['id', 'status', 'startedAt', 'waitingFor'] satisfies (keyof ExecutionRecord)[]);
export type BriefExecution = Pick<ExecutionRecord, 'id' | 'rowId' | 'jobId' | 'domain' | 'status' | 'startedAt' | 'waitingFor'>;
const BRIEF_SKIP = new Set(EXEC_FIELDS.map(([, key]) => key).filter((k) => FROM_ROW_KEYS.has(k) || !BRIEF_EXEC_KEYS.has(k)));
export const LAST_EXEC_BRIEF_COLUMNS = (sql: Sql, e = 'e') => sql.unsafe(execColumnList(e, LAST, BRIEF_SKIP));
const LAST_BRIEF_KEYS = LAST_KEYS.filter(([key]) => FROM_ROW_KEYS.has(key) || BRIEF_EXEC_KEYS.has(key));
export const readBriefLastExecution = (row: Record<string, unknown>) => readLast(row, LAST_BRIEF_KEYS) as BriefExecution | undefined;

export async function findExecution(sql: Sql, id: number) {
  const [row] = await sql<ExecutionRecord[]>`SELECT ${EXEC_COLUMNS(sql)} FROM executions e WHERE id = ${id}`;
  return row;
}

export async function findExecutions(sql: Sql, ids: number[]) {
  return sql<ExecutionRecord[]>`SELECT ${EXEC_COLUMNS(sql)} FROM executions e WHERE id = ANY(${ids}::bigint[])`;
}

/**
 * Executions named by one jobdeck_exec notification that announces many (comma-separated ids): a
 * payload holds at most 8000 bytes, and one notification per execution made every listening
 * backend of every process read 5,000 of them for one executeSelection.
 */
export const EXEC_NOTIFY_IDS = 500;

/**
 * The CTE `told` of a statement that opened executions in a CTE `ins`: announces them on
 * jobdeck_exec, EXEC_NOTIFY_IDS ids per notification, and wakes the workers once on jobdeck_queued.
 * The statement must read `told` (e.g. `CROSS JOIN (SELECT count(*) FROM told)`) for it to run.
 */
export const announceOpened = (sql: Sql) => sql`told AS MATERIALIZED (
      SELECT pg_notify('jobdeck_exec', string_agg(id::text, ',' ORDER BY id)), pg_notify('jobdeck_queued', '')
      FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) / ${EXEC_NOTIFY_IDS}::int AS part FROM ins) p GROUP BY part
    )`;

/**
 * Opens executions of many rows in one statement (executeNow), with its audit entry: a row that has
 * one in progress gets none (the partial unique index decides). The new executions are announced on
 * jobdeck_exec, EXEC_NOTIFY_IDS ids per notification (see services/live.ts); the workers are woken
 * once on jobdeck_queued.
 */
export async function openExecutions(
  sql: Sql,
  /** parameters: each run's values (secret ones in full), recorded by the INSERT that opens it. */
  rows: { rowId: string; jobId: string; domain: string; parameters?: { name: string; value: string }[] }[],
  e: { trigger: ExecTrigger; triggeredBy: string | null },
  /**
   * The audit entry of the request ("executeNow", the rows started), written by the same statement when any opened.
   * parameters: the values the request gave, secret ones already masked (null) by the caller.
   */
  audit: { actor: string; address: string | null; parameters?: { name: string; value: string | null }[]; action?: 'executeNow' | 'executeSelection' },
) {
  if (!rows.length) return [];
  const opened = await sql<ExecutionRecord[]>`
    WITH ins AS (
      INSERT INTO executions (row_id, job_id, domain, trigger, triggered_by, occurrence_at, owner, parameters)
      SELECT r, j, d, ${e.trigger}, ${e.triggeredBy}, NULL, NULL, p::jsonb
      FROM unnest(${rows.map((x) => x.rowId)}::uuid[], ${rows.map((x) => x.jobId)}::text[], ${rows.map((x) => x.domain)}::text[],
        ${rows.map((x) => JSON.stringify(x.parameters ?? []))}::text[]) WITH ORDINALITY AS t(r, j, d, p, o)
      ORDER BY o
      ON CONFLICT DO NOTHING
      RETURNING *
    ), upd AS (
      UPDATE job_rows SET last_execution_id = ins.id, last_status = 'IN_PROGRESS' FROM ins WHERE job_rows.id = ins.row_id
    ), audit AS (
      INSERT INTO audit_log (actor, action, target, details, address)
      SELECT ${audit.actor}, ${audit.action ?? 'executeNow'}, left(string_agg(ins.job_id || '@' || ins.domain, ', ' ORDER BY ins.id), 2000),
        jsonb_build_object('count', count(*)) || ${audit.parameters?.length ? sql`jsonb_build_object('parameters', ${sql.json(audit.parameters)}::jsonb)` : sql`'{}'::jsonb`},
        ${audit.address}
      FROM ins HAVING count(*) > 0
    ), ${announceOpened(sql)}
    SELECT ${EXEC_COLUMNS(sql, 'ins')}
    FROM ins CROSS JOIN (SELECT count(*) FROM told) t ORDER BY ins.id`;
  return [...opened];
}

export async function runningExecutionOfRow(sql: Sql, rowId: string) {
  const [row] = await sql<ExecutionRecord[]>`
    SELECT ${EXEC_COLUMNS(sql)} FROM executions e WHERE row_id = ${rowId} AND status = 'IN_PROGRESS'`;
  return row;
}

/**
 * A worker with `room` free slots takes the oldest executions that executeNow queued and nobody
 * took yet (SKIP LOCKED: workers claiming at once take different ones, none waits for another),
 * of the jobs its catalog knows (a worker of another deployment leaves the others alone).
 */
export async function claimQueued(sql: Sql, owner: string, room: number, jobIds: string[]) {
  return sql<ExecutionRecord[]>`
    UPDATE executions e SET owner = ${owner}, heartbeat_at = now(), started_at = now()
    WHERE id IN (
      SELECT id FROM executions
      WHERE status = 'IN_PROGRESS' AND owner IS NULL AND cancel_requested_by IS NULL AND job_id = ANY(${jobIds}::text[])
        AND (not_before IS NULL OR not_before <= now())
      ORDER BY id LIMIT ${room} FOR UPDATE SKIP LOCKED)
    RETURNING ${EXEC_COLUMNS(sql)}`;
}

/** Gives claimed runs that never started back to the queue (a worker that began stopping meanwhile). */
export async function unclaim(sql: Sql, owner: string, ids: number[]) {
  await sql`
    UPDATE executions SET owner = NULL
    WHERE id = ANY(${ids}::bigint[]) AND owner = ${owner} AND status = 'IN_PROGRESS'`;
}

/** Final write, refused unless this worker still owns a run in progress (a paused worker that lost its lease loses here). */
export async function finishExecution(
  sql: Sql,
  id: number,
  owner: string,
  status: Exclude<ExecStatus, 'IN_PROGRESS'>,
  error: string | null,
) {
  const [row] = await sql<ExecutionRecord[]>`
    UPDATE executions e SET status = ${status}, ended_at = now(), error = ${error}
    WHERE id = ${id} AND owner = ${owner} AND status = 'IN_PROGRESS'
    RETURNING ${EXEC_COLUMNS(sql)}`;
  return row;
}

/**
 * finishExecution, its change announced (jobdeck_exec) by the same statement, for a run whose row
 * sends no report: the common end of a run is one round trip instead of a transaction. undefined
 * when the row sends reports, when the end may open or resolve an alert (db/queries/alerts.ts
 * endsQuietly), or when the run is no longer this worker's: the caller ends it in a transaction
 * with its report and alerts.
 */
export async function finishWithoutReport(
  sql: Sql,
  id: number,
  owner: string,
  status: Exclude<ExecStatus, 'IN_PROGRESS'>,
  error: string | null,
) {
  const [row] = await sql<(ExecutionRecord & { pg_notify?: unknown })[]>`
    UPDATE executions e SET status = ${status}, ended_at = now(), error = ${error}
    FROM job_rows r
    WHERE e.id = ${id} AND e.owner = ${owner} AND e.status = 'IN_PROGRESS' AND r.id = e.row_id AND NOT r.report_send
      AND ${endsQuietly(sql, status)}
    RETURNING ${EXEC_COLUMNS(sql)}, pg_notify('jobdeck_exec', e.id::text)`;
  if (row) delete row.pg_notify;
  return row;
}

/** Heartbeat of every run a worker holds; returns those still held, with pending cancel requests. */
export async function heartbeat(sql: Sql, owner: string, ids: number[]) {
  return sql<{ id: number; cancelRequestedBy: string | null }[]>`
    UPDATE executions SET heartbeat_at = now()
    WHERE id = ANY(${ids}::bigint[]) AND owner = ${owner} AND status = 'IN_PROGRESS'
    RETURNING id::int AS id, cancel_requested_by AS "cancelRequestedBy"`;
}

/**
 * Runs whose worker stopped heartbeating (database clock) become INTERRUPTED, with a last log entry.
 * A queued run is interrupted only when the workers passed it over: unclaimed for
 * `unclaimedSeconds`, while a run queued after it was taken at least that long ago (workers take
 * queued runs oldest first, so no worker knows its job). Runs that wait for a free slot (20,000
 * scheduled runs due at once, a large executeSelection) wait as long as it takes.
 */
export async function sweepInterrupted(sql: Sql, leaseSeconds: number, unclaimedSeconds: number) {
  return sql<ExecutionRecord[]>`
    WITH dead AS (
      UPDATE executions e SET status = 'INTERRUPTED', ended_at = now(), last_seq = last_seq + 1,
        error = CASE WHEN owner IS NULL THEN 'no worker took this run' ELSE 'its worker stopped' END
      WHERE status = 'IN_PROGRESS' AND (
        (owner IS NOT NULL AND heartbeat_at < now() - make_interval(secs => ${leaseSeconds}))
        OR (owner IS NULL AND coalesce(not_before, created_at) < now() - make_interval(secs => ${unclaimedSeconds})
            AND EXISTS (SELECT 1 FROM executions y WHERE y.id > e.id AND y.owner IS NOT NULL
                          AND y.started_at < now() - make_interval(secs => ${unclaimedSeconds}))))
      RETURNING e.*
    ), note AS (
      INSERT INTO log_entries (execution_id, seq, at, level, message)
      SELECT id, last_seq, now(), 'ERROR',
        CASE WHEN owner IS NULL THEN 'Interrupted: no worker took this run within ' || ${unclaimedSeconds}::text || ' s, while later ones were taken (no worker runs this job).'
             ELSE 'Interrupted: worker ' || owner || ' stopped heartbeating (lease ' || ${leaseSeconds}::text || ' s).' END
      FROM dead
    )
    SELECT ${EXEC_COLUMNS(sql, 'dead')} FROM dead`;
}

export async function requestCancel(sql: Sql, id: number, by: string) {
  const [row] = await sql<ExecutionRecord[]>`
    UPDATE executions e SET cancel_requested_by = coalesce(cancel_requested_by, ${by})
    WHERE id = ${id} AND status = 'IN_PROGRESS' RETURNING ${EXEC_COLUMNS(sql)}`;
  return row;
}

/** A queued run that no worker took yet is cancelled on the spot. */
export async function cancelUnclaimed(sql: Sql, id: number, by: string) {
  const [row] = await sql<ExecutionRecord[]>`
    WITH c AS (
      UPDATE executions e SET status = 'CANCELLED', ended_at = now(), last_seq = last_seq + 1
      WHERE id = ${id} AND status = 'IN_PROGRESS' AND owner IS NULL RETURNING e.*
    ), note AS (
      INSERT INTO log_entries (execution_id, seq, at, level, message)
      SELECT id, last_seq, now(), 'INFO', 'Cancelled by ' || ${by} || ' before it started.' FROM c
    )
    SELECT ${EXEC_COLUMNS(sql, 'c')} FROM c`;
  return row;
}

/** Deletes finished executions; a row whose latest one went falls back to its newest remaining one. */
export async function deleteFinished(sql: Sql, ids: number[]) {
  const [r] = await sql<{ n: number }[]>`
    WITH del AS (
      DELETE FROM executions WHERE id = ANY(${ids}::bigint[]) AND status <> 'IN_PROGRESS' RETURNING id, row_id
    ), fix AS (
      UPDATE job_rows r SET (last_execution_id, last_status) = (
        SELECT e.id, e.status FROM executions e WHERE e.row_id = r.id AND e.id NOT IN (SELECT id FROM del)
        ORDER BY e.id DESC LIMIT 1)
      WHERE r.id IN (SELECT row_id FROM del) AND r.last_execution_id IN (SELECT id FROM del)
    )
    SELECT count(*)::int AS n FROM del`;
  return r!.n;
}

export async function listRowExecutions(
  sql: Sql,
  row: string | { jobId: string; domain: string },
  f: { first: number; beforeId?: number; statuses?: string[]; triggers?: string[]; startedAfter?: Date; startedBefore?: Date },
) {
  // By id, or by (job, domain) for a page read beside its row's own lookup (services/executions.ts prefetchRowExecutions).
  const rowId = typeof row === 'string' ? sql`${row}::uuid` : sql`(SELECT id FROM job_rows WHERE job_id = ${row.jobId} AND domain = ${row.domain})`;
  const where = sql`row_id = ${rowId}
    ${f.statuses?.length ? sql`AND status = ANY(${f.statuses}::execution_status[])` : sql``}
    ${f.triggers?.length ? sql`AND trigger = ANY(${f.triggers}::execution_trigger[])` : sql``}
    ${f.startedAfter ? sql`AND started_at >= ${f.startedAfter}` : sql``}
    ${f.startedBefore ? sql`AND started_at < ${f.startedBefore}` : sql``}`;
  // The page and its count in one statement (two sent at once cost two connections' round trips).
  // A page with no execution still answers the count: the page is right-joined to it.
  const rows = await sql<(ExecutionRecord & { totalCount?: number })[]>`
    SELECT ${EXEC_COLUMNS(sql)}, c.n AS "totalCount"
    FROM (SELECT * FROM executions WHERE ${where} ${f.beforeId ? sql`AND id < ${f.beforeId}` : sql``} ORDER BY id DESC LIMIT ${f.first + 1}) e
      RIGHT JOIN (SELECT count(*)::int AS n FROM executions WHERE ${where}) c ON true
    ORDER BY e.id DESC`;
  const totalCount = rows[0]?.totalCount ?? 0;
  // The count alone when nothing matched. (Each row keeps its totalCount key: deleting it would turn
  // every record into a slow dictionary object.)
  const nodes: ExecutionRecord[] = rows[0]?.id == null ? [] : rows;
  return { nodes, totalCount };
}
