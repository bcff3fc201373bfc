/**
 * Alerts: opened and resolved by the engine (jobs/alerts/*), read and acknowledged by viewers.
 * Every change is announced in its own transaction: deliveries are queued for the channels that
 * match (not for a snoozed alert), and NOTIFY jobdeck_alert carries the alert's id to every web
 * process (alertChanged), jobdeck_alert_delivery wakes the senders.
 */
import type postgres from 'postgres';
import { scopeCondition, type DbScope } from '../scope';

type AnySql = postgres.Sql | postgres.TransactionSql;

export type AlertKind = 'FAILED' | 'RECOVERED' | 'MISSED' | 'TOO_LONG' | 'TOO_SHORT' | 'NO_WORKER';
export const ALERT_KINDS: readonly AlertKind[] = ['FAILED', 'RECOVERED', 'MISSED', 'TOO_LONG', 'TOO_SHORT', 'NO_WORKER'];
export type AlertEvent = 'opened' | 'resolved';

export type AlertRecord = {
  id: number;
  kind: AlertKind;
  rowId: string | null;
  jobId: string | null;
  domain: string | null;
  executionId: number | null;
  occurrenceAt: Date | null;
  message: string;
  openedAt: Date;
  resolvedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  snoozed: boolean;
};

export const ALERT_COLUMNS = (sql: AnySql, a = sql`a`) => sql`
  ${a}.id::int AS id, ${a}.kind, ${a}.row_id AS "rowId", ${a}.job_id AS "jobId", ${a}.domain, ${a}.execution_id::int AS "executionId",
  ${a}.occurrence_at AS "occurrenceAt", ${a}.message, ${a}.opened_at AS "openedAt", ${a}.resolved_at AS "resolvedAt",
  ${a}.acknowledged_at AS "acknowledgedAt", ${a}.acknowledged_by AS "acknowledgedBy", ${a}.snoozed`;

/** A fleet alert (no domain) is seen by whoever sees "global". */
const alertScope = (sql: AnySql, scope: DbScope) => scopeCondition(sql as postgres.Sql, scope, sql`coalesce(a.domain, 'global')`);

/**
 * Queues the event of these alerts for every enabled channel that wants their kind and hears of
 * their domain (a channel without a domain hears of everything), unless the alert is snoozed; then
 * tells the web processes (alertChanged) and the senders. Call it in the transaction that changed them.
 */
export async function announce(sql: AnySql, ids: number[], event: AlertEvent | null) {
  if (!ids.length) return 0;
  let queued = 0;
  if (event) {
    const rows = await sql`
      INSERT INTO alert_deliveries (alert_id, event, channel_id)
      SELECT a.id, ${event}::alert_event, c.id
      FROM alerts a JOIN channels c ON c.enabled AND a.kind = ANY(c.events) AND (c.domain IS NULL OR c.domain = a.domain)
      WHERE a.id = ANY(${ids}::bigint[]) AND NOT a.snoozed
      ON CONFLICT (alert_id, event, channel_id) DO NOTHING
      RETURNING id`;
    queued = rows.length;
  }
  // One notification per alert (PostgreSQL folds duplicates within a transaction); ids are short.
  await sql`SELECT pg_notify('jobdeck_alert', x::text) FROM unnest(${ids}::bigint[]) AS x`;
  if (queued) await sql`SELECT pg_notify('jobdeck_alert_delivery', '')`;
  return queued;
}

/**
 * Opens an alert of a row unless one of that kind is open (the partial unique index decides, so two
 * concurrent finishes open one). `resolved`: recorded already resolved (RECOVERED). The alert is
 * snoozed when its row is. Returns the alert opened by this call, or undefined.
 */
export async function openRowAlert(
  sql: AnySql,
  a: { kind: AlertKind; rowId: string; executionId?: number | null; occurrenceAt?: Date | null; message: string; resolved?: boolean },
): Promise<AlertRecord | undefined> {
  const [row] = await sql<AlertRecord[]>`
    INSERT INTO alerts AS a (kind, row_id, job_id, domain, execution_id, occurrence_at, message, snoozed, resolved_at)
    SELECT ${a.kind}::alert_kind, r.id, r.job_id, r.domain, ${a.executionId ?? null}::bigint, ${a.occurrenceAt ?? null}::timestamptz,
      ${a.message}, coalesce(x.snoozed_until > now(), false), ${a.resolved ? sql`now()` : sql`NULL`}
    FROM job_rows r LEFT JOIN row_expectations x ON x.row_id = r.id
    WHERE r.id = ${a.rowId}
    ON CONFLICT (row_id, kind) WHERE resolved_at IS NULL AND row_id IS NOT NULL DO NOTHING
    RETURNING ${ALERT_COLUMNS(sql)}`;
  if (row) await announce(sql, [row.id], 'opened');
  return row;
}

/** Resolves the open alerts of a row of these kinds (of one execution, when given); returns them. */
export async function resolveRowAlerts(sql: AnySql, rowId: string, kinds: AlertKind[], executionId?: number) {
  const rows = await sql<AlertRecord[]>`
    UPDATE alerts a SET resolved_at = now()
    WHERE a.row_id = ${rowId} AND a.kind = ANY(${kinds}::alert_kind[]) AND a.resolved_at IS NULL
      ${executionId !== undefined ? sql`AND a.execution_id = ${executionId}` : sql``}
    RETURNING ${ALERT_COLUMNS(sql)}`;
  await announce(sql, rows.map((r) => r.id), 'resolved');
  return [...rows];
}

/** What the end of an execution is judged on: the run, its row's expectations, its failure streak. */
export type FinishedFacts = {
  id: number;
  rowId: string;
  jobId: string;
  domain: string;
  status: string;
  durationSeconds: number;
  minDurationSeconds: number | null;
  failuresBeforeAlert: number;
  /** Of the row's last `failuresBeforeAlert` ended runs (cancelled ones aside): how many there are and how many failed. */
  lastRuns: number;
  lastFailures: number;
  /** The row has an open alert (a success of a quiet row needs no more work). */
  hasOpenAlert: boolean;
};

export async function finishedFacts(sql: AnySql, executionId: number): Promise<FinishedFacts | undefined> {
  const [f] = await sql<FinishedFacts[]>`
    SELECT e.id::int AS id, e.row_id AS "rowId", e.job_id AS "jobId", e.domain, e.status,
      extract(epoch FROM coalesce(e.ended_at, now()) - e.started_at)::float8 AS "durationSeconds",
      x.min_duration_seconds AS "minDurationSeconds", coalesce(x.failures_before_alert, 1)::int AS "failuresBeforeAlert",
      s.n AS "lastRuns", s.failures AS "lastFailures",
      EXISTS (SELECT 1 FROM alerts a WHERE a.row_id = e.row_id AND a.resolved_at IS NULL) AS "hasOpenAlert"
    FROM executions e
    LEFT JOIN row_expectations x ON x.row_id = e.row_id
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS n, count(*) FILTER (WHERE p.status IN ('FAILURE', 'INTERRUPTED'))::int AS failures
      FROM (SELECT status FROM executions p WHERE p.row_id = e.row_id AND p.status NOT IN ('IN_PROGRESS', 'CANCELLED')
            ORDER BY p.id DESC LIMIT coalesce(x.failures_before_alert, 1)) p
    ) s
    WHERE e.id = ${executionId}`;
  return f;
}

/**
 * A run may end on the fast path (one statement, no transaction, no onFinished) only when nothing
 * about alerts can change: it is not a failure, its row has no open alert and no minimum duration.
 * A condition on `e` (executions) and `r` (job_rows), for db/queries/executions.ts.
 */
export function endsQuietly(sql: AnySql, status: string) {
  if (status === 'FAILURE' || status === 'INTERRUPTED') return sql`false`;
  return nothingToSettle(sql);
}

/** endsQuietly for runs whose statuses are a column (`status`: an execution_status expression). */
export function endsQuietlyWith(sql: AnySql, status: postgres.Fragment) {
  return sql`(${status} NOT IN ('FAILURE', 'INTERRUPTED') AND ${nothingToSettle(sql)})`;
}

const nothingToSettle = (sql: AnySql) => sql`NOT EXISTS (SELECT 1 FROM alerts qa WHERE qa.row_id = r.id AND qa.resolved_at IS NULL)
    AND NOT EXISTS (SELECT 1 FROM row_expectations qx WHERE qx.row_id = r.id AND qx.min_duration_seconds IS NOT NULL)`;

export type AlertListFilter = { open?: boolean; kinds?: AlertKind[]; domain?: string; jobId?: string; rowId?: string };

/** Newest first; `afterId`: the last id of the previous page. */
export async function listAlerts(sql: AnySql, scope: DbScope, f: AlertListFilter & { first: number; afterId?: number }) {
  const where = sql`${alertScope(sql, scope)}
    ${f.open === true ? sql`AND a.resolved_at IS NULL` : f.open === false ? sql`AND a.resolved_at IS NOT NULL` : sql``}
    ${f.kinds?.length ? sql`AND a.kind = ANY(${f.kinds}::alert_kind[])` : sql``}
    ${f.domain ? sql`AND a.domain = ${f.domain}` : sql``}
    ${f.jobId ? sql`AND a.job_id = ${f.jobId}` : sql``}
    ${f.rowId ? sql`AND a.row_id = ${f.rowId}` : sql``}`;
  const rows = await sql<AlertRecord[]>`
    SELECT ${ALERT_COLUMNS(sql)} FROM alerts a WHERE ${where} ${f.afterId !== undefined ? sql`AND a.id < ${f.afterId}` : sql``}
    ORDER BY a.id DESC LIMIT ${f.first + 1}`;
  const [count] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM alerts a WHERE ${where}`;
  return { rows: [...rows], totalCount: count!.n };
}

export async function findAlerts(sql: AnySql, scope: DbScope, ids: number[]) {
  if (!ids.length) return [];
  return [...(await sql<AlertRecord[]>`SELECT ${ALERT_COLUMNS(sql)} FROM alerts a WHERE a.id = ANY(${ids}::bigint[]) AND ${alertScope(sql, scope)}`)];
}

/** The open alerts of many rows (the jobs list's icons), oldest first per row. */
export async function openAlertsOfRows(sql: AnySql, rowIds: string[]) {
  if (!rowIds.length) return [];
  return [...(await sql<AlertRecord[]>`
    SELECT ${ALERT_COLUMNS(sql)} FROM alerts a WHERE a.row_id = ANY(${rowIds}::uuid[]) AND a.resolved_at IS NULL ORDER BY a.id`)];
}

/** Marks an alert in scope acknowledged (once: the first acknowledgement stays); undefined when not in scope. */
export async function acknowledgeAlert(sql: AnySql, scope: DbScope, id: number, by: string) {
  const [row] = await sql<AlertRecord[]>`
    UPDATE alerts a SET acknowledged_at = coalesce(a.acknowledged_at, now()), acknowledged_by = coalesce(a.acknowledged_by, ${by})
    WHERE a.id = ${id} AND ${alertScope(sql, scope)}
    RETURNING ${ALERT_COLUMNS(sql)}`;
  if (row) await sql`SELECT pg_notify('jobdeck_alert', ${String(row.id)})`;
  return row;
}

/** Open alerts in scope (the dashboard's tile); a domain narrows it. */
export async function countOpenAlerts(sql: AnySql, scope: DbScope, domain?: string) {
  const [r] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM alerts a WHERE a.resolved_at IS NULL AND ${alertScope(sql, scope)}
      ${domain ? sql`AND a.domain = ${domain}` : sql``}`;
  return r!.n;
}
