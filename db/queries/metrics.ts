import type { Sql } from '../client';

/**
 * Fleet-wide gauges for /metrics, read at scrape time: each count is an index-only or partial-index
 * scan (executions_queued_idx, the in-progress partial unique index, outbox_due_idx).
 */
export async function fleetGauges(sql: Sql, leaseSeconds: number) {
  const [row] = await sql<{ running: number; waiting: number; outboxPending: number; workersAlive: number; alertsOpen: number }[]>`
    SELECT
      (SELECT count(*)::int FROM workers WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => ${leaseSeconds})) AS "workersAlive",
      (SELECT count(*)::int FROM executions WHERE status = 'IN_PROGRESS' AND owner IS NOT NULL) AS running,
      (SELECT count(*)::int FROM executions WHERE status = 'IN_PROGRESS' AND owner IS NULL) AS waiting,
      (SELECT count(*)::int FROM outbox WHERE status = 'PENDING') AS "outboxPending",
      (SELECT count(*)::int FROM alerts WHERE resolved_at IS NULL) AS "alertsOpen"`;
  return row!;
}

/** For /readyz: the database answers, and every migration this code ships has been applied. */
export async function appliedMigrations(sql: Sql) {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
  return row!.n;
}
