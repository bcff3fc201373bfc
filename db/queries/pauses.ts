import type postgres from 'postgres';
import type { Sql } from '../client';
import { openScheduled } from './occurrences';

/** The key of the pause of every domain's scheduling (scheduling_pauses.domain). */
export const ALL = '*';

export type PauseRecord = { domain: string; since: Date; by: string | null; reason: string | null };

const PAUSE_COLUMNS = (sql: Sql) => sql`domain, since, paused_by AS "by", reason`;

/** The pause of everything and the domain pauses `scope` lets through (a condition on `domain`). */
export async function listPauses(sql: Sql, scope: postgres.Fragment) {
  return sql<PauseRecord[]>`
    SELECT ${PAUSE_COLUMNS(sql)} FROM scheduling_pauses
    WHERE domain = ${ALL} OR ${scope}
    ORDER BY domain`;
}

/**
 * Pauses `key` (ALL or an existing domain; undefined when the domain does not exist). Pausing what is
 * already paused keeps `since`; a new reason replaces the old one together with who gave it, and no
 * reason keeps both.
 */
export async function insertPause(sql: Sql, key: string, by: string, reason: string | null) {
  const [row] = await sql<PauseRecord[]>`
    INSERT INTO scheduling_pauses (domain, paused_by, reason)
    SELECT ${key}, ${by}, ${reason}
    WHERE ${key} = ${ALL} OR EXISTS (SELECT 1 FROM domains WHERE name = ${key})
    ON CONFLICT (domain) DO UPDATE SET
      reason = coalesce(excluded.reason, scheduling_pauses.reason),
      paused_by = CASE WHEN excluded.reason IS NULL THEN scheduling_pauses.paused_by ELSE excluded.paused_by END
    RETURNING ${PAUSE_COLUMNS(sql)}`;
  return row;
}

/** Ends the pause of `key`; the pause that was there, if any. */
export async function deletePause(sql: Sql, key: string) {
  const [row] = await sql<PauseRecord[]>`DELETE FROM scheduling_pauses WHERE domain = ${key} RETURNING ${PAUSE_COLUMNS(sql)}`;
  return row;
}

export type MissedRow = {
  id: string;
  jobId: string;
  domain: string;
  /** The first occurrence the row missed. */
  missedAt: Date;
  /** Still in the catalog and not DISABLED: a row disabled meanwhile does not run its missed occurrence. */
  runnable: boolean;
  parameterDefaults: { name: string; value: string }[];
};

/**
 * The rows whose missed occurrence the end of `key`'s pause settles, locked: of that domain (every
 * domain for ALL) and paused by nothing else any more. A row of a domain paused on its own keeps its
 * missed occurrence when ALL is resumed, and the other way round: it is settled by the last resume.
 */
export async function lockMissedRows(sql: Sql, key: string) {
  return sql<MissedRow[]>`
    SELECT r.id, r.job_id AS "jobId", r.domain, r.missed_at AS "missedAt", r.parameter_defaults AS "parameterDefaults",
      (r.in_catalog AND r.plan_kind <> 'DISABLED') AS runnable
    FROM job_rows r
    WHERE r.missed_at IS NOT NULL
      ${key === ALL ? sql`` : sql`AND r.domain = ${key}`}
      AND NOT EXISTS (SELECT 1 FROM scheduling_pauses p WHERE p.domain = ${ALL} OR p.domain = r.domain)
    ORDER BY r.id
    FOR UPDATE OF r`;
}

/**
 * Settles missed occurrences, set-based, in the caller's transaction: every row of `clear` forgets
 * its missed occurrence, and `run` rows get one SCHEDULE execution each for it, queued as a
 * scheduled occurrence's would be (db/queries/occurrences.ts openScheduled: a row with a run in
 * progress gets none, the workers are woken, the executions announced in batches).
 */
export async function settleMissed(
  sql: Sql,
  clear: string[],
  run: { rowId: string; jobId: string; domain: string; occurrenceAt: Date; parameters: { name: string; value: string }[] }[],
) {
  if (!clear.length) return [];
  await sql`UPDATE job_rows SET missed_at = NULL WHERE id = ANY(${clear}::uuid[])`;
  return openScheduled(sql, run.map((r) => ({ ...r, at: r.occurrenceAt })));
}
