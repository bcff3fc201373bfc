import type { Sql } from '../client';
import { endsQuietlyWith } from './alerts';

export type LogLevel = 'PROGRESS' | 'INFO' | 'WARNING' | 'ERROR';
/** `at` is ISO 8601 in UTC with milliseconds, as the API sends it: formatted by PostgreSQL, not parsed into a Date and printed again per entry. */
export type LogRecord = { seq: number; at: string; level: LogLevel; message: string };

/** A batch of a run's entries (consecutive seqs) and the counters it carries, as LogWriter makes them. */
export type LogBatch = { seqs: number[]; /** epoch ms */ ats: number[]; levels: LogLevel[]; messages: string[] };
export type LogDelta = { lastSeq: number; warnings: number; errors: number; dropped: number; progress: number | null };

/**
 * The batch's entries, inserted when the CTE `held` holds the run (consecutive seqs from the first).
 * Columns travel as one text each, split by PostgreSQL (`string_to_table`): times as epoch
 * milliseconds joined by commas, messages joined by newlines, and a level once when every entry has
 * the same. Against JSON arrays of the three, 1.4-1.6 x the rows per second of a flood (measured
 * with 1,000,000 entries in batches of 10,000). Messages go as a JSON array when one of them holds
 * a newline, or when the batch is one empty message (an empty text splits into no rows).
 */
const insertEntries = (sql: Sql, executionId: number | number[], batch: LogBatch, held = sql`EXISTS (SELECT 1 FROM held)`) => {
  const { ats, levels, messages } = batch;
  const level = levels.every((l) => l === levels[0]) ? levels[0] : undefined;
  const splittable = !(messages.length === 1 && messages[0] === '') && !messages.some((m) => m.includes('\n'));
  const messageRows = splittable
    ? sql`string_to_table(${messages.join('\n')}, E'\\n')`
    : sql`json_array_elements_text(${sql.json(messages)}::json)`;
  // One level for the whole batch is a parameter; otherwise a third column of texts to split.
  const [levelRows, columns, levelOf] =
    level !== undefined
      ? [sql``, sql`a, m, o`, sql`${level}::log_level`]
      : [sql`, string_to_table(${levels.join(',')}, ',')`, sql`a, m, l, o`, sql`l::log_level`];
  // Entries of several runs (appendAndEndMany): each one's execution and seq are columns too.
  if (Array.isArray(executionId))
    return sql`
  INSERT INTO log_entries (execution_id, seq, at, level, message)
  SELECT x::bigint, s::int, timestamptz 'epoch' + a::bigint * interval '1 millisecond', ${levelOf}, m
  FROM ROWS FROM (string_to_table(${executionId.join(',')}, ','), string_to_table(${batch.seqs.join(',')}, ','), string_to_table(${ats.join(',')}, ','), ${messageRows}${levelRows})
    WITH ORDINALITY AS t(x, s, ${columns})
  WHERE ${held}`;
  return sql`
  INSERT INTO log_entries (execution_id, seq, at, level, message)
  SELECT ${executionId}, ${batch.seqs[0] ?? 0}::int + o::int - 1, timestamptz 'epoch' + a::bigint * interval '1 millisecond', ${levelOf}, m
  FROM ROWS FROM (string_to_table(${ats.join(',')}, ','), ${messageRows}${levelRows}) WITH ORDINALITY AS t(${columns})
  WHERE ${held}`;
};

/** The execution's counters after a batch (SET list of an UPDATE of executions aliased e). */
const counters = (sql: Sql, delta: LogDelta) => sql`
  last_seq = greatest(e.last_seq, ${delta.lastSeq}),
  warning_count = e.warning_count + ${delta.warnings}, error_count = e.error_count + ${delta.errors},
  dropped_lines = e.dropped_lines + ${delta.dropped},
  progress = coalesce(${delta.progress}::smallint, e.progress)`;

/**
 * Writes one batch (consecutive seqs, as LogWriter makes them) in one statement: the entries, the
 * execution's counters and the NOTIFY pointer ("execution X has entries up to seq N": never the
 * lines, NOTIFY payloads are capped at 8000 bytes; "X:N:flood" when `flooding`, many entries wait
 * behind it, which other processes' viewers are paced by).
 * Written only while `owner` still holds the run in progress (the row is locked for the statement,
 * so a sweep waits for it); false when the run was taken away: late lines never land.
 * The columns travel as texts PostgreSQL splits (see insertEntries): faster to write and to read
 * than postgres.js's text arrays or JSON arrays; times as epoch milliseconds, stored exactly.
 */
export async function appendBatch(
  sql: Sql,
  executionId: number,
  owner: string,
  batch: LogBatch,
  delta: LogDelta,
  flooding = false,
) {
  const [r] = await sql<{ owned: boolean }[]>`
    WITH held AS (
      SELECT id FROM executions WHERE id = ${executionId} AND owner = ${owner} AND status = 'IN_PROGRESS' FOR UPDATE
    ), ins AS (${insertEntries(sql, executionId, batch)}), upd AS (
      UPDATE executions e SET ${counters(sql, delta)}
      WHERE e.id = (SELECT id FROM held)
    )
    SELECT EXISTS (SELECT 1 FROM held) AS owned,
      pg_notify('jobdeck_log', ${`${executionId}:${delta.lastSeq}${flooding ? ':flood' : ''}`})
      ${delta.progress !== null ? sql`, pg_notify('jobdeck_exec', ${String(executionId)})` : sql``}`;
  return !!r?.owned;
}

/** A run's end as LogWriter.flushAndEnd hands it over: its last batch, its counters and its final status. */
export type RunEnd = {
  executionId: number;
  owner: string;
  batch: LogBatch;
  delta: LogDelta;
  status: 'SUCCESS' | 'WARNING' | 'FAILURE' | 'CANCELLED' | 'INTERRUPTED';
  error: string | null;
};

/**
 * A run's last batch and its end in one statement (one commit, where appendBatch then
 * finishWithoutReport took two): the entries and counters as appendBatch writes them, and the run
 * ended with `status` when it is still this worker's and may end quietly (no report to queue, no
 * alert to open or resolve: db/queries/alerts.ts endsQuietly) — its change announced on
 * jobdeck_exec. `ended` false: the entries are written and the run is still in progress, for the
 * caller to end in a transaction with its report and alerts.
 */
export async function appendAndEnd(
  sql: Sql,
  executionId: number,
  owner: string,
  batch: LogBatch,
  delta: LogDelta,
  status: RunEnd['status'],
  error: string | null,
) {
  const [r] = await appendAndEndMany(sql, [{ executionId, owner, batch, delta, status, error }], { wait: true });
  return r!;
}

/**
 * appendAndEnd for several runs in one statement and one commit (jobs/run-ends.ts gathers the runs
 * of a worker that end together): each run's answer, in the order given. Each is written or refused
 * on its own (another owner's run gets nothing), as appendAndEnd would have. Unless `wait`, the
 * runs' rows are locked without waiting (SKIP LOCKED): a run whose rows another transaction holds
 * is left untouched and answered `busy`, for the caller to end with `wait`. So a statement never
 * holds some rows while it waits for others (a cycle with another statement doing the same in
 * another order, updateJobs changing thousands of job_rows, would abort one of them), and the
 * runs that end together are not held up by one whose row is busy.
 */
export async function appendAndEndMany(sql: Sql, ends: RunEnd[], { wait }: { wait: boolean }): Promise<{ owned: boolean; ended: boolean; busy?: true }[]> {
  const runs = ends.map((x) => ({
    id: x.executionId,
    owner: x.owner,
    status: x.status,
    error: x.error,
    last_seq: x.delta.lastSeq,
    warnings: x.delta.warnings,
    errors: x.delta.errors,
    dropped: x.delta.dropped,
    progress: x.delta.progress,
  }));
  const rows = await sql<{ id: number; owned: boolean; ended: boolean; busy: boolean }[]>`
    WITH v AS (
      SELECT * FROM json_to_recordset(${sql.json(runs)}::json)
        AS v(id bigint, owner text, status execution_status, error text, last_seq int, warnings int, errors int, dropped int, progress smallint)
    ), held AS (
      SELECT e.id, (NOT r.report_send AND ${endsQuietlyWith(sql, sql`v.status`)}) AS quiet
      FROM v JOIN executions e ON e.id = v.id AND e.owner = v.owner AND e.status = 'IN_PROGRESS'
      JOIN job_rows r ON r.id = e.row_id
      ORDER BY e.id
      FOR UPDATE OF e ${wait ? sql`` : sql`SKIP LOCKED FOR NO KEY UPDATE OF r SKIP LOCKED`}
    ), ins AS (${insertEndEntries(sql, ends)}), upd AS (
      UPDATE executions e SET
        last_seq = greatest(e.last_seq, v.last_seq),
        warning_count = e.warning_count + v.warnings, error_count = e.error_count + v.errors,
        dropped_lines = e.dropped_lines + v.dropped,
        progress = coalesce(v.progress, e.progress),
        status = CASE WHEN h.quiet THEN v.status ELSE e.status END,
        ended_at = CASE WHEN h.quiet THEN now() ELSE e.ended_at END,
        error = CASE WHEN h.quiet THEN v.error ELSE e.error END
      FROM held h JOIN v ON v.id = h.id WHERE e.id = h.id
      RETURNING e.id, h.quiet
    )
    SELECT v.id::int AS id, EXISTS (SELECT 1 FROM held WHERE held.id = v.id) AS owned,
      ${wait ? sql`false` : sql`NOT EXISTS (SELECT 1 FROM held WHERE held.id = v.id) AND EXISTS (SELECT 1 FROM executions x WHERE x.id = v.id AND x.owner = v.owner AND x.status = 'IN_PROGRESS')`} AS busy,
      coalesce((SELECT quiet FROM upd WHERE upd.id = v.id), false) AS ended,
      pg_notify('jobdeck_log', v.id || ':' || v.last_seq),
      CASE WHEN coalesce((SELECT quiet FROM held WHERE held.id = v.id), false) OR v.progress IS NOT NULL THEN pg_notify('jobdeck_exec', v.id::text) END AS told
    FROM v`;
  const by = new Map(rows.map((r) => [r.id, r]));
  return ends.map((x) => {
    const r = by.get(x.executionId);
    return r?.busy ? { owned: false, ended: false, busy: true } : { owned: !!r?.owned, ended: !!r?.ended };
  });
}

/**
 * The entries of the ending runs, inserted for the runs `held` holds. One run's (the common case,
 * and a flood's last batch) as insertEntries writes them; several runs' with each entry's execution
 * and seq as two more columns to split.
 */
function insertEndEntries(sql: Sql, ends: RunEnd[]) {
  const withEntries = ends.filter((x) => x.batch.seqs.length > 0);
  if (withEntries.length <= 1) {
    const one = withEntries[0] ?? ends[0]!;
    return insertEntries(sql, one.executionId, one.batch, sql`${one.executionId}::bigint IN (SELECT id FROM held)`);
  }
  const ids: number[] = [];
  const batch: LogBatch = { seqs: [], ats: [], levels: [], messages: [] };
  for (const x of withEntries) {
    for (let i = 0; i < x.batch.seqs.length; i++) ids.push(x.executionId);
    batch.seqs.push(...x.batch.seqs);
    batch.ats.push(...x.batch.ats);
    batch.levels.push(...x.batch.levels);
    batch.messages.push(...x.batch.messages);
  }
  return insertEntries(sql, ids, batch, sql`x::bigint IN (SELECT id FROM held)`);
}

export async function readLogs(
  sql: Sql,
  executionId: number,
  f: { afterSeq: number; first: number; levels?: string[]; text?: string; upToSeq?: number },
) {
  return sql<LogRecord[]>`
    SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, level, message FROM log_entries
    WHERE execution_id = ${executionId} AND seq > ${f.afterSeq}
      ${f.upToSeq !== undefined ? sql`AND seq <= ${f.upToSeq}` : sql``}
      ${f.levels?.length ? sql`AND level = ANY(${f.levels}::log_level[])` : sql``}
      ${f.text ? sql`AND strpos(lower(message), lower(${f.text})) > 0` : sql``}
    ORDER BY seq LIMIT ${f.first}`;
}

export async function markRead(sql: Sql, userId: string, rowId: string, executionId: number, seq: number) {
  await sql`
    INSERT INTO log_reads (user_id, row_id, execution_id, seq) VALUES (${userId}, ${rowId}, ${executionId}, ${seq})
    ON CONFLICT (user_id, row_id) DO UPDATE SET execution_id = excluded.execution_id, seq = excluded.seq
    WHERE (log_reads.execution_id, log_reads.seq) < (excluded.execution_id, excluded.seq)`;
}
