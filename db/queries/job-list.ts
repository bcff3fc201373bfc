import type { Sql } from '../client';
import { LAST_EXEC_BRIEF_COLUMNS, LAST_EXEC_COLUMNS, readBriefLastExecution, readLastExecution, type BriefExecution, type ExecutionRecord } from './executions';
import { ROW_COLUMNS, type RowRecord } from './rows';

export type RowListFilter = {
  statuses?: string[];
  neverRun?: boolean;
  /** Matches part of jobId; descriptionMatches lists job ids whose description matched (the catalog holds descriptions). */
  text?: string;
  descriptionMatches?: string[];
  domain?: string;
  kind?: 'GLOBAL' | 'PER_DOMAIN';
  /** Exactly this job id, every domain. */
  jobId?: string;
};

/**
 * A listed row: its read state, its sort key and (when it has one) its last execution, read with it
 * (in full, or brief when the page was asked `brief`).
 */
export type RowWithRead = RowRecord & { hasUnreadLogs: boolean; sortKey: RowSortKey; lastExecution?: ExecutionRecord | BriefExecution };

export type RowOrderField = 'JOB' | 'DOMAIN' | 'LAST_EXECUTION' | 'NEXT_RUN';
export type RowOrder = { field: RowOrderField; desc: boolean };
/**
 * A page's position: the sort key of its last row, as text (timestamps and bigints round-trip exactly).
 * It goes back as a text parameter cast in SQL: postgres.js would serialize a timestamptz parameter
 * through Date, which knows no 'infinity' and drops microseconds.
 */
export type RowSortKey = [string, string];

/**
 * The two expressions a page is sorted and cut by, as a unique key. Nullable columns are coalesced to
 * a sentinel past every value, so rows without one come last in both directions and the keyset is a
 * plain row comparison. The last execution sorts by its id: ids are handed out as executions open,
 * and the id lives on the row (no join with executions).
 */
function sortKey(sql: Sql, o: RowOrder) {
  switch (o.field) {
    case 'JOB':
      return { a: sql`r.job_id`, b: sql`r.domain`, casts: [sql`::text`, sql`::text`] };
    case 'DOMAIN':
      return { a: sql`r.domain`, b: sql`r.job_id`, casts: [sql`::text`, sql`::text`] };
    case 'LAST_EXECUTION':
      return {
        a: o.desc ? sql`coalesce(r.last_execution_id, -1)` : sql`coalesce(r.last_execution_id, 9223372036854775807)`,
        b: sql`r.id`,
        casts: [sql`::text::bigint`, sql`::text::uuid`],
      };
    case 'NEXT_RUN':
      return {
        a: o.desc ? sql`coalesce(r.next_run_at, '-infinity'::timestamptz)` : sql`coalesce(r.next_run_at, 'infinity'::timestamptz)`,
        b: sql`r.id`,
        casts: [sql`::text::timestamptz`, sql`::text::uuid`],
      };
  }
}

/**
 * One page of rows in the order asked ((jobId, domain) by default), with the viewer's read state,
 * the count and the rows' last executions: one statement, whatever the page size. (Three statements
 * sent at once cost three connections' round trips, each waking its own backend: ~1 ms of a 3 ms page.)
 */
export async function listRows(
  sql: Sql,
  scope: ReturnType<typeof sql>,
  userId: string,
  f: RowListFilter,
  page: { first: number; after?: RowSortKey; order?: RowOrder; count?: boolean; brief?: boolean },
) {
  const order = page.order ?? { field: 'JOB', desc: false };
  const key = sortKey(sql, order);
  const dir = order.desc ? sql`DESC` : sql`ASC`;
  const orderBy = sql`ORDER BY ${key.a} ${dir}, ${key.b} ${dir}`;
  const where = rowListWhere(sql, scope, f);
  const after = page.after
    ? sql`AND (${key.a}, ${key.b}) ${order.desc ? sql`<` : sql`>`} (${page.after[0]}${key.casts[0]!}, ${page.after[1]}${key.casts[1]!})`
    : sql``;
  // Counting 100,000 rows costs more than the page itself: left out for callers that do not show it (upcoming).
  const count = page.count === false ? sql`-1` : sql`(SELECT count(*)::int FROM job_rows r WHERE ${where})`;
  // The page is cut from job_rows alone, then joined: joined first, PostgreSQL hashed all 1,000,000
  // executions to sort 10,000 rows by next run (360 ms a page; an index cut it otherwise). A page
  // with no row still answers the count: the page is right-joined to it.
  const rows = await sql<(RowWithRead & { totalCount: number; id: string | null; sortA: string; sortB: string })[]>`
    SELECT ${ROW_COLUMNS(sql)}, ${page.brief ? LAST_EXEC_BRIEF_COLUMNS(sql) : LAST_EXEC_COLUMNS(sql)},
      (e.id IS NOT NULL AND e.last_seq > 0 AND (lr.user_id IS NULL OR lr.execution_id < e.id OR (lr.execution_id = e.id AND lr.seq < e.last_seq))) AS "hasUnreadLogs",
      ${key.a}::text AS "sortA", ${key.b}::text AS "sortB", c.n AS "totalCount"
    FROM (${pageRows(sql, scope, f, order, { where, after, orderBy, limit: page.first + 1 })}) r
      LEFT JOIN executions e ON e.id = r.last_execution_id
      LEFT JOIN log_reads lr ON lr.user_id = ${userId} AND lr.row_id = r.id
      RIGHT JOIN (SELECT ${count} AS n) c ON true
    ${orderBy}`;
  const nodes: RowWithRead[] = [];
  const lastExecutions: ExecutionRecord[] = [];
  for (const row of rows) {
    if (row.id == null) continue; // the count alone: no row matched
    // Two text columns, not a text[] postgres.js would parse.
    row.sortKey = [row.sortA, row.sortB];
    nodes.push(row);
    if (page.brief) {
      row.lastExecution = readBriefLastExecution(row);
      continue;
    }
    const e = readLastExecution(row);
    if (e) {
      row.lastExecution = e;
      lastExecutions.push(e);
    }
  }
  return { nodes, totalCount: rows[0]?.totalCount ?? 0, lastExecutions };
}

type Frag = ReturnType<typeof rowListWhere>;
/**
 * The page's rows from job_rows, before any join. In the default order with a status filter, one
 * ordered read per status (the last_status index is ordered by job and domain within a status),
 * merged: walking the job order and testing each row's status read 115,000 rows for a page of
 * failures among 160,000 rows (44 ms) when the failures sort last.
 */
function pageRows(
  sql: Sql,
  scope: ReturnType<typeof sql>,
  f: RowListFilter,
  order: RowOrder,
  p: { where: Frag; after: Frag; orderBy: Frag; limit: number },
) {
  const statuses = [...new Set(f.statuses ?? [])];
  if (order.field !== 'JOB' || f.neverRun || !statuses.length)
    return sql`SELECT r.* FROM job_rows r WHERE ${p.where} ${p.after} ${p.orderBy} LIMIT ${p.limit}`;
  const rest = rowListWhere(sql, scope, { ...f, statuses: undefined });
  const one = (s: string) => sql`(SELECT r.* FROM job_rows r WHERE ${rest} AND r.last_status = ${s}::execution_status ${p.after} ${p.orderBy} LIMIT ${p.limit})`;
  const branches = statuses.slice(1).reduce((acc, s) => sql`${acc} UNION ALL ${one(s)}`, one(statuses[0]!));
  return sql`SELECT r.* FROM (${branches}) r ${p.orderBy} LIMIT ${p.limit}`;
}

/**
 * The rows a filter matches, in a scope (alias r): the jobs list's WHERE, and what a bulk
 * operation's filter selects (updateJobs, executeSelection), so both mean the same rows.
 */
export function rowListWhere(sql: Sql, scope: ReturnType<typeof sql>, f: RowListFilter) {
  // last_status is kept on the row (trigger executions_last_status): no join with executions to filter or count.
  const statusCond = f.statuses?.length
    ? f.neverRun
      ? sql`AND (r.last_status = ANY(${f.statuses}::execution_status[]) OR r.last_execution_id IS NULL)`
      : sql`AND r.last_status = ANY(${f.statuses}::execution_status[])`
    : f.neverRun
      ? sql`AND r.last_execution_id IS NULL`
      : sql``;
  return sql`r.in_catalog AND ${scope}
    ${statusCond}
    ${f.text ? sql`AND (strpos(lower(r.job_id), lower(${f.text})) > 0 OR strpos(lower(r.domain), lower(${f.text})) > 0 OR r.job_id = ANY(${f.descriptionMatches ?? []}::text[]))` : sql``}
    ${f.domain ? sql`AND r.domain = ${f.domain}` : sql``}
    ${f.kind ? sql`AND r.kind = ${f.kind}` : sql``}
    ${f.jobId !== undefined ? sql`AND r.job_id = ${f.jobId}` : sql``}`;
}

/** What a bulk operation needs of each selected row. */
export type SelectedRow = Pick<RowRecord, 'id' | 'jobId' | 'domain' | 'parameterDefaults'>;

/** Every row the filter matches in the scope, or the first `limit` (the caller asks one more to tell there are more). */
export async function rowsMatching(sql: Sql, scope: ReturnType<typeof sql>, f: RowListFilter, limit?: number) {
  return sql<SelectedRow[]>`
    SELECT r.id, r.job_id AS "jobId", r.domain, r.parameter_defaults AS "parameterDefaults"
    FROM job_rows r WHERE ${rowListWhere(sql, scope, f)} ${limit === undefined ? sql`` : sql`LIMIT ${limit}`}`;
}

export async function unreadFor(sql: Sql, userId: string, rowIds: string[]) {
  const rows = await sql<{ id: string; unread: boolean }[]>`
    SELECT r.id, (e.id IS NOT NULL AND e.last_seq > 0 AND (lr.user_id IS NULL OR lr.execution_id < e.id OR (lr.execution_id = e.id AND lr.seq < e.last_seq))) AS unread
    FROM job_rows r LEFT JOIN executions e ON e.id = r.last_execution_id
    LEFT JOIN log_reads lr ON lr.user_id = ${userId} AND lr.row_id = r.id
    WHERE r.id = ANY(${rowIds}::uuid[])`;
  return new Map(rows.map((r) => [r.id, r.unread]));
}
