import type { Sql } from '../client';
import { scopeCondition, type DbScope } from '../scope';
import type { LogLevel } from './logs';

export type LogSearchFilter = {
  text: string;
  jobId?: string;
  domain?: string;
  levels?: LogLevel[];
  startedAfter?: Date;
  startedBefore?: Date;
};

export type LogHitRecord = { executionId: number; seq: number; at: string; level: LogLevel; message: string };

/** `text` as a LIKE pattern that matches it literally: %, _ and \ are escaped. */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Log lines containing `text` (case-insensitive, literal), newest first: by execution id, then by
 * line, both descending, so one (execution_id, seq) cursor pages through them. Two ways to answer,
 * and PostgreSQL picks by its estimate of how many lines match: a rare text goes through the
 * trigram index (log_entries_message_trgm_idx, migration 0014) and sorts the few hits; a common
 * text walks the primary key backwards from the newest execution and stops at the page's end.
 * Run it under withScope(…, { statementTimeoutMs }): a search that can use neither way is cut
 * short instead of hurting other users.
 */
export async function searchLogEntries(
  sql: Sql,
  scope: DbScope,
  f: LogSearchFilter,
  page: { first: number; after?: { executionId: number; seq: number } },
) {
  const execConditions = [
    scopeCondition(sql, scope, sql`e.domain`),
    f.jobId ? sql`e.job_id = ${f.jobId}` : null,
    f.domain ? sql`e.domain = ${f.domain}` : null,
    f.startedAfter ? sql`e.started_at >= ${f.startedAfter}` : null,
    f.startedBefore ? sql`e.started_at < ${f.startedBefore}` : null,
  ].filter((c) => c !== null);
  const where = execConditions.reduce((acc, c) => sql`${acc} AND ${c}`);
  return sql<LogHitRecord[]>`
    SELECT l.execution_id::int AS "executionId", l.seq,
           to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, l.level, l.message
    FROM log_entries l JOIN executions e ON e.id = l.execution_id
    WHERE l.message ILIKE ${likePattern(f.text)}
      ${f.levels?.length ? sql`AND l.level = ANY(${f.levels}::log_level[])` : sql``}
      ${page.after ? sql`AND (l.execution_id, l.seq) < (${page.after.executionId}, ${page.after.seq})` : sql``}
      AND ${where}
    ORDER BY l.execution_id DESC, l.seq DESC
    LIMIT ${page.first + 1}`;
}
