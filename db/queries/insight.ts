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

/** The dashboard's numbers in the scope (and one domain when asked), in one round trip. */
export async function overviewCounts(sql: Sql, scope: DbScope, domain?: string): Promise<OverviewCounts> {
  const rowScope = sql`${scopeCondition(sql, scope, sql`r.domain`)} ${domain ? sql`AND r.domain = ${domain}` : sql``}`;
  const execScope = sql`${scopeCondition(sql, scope, sql`e.domain`)} ${domain ? sql`AND e.domain = ${domain}` : sql``}`;
  const [[now], byStatus] = await Promise.all([
    sql<Omit<OverviewCounts, 'rowsByStatus'>[]>`
      SELECT
        (SELECT count(*)::int FROM executions e WHERE e.status = 'IN_PROGRESS' AND e.owner IS NOT NULL AND ${execScope}) AS running,
        (SELECT count(*)::int FROM executions e WHERE e.status = 'IN_PROGRESS' AND e.owner IS NULL AND ${execScope}) AS waiting,
        count(*) FILTER (WHERE e.status = 'SUCCESS')::int AS "succeededLast24h",
        count(*) FILTER (WHERE e.status = 'WARNING')::int AS "warningsLast24h",
        count(*) FILTER (WHERE e.status IN ('FAILURE', 'INTERRUPTED'))::int AS "failedLast24h"
      FROM executions e WHERE e.started_at > now() - interval '24 hours' AND ${execScope}`,
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
