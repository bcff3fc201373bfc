/**
 * What the end of an execution means for its row's alerts, decided in the transaction that ends it
 * (the composition root adds it to the worker's onFinished): FAILED after failuresBeforeAlert
 * failures in a row, resolved by the next success which records RECOVERED; TOO_SHORT for a success
 * under minDurationSeconds, resolved by the next run that is not too short; the run's TOO_LONG and
 * the row's MISSED resolve (it ran).
 */
import type postgres from 'postgres';
import { finishedFacts, openRowAlert, resolveRowAlerts, type AlertRecord } from '../../db/queries/alerts';

type AnySql = postgres.Sql | postgres.TransactionSql;

const FAILURES = new Set(['FAILURE', 'INTERRUPTED']);
const SUCCESSES = new Set(['SUCCESS', 'WARNING']);

export type Evaluation = { opened: AlertRecord[]; resolved: AlertRecord[] };

/**
 * Opens and resolves the alerts an ended execution decides. Never throws: a failure is undone to a
 * savepoint and told to `log`, so the execution's end (and its report) go on untouched.
 */
export async function evaluateFinished(tx: AnySql, executionId: number, log?: (m: string) => void): Promise<Evaluation> {
  const none: Evaluation = { opened: [], resolved: [] };
  try {
    if ('savepoint' in tx) return await tx.savepoint((sp) => evaluateIn(sp, executionId));
    return await evaluateIn(tx, executionId);
  } catch (err) {
    log?.(`alerts of execution ${executionId} not evaluated: ${err instanceof Error ? err.message : String(err)}`);
    return none;
  }
}

async function evaluateIn(sql: AnySql, executionId: number): Promise<Evaluation> {
  const out: Evaluation = { opened: [], resolved: [] };
  const f = await finishedFacts(sql, executionId);
  if (!f || f.status === 'IN_PROGRESS') return out;
  const open = async (a: Parameters<typeof openRowAlert>[1]) => {
    const row = await openRowAlert(sql, a);
    if (row) out.opened.push(row);
    return row;
  };
  const resolve = async (kinds: Parameters<typeof resolveRowAlerts>[2], onlyThisRun = false) => {
    if (!f.hasOpenAlert) return [];
    const rows = await resolveRowAlerts(sql, f.rowId, kinds, onlyThisRun ? f.id : undefined);
    out.resolved.push(...rows);
    return rows;
  };
  const where = `${f.jobId} in ${f.domain}`;
  // The run ended: it is not too long any more, and the row did run.
  await resolve(['TOO_LONG'], true);
  await resolve(['MISSED']);
  if (f.status === 'CANCELLED') return out;

  if (FAILURES.has(f.status)) {
    if (f.lastRuns >= f.failuresBeforeAlert && f.lastFailures >= f.failuresBeforeAlert) {
      const times = f.failuresBeforeAlert === 1 ? 'failed' : `failed ${f.failuresBeforeAlert} times in a row`;
      await open({ kind: 'FAILED', rowId: f.rowId, executionId: f.id, message: `${where}: ${times} (execution ${f.id}, ${f.status}).` });
    }
  }
  if (SUCCESSES.has(f.status)) {
    const recovered = await resolve(['FAILED']);
    if (recovered.length) {
      await open({ kind: 'RECOVERED', rowId: f.rowId, executionId: f.id, resolved: true, message: `${where}: succeeded again (execution ${f.id}).` });
    }
  }
  const tooShort = SUCCESSES.has(f.status) && f.minDurationSeconds !== null && f.durationSeconds < f.minDurationSeconds;
  if (tooShort) {
    await open({
      kind: 'TOO_SHORT',
      rowId: f.rowId,
      executionId: f.id,
      message: `${where}: execution ${f.id} succeeded in ${f.durationSeconds.toFixed(1)} s, under its minimum of ${f.minDurationSeconds} s.`,
    });
  } else {
    await resolve(['TOO_SHORT']);
  }
  return out;
}
