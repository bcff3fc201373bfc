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

/** Step one of a search looks through this many of the newest chunks (20,000 lines) before the index. */
export const NEWEST_CHUNKS = 200;
/** Executions with unindexed lines handed to a search as a list (beyond: a join). */
const PENDING_LIST = 5000;

type Key = { executionId: number; seq: number };
const before = (a: Key, b: Key) => a.executionId < b.executionId || (a.executionId === b.executionId && a.seq < b.seq);

/**
 * Log lines containing `text` (case-insensitive, literal), newest first: by execution id, then by
 * line, both descending, so one (execution_id, seq) cursor pages through them. Lines come from two
 * places: chunks already in log_search (up to each execution's search_seq), and lines past
 * search_seq read directly (a run still writing, one the indexer has not reached: few, by
 * construction, executions_search_pending_idx).
 * The chunks are looked through in two steps, because no single plan is good for both kinds of
 * text (PostgreSQL, asked in one statement with a LIMIT, walked every chunk for a rare word):
 *  1. the NEWEST_CHUNKS newest chunks (of the executions the filters allow): a common text fills
 *     the page from them, and the answer is exact when the page's last hit is not older than the
 *     oldest chunk looked at (or there were no more chunks);
 *  2. otherwise, every chunk the trigram index finds (a rare text: few), materialised first so that
 *     the plan cannot turn back into a walk.
 * Run it under withScope(…, { statementTimeoutMs }): a search that can use neither way (two
 * letters, no trigram) is cut short instead of hurting other users.
 */
export async function searchLogEntries(sql: Sql, scope: DbScope, f: LogSearchFilter, page: { first: number; after?: Key }, o: { newestChunks?: number; pendingList?: number } = {}) {
  const window = o.newestChunks ?? NEWEST_CHUNKS;
  const listMax = o.pendingList ?? PENDING_LIST;
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
  const chunkCursor = after ? sql`AND (c.execution_id, c.first_seq) <= (${after.executionId}, ${after.seq})` : sql``;
  const lineCursor = after ? sql`AND (l.execution_id, l.seq) < (${after.executionId}, ${after.seq})` : sql``;
  const limit = page.first + 1;
  type Row = LogHitRecord & { oldest: Key | null; looked: number };
  // Executions with lines past the index, read first (executions_search_pending_idx): a few, as a
  // rule, handed to the search as a list, so that their lines are read one execution at a time
  // (PostgreSQL cannot estimate search_seq < last_seq and, given it in the same statement, scanned
  // every log line instead). Past PENDING_LIST of them (just after an upgrade), the plain join.
  const pending = await sql<{ id: number; s: number }[]>`
    SELECT e.id::int AS id, e.search_seq AS s FROM executions e WHERE e.search_seq < e.last_seq AND ${where} LIMIT ${listMax + 1}`;
  const pendingSource =
    pending.length <= listMax
      ? sql`unnest(${pending.map((p) => p.id)}::bigint[], ${pending.map((p) => p.s)}::int[]) AS e(id, search_seq)`
      : sql`(SELECT e.id, e.search_seq FROM executions e WHERE e.search_seq < e.last_seq AND ${where}) e`;
  const hits = (chunks: ReturnType<typeof sql>, window: boolean) => sql<Row[]>`
    WITH chunks AS MATERIALIZED (${chunks}),

    found AS (
      (SELECT l.execution_id::int AS "executionId", l.seq, l.at, l.level, l.message
       FROM chunks c
       JOIN executions e ON e.id = c.execution_id
       JOIN log_entries l ON l.execution_id = c.execution_id AND l.seq BETWEEN c.first_seq AND c.last_seq
       WHERE c.body ILIKE ${pattern} AND l.message ILIKE ${pattern} AND l.seq <= e.search_seq ${levels} ${lineCursor}
       ORDER BY c.execution_id DESC, c.first_seq DESC, l.seq DESC
       LIMIT ${limit})
      UNION ALL
      (SELECT l.execution_id::int, l.seq, l.at, l.level, l.message
       FROM ${pendingSource}
       CROSS JOIN LATERAL (
         SELECT l.execution_id, l.seq, l.at, l.level, l.message FROM log_entries l
         WHERE l.execution_id = e.id AND l.seq > e.search_seq AND l.message ILIKE ${pattern} ${levels} ${lineCursor}
       ) l
       ORDER BY l.execution_id DESC, l.seq DESC
       LIMIT ${limit})
    )
    SELECT "executionId", seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, level, message,
      ${window ? sql`(SELECT json_build_object('executionId', execution_id, 'seq', first_seq) FROM chunks ORDER BY execution_id, first_seq LIMIT 1)` : sql`NULL::json`} AS oldest,
      ${window ? sql`(SELECT count(*)::int FROM chunks)` : sql`0`} AS looked
    FROM found ORDER BY "executionId" DESC, seq DESC LIMIT ${limit}`;

  // 1. The newest chunks.
  const newest = await hits(
    sql`SELECT c.execution_id, c.first_seq, c.last_seq, c.body FROM log_search c JOIN executions e ON e.id = c.execution_id
        WHERE ${where} ${chunkCursor} ORDER BY c.execution_id DESC, c.first_seq DESC LIMIT ${window}`,
    true,
  );
  const last = newest[newest.length - 1];
  const oldest = newest[0]?.oldest;
  const exact = newest.length > 0 && newest[0]!.looked < window; // every chunk was looked at
  if (exact || (newest.length === limit && oldest && !before(last!, oldest))) return newest.map(strip);
  if (newest.length === 0) {
    // No hit at all among the newest: either nothing to look at, or step 2 decides.
    const [any] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM (SELECT 1 FROM log_search c JOIN executions e ON e.id = c.execution_id WHERE ${where} ${chunkCursor} LIMIT ${window}) x`;
    if ((any?.n ?? 0) < window) return [];
  }
  // 2. Every chunk the index finds.
  const all = await hits(
    sql`SELECT c.execution_id, c.first_seq, c.last_seq, c.body FROM log_search c JOIN executions e ON e.id = c.execution_id
        WHERE c.body ILIKE ${pattern} ${chunkCursor} AND ${where}`,
    false,
  );
  return all.map(strip);
}

const strip = ({ oldest: _o, looked: _l, ...hit }: LogHitRecord & { oldest: unknown; looked: number }): LogHitRecord => hit;

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
