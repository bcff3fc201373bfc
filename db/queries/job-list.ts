import type { Sql } from '../client';
import { EXEC_COLUMNS, type ExecutionRecord } from './executions';
import { ROW_COLUMNS, type RowRecord } from './rows';

export type RowListFilter = {
  statuses?: string[];
  neverRun?: boolean;
  /** Matches part of jobId; descriptionMatches lists job ids whose description matched (the catalog holds descriptions). */
  text?: string;
  descriptionMatches?: string[];
  domain?: string;
  kind?: 'GLOBAL' | 'PER_DOMAIN';
};

export type RowWithRead = RowRecord & { hasUnreadLogs: boolean };

/**
 * One page of rows in (jobId, domain) order, with the viewer's read state, the count and the rows'
 * last executions: three queries sent at once (one round trip), whatever the page size.
 */
export async function listRows(
  sql: Sql,
  scope: ReturnType<typeof sql>,
  userId: string,
  f: RowListFilter,
  page: { first: number; after?: [string, string] },
) {
  // last_status is kept on the row (trigger executions_last_status): no join with executions to filter or count.
  const statusCond = f.statuses?.length
    ? f.neverRun
      ? sql`AND (r.last_status = ANY(${f.statuses}::execution_status[]) OR r.last_execution_id IS NULL)`
      : sql`AND r.last_status = ANY(${f.statuses}::execution_status[])`
    : f.neverRun
      ? sql`AND r.last_execution_id IS NULL`
      : sql``;
  const where = sql`r.in_catalog AND ${scope}
    ${statusCond}
    ${f.text ? sql`AND (strpos(lower(r.job_id), lower(${f.text})) > 0 OR r.job_id = ANY(${f.descriptionMatches ?? []}::text[]))` : sql``}
    ${f.domain ? sql`AND r.domain = ${f.domain}` : sql``}
    ${f.kind ? sql`AND r.kind = ${f.kind}` : sql``}`;
  const join = sql`LEFT JOIN executions e ON e.id = r.last_execution_id`;
  const after = page.after ? sql`AND (r.job_id, r.domain) > (${page.after[0]}, ${page.after[1]})` : sql``;
  const [nodes, [count], lastExecutions] = await Promise.all([
    sql<RowWithRead[]>`
      SELECT ${ROW_COLUMNS(sql)},
        (e.id IS NOT NULL AND e.last_seq > 0 AND (lr.user_id IS NULL OR lr.execution_id < e.id OR (lr.execution_id = e.id AND lr.seq < e.last_seq))) AS "hasUnreadLogs"
      FROM job_rows r ${join}
      LEFT JOIN log_reads lr ON lr.user_id = ${userId} AND lr.row_id = r.id
      WHERE ${where} ${after}
      ORDER BY r.job_id, r.domain LIMIT ${page.first + 1}`,
    sql<{ n: number }[]>`SELECT count(*)::int AS n FROM job_rows r WHERE ${where}`,
    // The same page's last executions (a row changed in between is read again by the loader).
    sql<ExecutionRecord[]>`
      SELECT ${EXEC_COLUMNS(sql)} FROM executions e
      WHERE e.id IN (SELECT r.last_execution_id FROM job_rows r WHERE ${where} ${after} ORDER BY r.job_id, r.domain LIMIT ${page.first})`,
  ]);
  return { nodes, totalCount: count!.n, lastExecutions };
}

export async function unreadFor(sql: Sql, userId: string, rowIds: string[]) {
  const rows = await sql<{ id: string; unread: boolean }[]>`
    SELECT r.id, (e.id IS NOT NULL AND e.last_seq > 0 AND (lr.user_id IS NULL OR lr.execution_id < e.id OR (lr.execution_id = e.id AND lr.seq < e.last_seq))) AS unread
    FROM job_rows r LEFT JOIN executions e ON e.id = r.last_execution_id
    LEFT JOIN log_reads lr ON lr.user_id = ${userId} AND lr.row_id = r.id
    WHERE r.id = ANY(${rowIds}::uuid[])`;
  return new Map(rows.map((r) => [r.id, r.unread]));
}
