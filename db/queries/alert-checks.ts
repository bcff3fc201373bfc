/**
 * The periodic checks behind MISSED, TOO_LONG and NO_WORKER (jobs/alerts/monitor.ts). Every
 * comparison is on the database clock; each statement opens or resolves at most a bounded batch.
 */
import type postgres from 'postgres';
import { ALERT_COLUMNS, type AlertRecord } from './alerts';

type AnySql = postgres.Sql | postgres.TransactionSql;

/** A fixed key: one process at a time runs the checks (the others skip their turn). */
const CHECKS_LOCK = 7_316_016;
const BATCH = 1000;

/** Takes the checks' lock for the rest of the transaction; false when another process holds it. */
export async function takeChecksLock(sql: AnySql) {
  const [r] = await sql<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${CHECKS_LOCK}) AS ok`;
  return !!r?.ok;
}

const notPaused = (sql: AnySql) => sql`NOT EXISTS (SELECT 1 FROM scheduling_pauses p WHERE p.domain = '*' OR p.domain = r.domain)`;

/**
 * MISSED: rows whose pending occurrence is more than their grace in the past (nobody consumed it:
 * no worker, or none free) while their scheduling is not paused. Opens one alert per such row.
 */
export async function openMissed(sql: AnySql) {
  return [...(await sql<AlertRecord[]>`
    INSERT INTO alerts AS a (kind, row_id, job_id, domain, occurrence_at, message, snoozed)
    SELECT 'MISSED', r.id, r.job_id, r.domain, r.next_run_at,
      r.job_id || ' in ' || r.domain || ': the run due at ' || to_char(r.next_run_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') ||
        ' UTC had not started ' || coalesce(x.grace_seconds, 60) || ' s later.',
      coalesce(x.snoozed_until > now(), false)
    FROM job_rows r LEFT JOIN row_expectations x ON x.row_id = r.id
    WHERE r.in_catalog AND r.next_run_at IS NOT NULL AND r.next_run_at < now()
      AND r.next_run_at < now() - make_interval(secs => coalesce(x.grace_seconds, 60))
      AND ${notPaused(sql)}
      AND NOT EXISTS (SELECT 1 FROM alerts o WHERE o.row_id = r.id AND o.kind = 'MISSED' AND o.resolved_at IS NULL)
      -- A row that ran since (executeNow) did not go unnoticed: its run resolved the alert.
      AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.row_id = r.id AND e.created_at >= r.next_run_at)
    ORDER BY r.next_run_at LIMIT ${BATCH}
    ON CONFLICT (row_id, kind) WHERE resolved_at IS NULL AND row_id IS NOT NULL DO NOTHING
    RETURNING ${ALERT_COLUMNS(sql)}`)];
}

/**
 * A MISSED alert resolves once its occurrence is no longer pending (the row ran it, or skipped it
 * while paused or busy, or its plan moved on) or once the row ran at all since it was due.
 */
export async function resolveMissed(sql: AnySql) {
  return [...(await sql<AlertRecord[]>`
    UPDATE alerts a SET resolved_at = now()
    WHERE a.id IN (
      SELECT o.id FROM alerts o
      WHERE o.kind = 'MISSED' AND o.resolved_at IS NULL AND o.row_id IS NOT NULL
        AND (NOT EXISTS (SELECT 1 FROM job_rows r WHERE r.id = o.row_id AND r.next_run_at = o.occurrence_at AND r.in_catalog)
          OR EXISTS (SELECT 1 FROM executions e WHERE e.row_id = o.row_id AND e.created_at >= o.occurrence_at))
      LIMIT ${BATCH})
    RETURNING ${ALERT_COLUMNS(sql)}`)];
}

/**
 * TOO_LONG: runs in progress past their row's maxDurationSeconds, or, without one, past 3 × the
 * 95th percentile of the row's last 20 successful runs and at least 60 s (rows that never
 * succeeded have no implicit limit).
 */
export async function openTooLong(sql: AnySql) {
  return [...(await sql<AlertRecord[]>`
    WITH running AS (
      SELECT e.id, e.row_id, e.started_at, x.max_duration_seconds AS explicit
      FROM executions e LEFT JOIN row_expectations x ON x.row_id = e.row_id
      WHERE e.status = 'IN_PROGRESS' AND e.owner IS NOT NULL
        AND e.started_at < now() - make_interval(secs => coalesce(x.max_duration_seconds, 60))
        AND NOT EXISTS (SELECT 1 FROM alerts o WHERE o.row_id = e.row_id AND o.kind = 'TOO_LONG' AND o.resolved_at IS NULL)
      ORDER BY e.started_at LIMIT ${BATCH}
    ), limited AS (
      SELECT g.*, coalesce(g.explicit::float8, (
        SELECT CASE WHEN count(*) = 0 THEN NULL ELSE greatest(60, 3 * percentile_cont(0.95) WITHIN GROUP (ORDER BY s.d)) END
        FROM (SELECT extract(epoch FROM p.ended_at - p.started_at)::float8 AS d FROM executions p
              WHERE p.row_id = g.row_id AND p.status IN ('SUCCESS', 'WARNING') AND p.ended_at IS NOT NULL
              ORDER BY p.id DESC LIMIT 20) s)) AS limit_s
      FROM running g
    )
    INSERT INTO alerts AS a (kind, row_id, job_id, domain, execution_id, message, snoozed)
    SELECT 'TOO_LONG', r.id, r.job_id, r.domain, l.id,
      r.job_id || ' in ' || r.domain || ': execution ' || l.id || ' has been running for more than ' || round(l.limit_s)::bigint || ' s' ||
        CASE WHEN l.explicit IS NULL THEN ' (3 × its usual 95th percentile).' ELSE ' (its maximum duration).' END,
      coalesce(x.snoozed_until > now(), false)
    FROM limited l JOIN job_rows r ON r.id = l.row_id LEFT JOIN row_expectations x ON x.row_id = r.id
    WHERE l.limit_s IS NOT NULL AND l.started_at < now() - make_interval(secs => l.limit_s)
    ON CONFLICT (row_id, kind) WHERE resolved_at IS NULL AND row_id IS NOT NULL DO NOTHING
    RETURNING ${ALERT_COLUMNS(sql)}`)];
}

/** TOO_LONG alerts whose run is no longer in progress (its end resolves them; this catches the rest). */
export async function resolveEndedTooLong(sql: AnySql) {
  return [...(await sql<AlertRecord[]>`
    UPDATE alerts a SET resolved_at = now()
    WHERE a.kind = 'TOO_LONG' AND a.resolved_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.id = a.execution_id AND e.status = 'IN_PROGRESS')
    RETURNING ${ALERT_COLUMNS(sql)}`)];
}

/**
 * The fleet's state for NO_WORKER: whether a worker is alive now (heartbeat within the lease, not
 * stopped), whether any was alive in the last lease (a killed or stopped one still counts until
 * then), and whether work is waiting: a queued run, or an occurrence due while not paused.
 */
export async function fleetState(sql: AnySql, leaseSeconds: number) {
  const [s] = await sql<{ aliveNow: boolean; aliveWithinLease: boolean; workWaiting: boolean }[]>`
    SELECT
      EXISTS (SELECT 1 FROM workers WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => ${leaseSeconds})) AS "aliveNow",
      EXISTS (SELECT 1 FROM workers WHERE heartbeat_at > now() - make_interval(secs => ${leaseSeconds})
              AND (stopped_at IS NULL OR stopped_at > now() - make_interval(secs => ${leaseSeconds}))) AS "aliveWithinLease",
      (EXISTS (SELECT 1 FROM executions WHERE status = 'IN_PROGRESS' AND owner IS NULL)
        OR EXISTS (SELECT 1 FROM job_rows r WHERE r.in_catalog AND r.next_run_at IS NOT NULL AND r.next_run_at <= now() AND ${notPaused(sql)})) AS "workWaiting"`;
  return s!;
}

export async function openNoWorker(sql: AnySql, message: string) {
  const [row] = await sql<AlertRecord[]>`
    INSERT INTO alerts AS a (kind, message) VALUES ('NO_WORKER', ${message})
    ON CONFLICT (kind) WHERE resolved_at IS NULL AND row_id IS NULL DO NOTHING
    RETURNING ${ALERT_COLUMNS(sql)}`;
  return row;
}

export async function resolveNoWorker(sql: AnySql) {
  return [...(await sql<AlertRecord[]>`
    UPDATE alerts a SET resolved_at = now() WHERE a.kind = 'NO_WORKER' AND a.row_id IS NULL AND a.resolved_at IS NULL
    RETURNING ${ALERT_COLUMNS(sql)}`)];
}
