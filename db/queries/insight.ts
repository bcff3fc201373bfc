import type { Sql } from '../client';
import type { ExecStatus } from './executions';
import { scopeCondition, type DbScope } from '../scope';

export type OverviewCounts = {
  running: number;
  waiting: number;
  succeededLast24h: number;
  warningsLast24h: number;
  failedLast24h: number;
  rowsByStatus: { status: ExecStatus | null; count: number }[];
};

/**
 * The dashboard's numbers in the scope (and one domain when asked), in one round trip. A supervisor of
 * every domain reads the last 24 hours from execution_hour_counts (the hours wholly inside the window)
 * plus the executions of the one hour the window starts in; a narrower viewer counts his domains'
 * executions (executions_domain_started_idx).
 */
export async function overviewCounts(sql: Sql, scope: DbScope, domain?: string): Promise<OverviewCounts> {
  const rowScope = sql`${scopeCondition(sql, scope, sql`r.domain`)} ${domain ? sql`AND r.domain = ${domain}` : sql``}`;
  const execScope = sql`${scopeCondition(sql, scope, sql`e.domain`)} ${domain ? sql`AND e.domain = ${domain}` : sql``}`;
  const live = sql`
    (SELECT count(*)::int FROM executions e WHERE e.status = 'IN_PROGRESS' AND e.owner IS NOT NULL AND ${execScope}) AS running,
    (SELECT count(*)::int FROM executions e WHERE e.status = 'IN_PROGRESS' AND e.owner IS NULL AND ${execScope}) AS waiting`;
  const day = scope.all && !domain
    ? sql`
      WITH edge AS (SELECT now() - interval '24 hours' AS since, date_trunc('hour', now() - interval '24 hours') + interval '1 hour' AS full_from),
      counted AS (
        SELECT c.status, c.n::bigint AS n FROM execution_hour_counts c, edge
        WHERE c.hour >= edge.full_from AND c.domain = ANY(${scope.global ? ['*', 'global'] : ['*']}::text[])
        UNION ALL
        SELECT e.status, 1 FROM executions e, edge
        WHERE e.started_at > edge.since AND e.started_at < edge.full_from AND e.status <> 'IN_PROGRESS' AND ${execScope}
      )
      SELECT ${live},
        coalesce(sum(n) FILTER (WHERE status = 'SUCCESS'), 0)::int AS "succeededLast24h",
        coalesce(sum(n) FILTER (WHERE status = 'WARNING'), 0)::int AS "warningsLast24h",
        coalesce(sum(n) FILTER (WHERE status IN ('FAILURE', 'INTERRUPTED')), 0)::int AS "failedLast24h"
      FROM counted`
    : sql`
      SELECT ${live},
        count(*) FILTER (WHERE e.status = 'SUCCESS')::int AS "succeededLast24h",
        count(*) FILTER (WHERE e.status = 'WARNING')::int AS "warningsLast24h",
        count(*) FILTER (WHERE e.status IN ('FAILURE', 'INTERRUPTED'))::int AS "failedLast24h"
      FROM executions e WHERE e.started_at > now() - interval '24 hours' AND ${execScope}`;
  const [[now], byStatus] = await Promise.all([
    sql<Omit<OverviewCounts, 'rowsByStatus'>[]>`${day}`,
    sql<{ status: ExecStatus | null; count: number }[]>`
      SELECT r.last_status AS status, count(*)::int AS count FROM job_rows r
      WHERE r.in_catalog AND ${rowScope} GROUP BY r.last_status ORDER BY r.last_status NULLS FIRST`,
  ]);
  return { ...now!, rowsByStatus: byStatus };
}

export type StatsRun = { executionId: number; startedAt: Date; durationMs: number | null; status: Exclude<ExecStatus, 'IN_PROGRESS'> };

/** A row's last `last` ended runs, newest first (the executions_row_id_idx range). */
export async function lastRuns(sql: Sql, rowId: string, last: number) {
  return sql<StatsRun[]>`
    SELECT id::int AS "executionId", started_at AS "startedAt", status,
           (extract(epoch FROM ended_at - started_at) * 1000)::int AS "durationMs"
    FROM executions WHERE row_id = ${rowId} AND status <> 'IN_PROGRESS'
    ORDER BY id DESC LIMIT ${last}`;
}
