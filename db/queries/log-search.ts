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

/** Lines per search chunk (log_search). */
export const CHUNK_LINES = 100;

/** `text` as a LIKE pattern that matches it literally: %, _ and \ are escaped. */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Log lines containing `text` (case-insensitive, literal), newest first: by execution id, then by
 * line, both descending, so one (execution_id, seq) cursor pages through them. Two parts:
 *  - lines already in log_search (up to each execution's search_seq): chunks found through the
 *    trigram index (a rare text) or by walking chunks newest first (a common one), then the
 *    matching lines of those chunks;
 *  - lines past search_seq (a run still writing, one the indexer has not reached): read directly,
 *    few by construction (executions_search_pending_idx).
 * Run it under withScope(…, { statementTimeoutMs }): a search that can use neither way is cut
 * short instead of hurting other users.
 */
export async function searchLogEntries(sql: Sql, scope: DbScope, f: LogSearchFilter, page: { first: number; after?: { executionId: number; seq: number } }) {
  const pattern = likePattern(f.text);
  const execConditions = [
    scopeCondition(sql, scope, sql`e.domain`),
    f.jobId ? sql`e.job_id = ${f.jobId}` : null,
    f.domain ? sql`e.domain = ${f.domain}` : null,
    f.startedAfter ? sql`e.started_at >= ${f.startedAfter}` : null,
    f.startedBefore ? sql`e.started_at < ${f.startedBefore}` : null,
  ].filter((c) => c !== null);
  const where = execConditions.reduce((acc, c) => sql`${acc} AND ${c}`);
  const levels = f.levels?.length ? sql`AND l.level = ANY(${f.levels}::log_level[])` : sql``;
  const after = page.after;
  const limit = page.first + 1;
  return sql<LogHitRecord[]>`
    SELECT "executionId", seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, level, message FROM (
      (SELECT l.execution_id::int AS "executionId", l.seq, l.at, l.level, l.message
       FROM log_search c
       JOIN executions e ON e.id = c.execution_id
       JOIN log_entries l ON l.execution_id = c.execution_id AND l.seq BETWEEN c.first_seq AND c.last_seq
       WHERE c.body ILIKE ${pattern} AND l.message ILIKE ${pattern} AND l.seq <= e.search_seq ${levels}
         ${after ? sql`AND (c.execution_id, c.first_seq) <= (${after.executionId}, ${after.seq}) AND (l.execution_id, l.seq) < (${after.executionId}, ${after.seq})` : sql``}
         AND ${where}
       ORDER BY c.execution_id DESC, c.first_seq DESC, l.seq DESC
       LIMIT ${limit})
      UNION ALL
      (SELECT l.execution_id::int, l.seq, l.at, l.level, l.message
       FROM executions e
       JOIN log_entries l ON l.execution_id = e.id AND l.seq > e.search_seq
       WHERE e.search_seq < e.last_seq AND l.message ILIKE ${pattern} ${levels}
         ${after ? sql`AND (l.execution_id, l.seq) < (${after.executionId}, ${after.seq})` : sql``}
         AND ${where}
       ORDER BY l.execution_id DESC, l.seq DESC
       LIMIT ${limit})
    ) hits
    ORDER BY "executionId" DESC, seq DESC
    LIMIT ${limit}`;
}

/**
 * One pass of the search indexer: lines of up to `executions` executions past their search_seq go
 * into log_search, in chunks of CHUNK_LINES, at most `maxLines` lines per execution per pass. A run
 * still writing is indexed once `liveBacklog` lines wait, by whole chunks only (its last, growing
 * chunk waits); an ended one to its last line. One indexer at a time across every process (a transaction-level advisory lock);
 * no row lock is held while chunks are built, so a log writer never waits for it.
 * Answers how many lines it indexed (0: nothing to do, or another indexer is at work).
 */
export async function indexSearchChunks(sql: Sql, o: { executions: number; maxLines: number; liveBacklog: number }) {
  const [r] = await sql<{ lines: number }[]>`
    WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtext('jobdeck.search-indexer')) AS got),
    todo AS (
      SELECT e.id, e.search_seq AS from_seq,
             least(CASE WHEN e.status = 'IN_PROGRESS' THEN (e.last_seq / ${CHUNK_LINES}) * ${CHUNK_LINES} ELSE e.last_seq END,
                   (e.search_seq / ${CHUNK_LINES}) * ${CHUNK_LINES} + ${o.maxLines}) AS to_seq
      FROM executions e, lock
      WHERE lock.got AND e.search_seq < e.last_seq
        -- A run still writing is left alone until it has written liveBacklog lines past the index
        -- (a search reads that many directly in a few tens of milliseconds): a burst of logging
        -- never shares the machine with its own indexing.
        AND (e.status <> 'IN_PROGRESS' OR e.last_seq - e.search_seq >= ${o.liveBacklog})
      ORDER BY e.id
      LIMIT ${o.executions}
    ),
    chunks AS (
      INSERT INTO log_search (execution_id, first_seq, last_seq, body)
      SELECT l.execution_id, min(l.seq), max(l.seq), string_agg(l.message, E'\\n' ORDER BY l.seq)
      FROM todo t JOIN log_entries l
        ON l.execution_id = t.id AND l.seq > (t.from_seq / ${CHUNK_LINES}) * ${CHUNK_LINES} AND l.seq <= t.to_seq
      WHERE t.to_seq > t.from_seq
      GROUP BY l.execution_id, (l.seq - 1) / ${CHUNK_LINES}
      ON CONFLICT (execution_id, first_seq) DO UPDATE SET last_seq = excluded.last_seq, body = excluded.body
      RETURNING last_seq - first_seq + 1 AS n
    ),
    moved AS (
      UPDATE executions e SET search_seq = t.to_seq FROM todo t
      WHERE e.id = t.id AND t.to_seq > t.from_seq
      RETURNING t.to_seq - t.from_seq AS n
    )
    SELECT coalesce((SELECT sum(n) FROM moved), 0)::int AS lines, (SELECT count(*) FROM chunks) AS chunks`;
  return r?.lines ?? 0;
}
