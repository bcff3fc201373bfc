/**
 * Scheduled occurrences taken set-based: due occurrence jobs come out of Agenda's table many at a
 * time (SKIP LOCKED, so every worker process takes different ones), their rows move on to their next
 * run, and their executions are opened in the queue the workers claim from. One round trip per
 * statement whatever the number of rows: 20,000 rows due at one instant cost a few dozen batches,
 * not 20,000 Agenda jobs locked one by one.
 */
import type { Sql } from '../client';
import { announceOpened } from './executions';

export type DueOccurrence = { rowId: string; at: Date };

/**
 * Removes up to `limit` due, unlocked occurrence jobs (`name`) of rows of `jobIds` from Agenda's
 * table and answers them, oldest first. Call it in the transaction that consumes them: a rollback
 * puts them back. A job Agenda has locked is its own to run.
 */
export async function takeDueOccurrences(tx: Sql, name: string, jobIds: string[], limit: number): Promise<DueOccurrence[]> {
  const rows = await tx<{ rowId: string; at: Date }[]>`
    DELETE FROM agenda_jobs WHERE id IN (
      SELECT a.id FROM agenda_jobs a JOIN job_rows r ON r.id = (a.data->>'rowId')::uuid
      WHERE a.name = ${name} AND a.disabled = false AND a.next_run_at <= now() AND a.locked_at IS NULL
        AND r.job_id = ANY(${jobIds}::text[])
      ORDER BY a.next_run_at LIMIT ${limit}
      FOR UPDATE OF a SKIP LOCKED)
    RETURNING data->>'rowId' AS "rowId", (data->>'at')::timestamptz AS at`;
  return rows.map((r) => ({ rowId: r.rowId, at: new Date(r.at) }));
}

/**
 * Moves each row whose next run is still `at` on to `next` (a row whose plan changed meanwhile is
 * left alone: stale). Pauses are read in the same statement, under a share lock, so a pause or a
 * resume that commits meanwhile is seen whole: a paused row remembers its first missed occurrence
 * (missed_at) instead of running. Answers the rows consumed.
 */
export async function consumeOccurrences(tx: Sql, items: { rowId: string; at: Date; next: Date | null }[]) {
  if (!items.length) return [];
  return tx<{ rowId: string; paused: boolean }[]>`
    WITH p AS (SELECT domain FROM scheduling_pauses FOR SHARE),
    v AS (SELECT * FROM unnest(${items.map((i) => i.rowId)}::uuid[], ${items.map((i) => i.at.toISOString())}::timestamptz[],
                               ${items.map((i) => i.next?.toISOString() ?? null)}::timestamptz[]) AS v(id, at, next)
          ORDER BY id)
    UPDATE job_rows r SET next_run_at = v.next,
      missed_at = CASE WHEN EXISTS (SELECT 1 FROM p WHERE p.domain IN ('*', r.domain)) THEN coalesce(r.missed_at, v.at) ELSE r.missed_at END
    FROM v
    WHERE r.id = v.id AND r.next_run_at = v.at AND r.in_catalog
    RETURNING r.id AS "rowId", EXISTS (SELECT 1 FROM p WHERE p.domain IN ('*', r.domain)) AS paused`;
}

/**
 * Opens the scheduled executions of consumed occurrences, queued (no owner) for the workers to
 * claim; a row that still has a run in progress gets none (the partial unique index decides), nor
 * does an occurrence that already ran. Announced on jobdeck_exec (EXEC_NOTIFY_IDS ids per
 * notification), the workers woken once on jobdeck_queued. Answers the executions opened.
 */
export async function openScheduled(
  tx: Sql,
  runs: { rowId: string; jobId: string; domain: string; at: Date; parameters: { name: string; value: string }[] }[],
) {
  if (!runs.length) return [];
  const opened = await tx<{ id: number; rowId: string }[]>`
    WITH ins AS (
      INSERT INTO executions (row_id, job_id, domain, trigger, triggered_by, occurrence_at, owner, parameters)
      SELECT r, j, d, 'SCHEDULE', NULL, o, NULL, p::jsonb
      FROM unnest(${runs.map((x) => x.rowId)}::uuid[], ${runs.map((x) => x.jobId)}::text[], ${runs.map((x) => x.domain)}::text[],
        ${runs.map((x) => x.at.toISOString())}::timestamptz[], ${runs.map((x) => JSON.stringify(x.parameters))}::text[])
        WITH ORDINALITY AS t(r, j, d, o, p, n)
      ORDER BY n
      ON CONFLICT DO NOTHING
      RETURNING id, row_id
    ), upd AS (
      UPDATE job_rows SET last_execution_id = ins.id, last_status = 'IN_PROGRESS' FROM ins WHERE job_rows.id = ins.row_id
    ), ${announceOpened(tx)}
    SELECT ins.id::int AS id, ins.row_id AS "rowId" FROM ins CROSS JOIN (SELECT count(*) FROM told) t ORDER BY ins.id`;
  return opened.map((o) => ({ id: Number(o.id), rowId: o.rowId }));
}

/** One audit entry per occurrence skipped because its row was still running. */
export async function auditSkipped(tx: Sql, skipped: { jobId: string; domain: string; at: Date }[]) {
  if (!skipped.length) return;
  await tx`
    INSERT INTO audit_log (actor, action, target, domain, details)
    SELECT 'scheduler', 'occurrenceSkipped', j || '@' || d, d, jsonb_build_object('occurrence', o, 'reason', 'ALREADY_RUNNING')
    FROM unnest(${skipped.map((s) => s.jobId)}::text[], ${skipped.map((s) => s.domain)}::text[],
      ${skipped.map((s) => s.at.toISOString())}::text[]) AS t(j, d, o)`;
}

/** Agenda occurrence jobs for the rows' next runs (their previous ones were taken or are being run). */
export async function addOccurrences(tx: Sql, name: string, rows: { rowId: string; at: Date }[]) {
  if (!rows.length) return;
  await tx`
    INSERT INTO agenda_jobs (name, priority, next_run_at, type, data)
    SELECT ${name}, 0, v.iso::timestamptz, 'normal', jsonb_build_object('rowId', v.id, 'at', v.iso)
    FROM unnest(${rows.map((r) => r.rowId)}::text[], ${rows.map((r) => r.at.toISOString())}::text[]) AS v(id, iso)`;
}
