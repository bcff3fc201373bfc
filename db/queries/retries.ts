import type { Sql } from '../client';
import type { ExecutionRecord } from './executions';

export type RetryPolicyRecord = { attempts: number; delaySeconds: number; backoff: 'FIXED' | 'EXPONENTIAL' };

/** The row's own retry policy, or undefined when it follows its job's. */
export async function rowRetryPolicy(sql: Sql, rowId: string) {
  const [r] = await sql<RetryPolicyRecord[]>`
    SELECT attempts, delay_seconds AS "delaySeconds", backoff FROM row_retry WHERE row_id = ${rowId}`;
  return r;
}

/** The own policies of many rows (rows that follow their job's are absent). */
export async function rowRetryPolicies(sql: Sql, rowIds: string[]) {
  if (!rowIds.length) return new Map<string, RetryPolicyRecord>();
  const rows = await sql<(RetryPolicyRecord & { rowId: string })[]>`
    SELECT row_id AS "rowId", attempts, delay_seconds AS "delaySeconds", backoff FROM row_retry WHERE row_id = ANY(${rowIds}::uuid[])`;
  return new Map(rows.map(({ rowId, ...p }) => [rowId, p]));
}

/** Sets (or, with null, removes) the own retry policy of rows, set-based. */
export async function setRowRetryPolicies(sql: Sql, rowIds: string[], p: RetryPolicyRecord | null) {
  if (!rowIds.length) return;
  if (!p) {
    await sql`DELETE FROM row_retry WHERE row_id = ANY(${rowIds}::uuid[])`;
    return;
  }
  await sql`
    INSERT INTO row_retry (row_id, attempts, delay_seconds, backoff)
    SELECT r, ${p.attempts}, ${p.delaySeconds}, ${p.backoff} FROM unnest(${rowIds}::uuid[]) r
    ON CONFLICT (row_id) DO UPDATE SET attempts = excluded.attempts, delay_seconds = excluded.delay_seconds,
      backoff = excluded.backoff, updated_at = now()`;
}

/** What deciding a retry needs of the execution that just ended, with its row's own policy (null: its job's), in one round trip. */
export async function endedForRetry(sql: Sql, id: number) {
  const [e] = await sql<{ id: number; rowId: string; jobId: string; status: string; attempt: number; cancelled: boolean; own: RetryPolicyRecord | null }[]>`
    SELECT e.id::int, e.row_id AS "rowId", e.job_id AS "jobId", e.status, e.attempt, e.cancel_requested_by IS NOT NULL AS cancelled,
      CASE WHEN rr.row_id IS NULL THEN NULL ELSE json_build_object('attempts', rr.attempts, 'delaySeconds', rr.delay_seconds, 'backoff', rr.backoff) END AS own
    FROM executions e LEFT JOIN row_retry rr ON rr.row_id = e.row_id WHERE e.id = ${id}`;
  return e;
}

/**
 * Opens the next attempt of an ended execution, due at `notBefore`, with the same parameters and
 * trigger person, as the row's latest execution; undefined when the row already has a run in
 * progress (the partial unique index decides). Called in the transaction that ended it.
 */
export async function openRetry(sql: Sql, id: number, notBefore: Date) {
  const [row] = await sql<Pick<ExecutionRecord, 'id' | 'notBefore'>[]>`
    WITH prev AS (SELECT * FROM executions WHERE id = ${id}),
    ins AS (
      INSERT INTO executions (row_id, job_id, domain, trigger, triggered_by, owner, parameters, attempt, retry_of, not_before)
      SELECT row_id, job_id, domain, 'RETRY', triggered_by, NULL, parameters, attempt + 1, coalesce(retry_of, id), ${notBefore}
      FROM prev
      ON CONFLICT DO NOTHING
      RETURNING id, row_id, not_before
    ), upd AS (
      UPDATE job_rows SET last_execution_id = (SELECT id FROM ins), last_status = 'IN_PROGRESS'
      WHERE id = (SELECT row_id FROM ins)
    )
    SELECT id::int AS id, not_before AS "notBefore" FROM ins`;
  return row;
}
