/**
 * A row's expectations and snooze: validated here for updateJob and updateJobs alike (every bad
 * value answers BAD_USER_INPUT naming `input.expectations.<field>` or `input.snoozedUntil`), written
 * in the caller's transaction, read per request in batches (the jobs list asks for many rows).
 */
import DataLoader from 'dataloader';
import type { Sql } from '../db/client';
import { openAlertsOfRows, type AlertRecord } from '../db/queries/alerts';
import { findExpectations, writeExpectations, type ExpectationsRecord, type ExpectationsValues } from '../db/queries/expectations';
import { rowRetryPolicies, setRowRetryPolicies } from '../db/queries/retries';
import { MAX_RETRY_ATTEMPTS, MAX_RETRY_DELAY_SECONDS, retryPolicyOf } from '../jobs/retry';
import { badInput } from '../lib/errors';
import type { Deps, Loaders } from './deps';

export type ExpectationsInput = {
  maxDurationSeconds?: number | null;
  minDurationSeconds?: number | null;
  graceSeconds?: number | null;
  failuresBeforeAlert?: number | null;
};

export type RetryInput = { attempts: number; delaySeconds: number; backoff: 'FIXED' | 'EXPONENTIAL' };

/**
 * What updateJob(s) may carry for this service: `snoozedUntil` undefined = untouched, null = ends the
 * snooze; `retry` the row's own retry policy (the job's own applies until one is set).
 */
export type AssuranceInput = { expectations?: ExpectationsInput | null; snoozedUntil?: Date | null; retry?: RetryInput | null };
export type AssuranceUpdate = { values?: ExpectationsValues; snoozedUntil?: Date | null; retry?: RetryInput };

const DAY = 86_400;
const BOUNDS: Record<keyof ExpectationsInput, [number, number]> = {
  maxDurationSeconds: [1, 30 * DAY],
  minDurationSeconds: [1, 30 * DAY],
  graceSeconds: [0, DAY],
  failuresBeforeAlert: [1, 100],
};
const MAX_SNOOZE_MS = 366 * DAY * 1000;

/** Whether the input asks this service for anything (updateJob's "give something" check). */
export const asksAssurance = (input: AssuranceInput) => !!input.expectations || input.snoozedUntil !== undefined || !!input.retry;

/**
 * Checks expectations and snooze before anything is written. Returns what to write (undefined
 * parts: nothing to change). `field` is where the input was given ("input").
 */
export function validateAssurance(input: AssuranceInput, field = 'input'): AssuranceUpdate {
  const out: AssuranceUpdate = {};
  if (input.expectations) {
    const e = input.expectations;
    const v: ExpectationsValues = { maxDurationSeconds: null, minDurationSeconds: null, graceSeconds: null, failuresBeforeAlert: null };
    for (const key of Object.keys(BOUNDS) as (keyof ExpectationsInput)[]) {
      const value = e[key];
      if (value === undefined || value === null) continue;
      const [min, max] = BOUNDS[key];
      if (!Number.isInteger(value) || value < min || value > max)
        throw badInput(`${field}.expectations.${key}`, `${key} must be a whole number from ${min} to ${max.toLocaleString('en-US')}.`);
      v[key] = value;
    }
    if (v.maxDurationSeconds !== null && v.minDurationSeconds !== null && v.minDurationSeconds >= v.maxDurationSeconds)
      throw badInput(`${field}.expectations.minDurationSeconds`, 'minDurationSeconds must be less than maxDurationSeconds.');
    out.values = v;
  }
  if (input.snoozedUntil !== undefined) {
    const at = input.snoozedUntil;
    if (at !== null && (!(at instanceof Date) || Number.isNaN(at.getTime())))
      throw badInput(`${field}.snoozedUntil`, 'snoozedUntil must be a date and time.');
    if (at && at.getTime() - Date.now() > MAX_SNOOZE_MS) throw badInput(`${field}.snoozedUntil`, 'A row can be snoozed for at most a year.');
    // A time already past ends the snooze, like null.
    out.snoozedUntil = at && at.getTime() > Date.now() ? at : null;
  }
  if (input.retry) {
    const r = input.retry;
    if (!Number.isInteger(r.attempts) || r.attempts < 0 || r.attempts > MAX_RETRY_ATTEMPTS)
      throw badInput(`${field}.retry.attempts`, `attempts must be a whole number from 0 to ${MAX_RETRY_ATTEMPTS}.`);
    if (!Number.isInteger(r.delaySeconds) || r.delaySeconds < 0 || r.delaySeconds > MAX_RETRY_DELAY_SECONDS)
      throw badInput(`${field}.retry.delaySeconds`, `delaySeconds must be a whole number from 0 to ${MAX_RETRY_DELAY_SECONDS.toLocaleString('en-US')} (a day).`);
    if (r.backoff !== 'FIXED' && r.backoff !== 'EXPONENTIAL') throw badInput(`${field}.retry.backoff`, 'backoff is FIXED or EXPONENTIAL.');
    out.retry = { attempts: r.attempts, delaySeconds: r.delaySeconds, backoff: r.backoff };
  }
  return out;
}

/** Writes a validated update to these rows, in the caller's transaction. */
export async function writeAssurance(tx: Sql, rowIds: string[], u: AssuranceUpdate) {
  await writeExpectations(tx, rowIds, u.values, u.snoozedUntil);
  if (u.retry) await setRowRetryPolicies(tx, rowIds, u.retry);
}

/** What the audit trail keeps of it. */
export const auditAssurance = (u: AssuranceUpdate) =>
  u.values || u.snoozedUntil !== undefined || u.retry
    ? { expectations: u.values, snoozedUntil: u.snoozedUntil === undefined ? undefined : (u.snoozedUntil?.toISOString() ?? null), retry: u.retry }
    : undefined;

type RowLoaders = {
  expectations: DataLoader<string, ExpectationsRecord>;
  openAlerts: DataLoader<string, AlertRecord[]>;
  retry: DataLoader<string, RetryInput | undefined>;
};
const perRequest = new WeakMap<Loaders, RowLoaders>();

/** Batched per request: a page of 500 rows costs one query for expectations and one for open alerts. */
function loadersOf(deps: Deps, loaders: Loaders): RowLoaders {
  let l = perRequest.get(loaders);
  if (!l) {
    l = {
      expectations: new DataLoader(async (ids) => {
        const found = await findExpectations(deps.sql, [...ids]);
        return ids.map((id) => found.get(id)!);
      }),
      openAlerts: new DataLoader(async (ids) => {
        const rows = await openAlertsOfRows(deps.sql, [...ids]);
        return ids.map((id) => rows.filter((a) => a.rowId === id));
      }),
      retry: new DataLoader(async (ids) => {
        const own = await rowRetryPolicies(deps.sql, [...ids]);
        return ids.map((id) => own.get(id));
      }),
    };
    perRequest.set(loaders, l);
  }
  return l;
}

/** A visible row's expectations (its visibility was decided when it was read). */
export const expectationsOf = (deps: Deps, loaders: Loaders, rowId: string) => loadersOf(deps, loaders).expectations.load(rowId);
export const openAlertsOf = (deps: Deps, loaders: Loaders, rowId: string) => loadersOf(deps, loaders).openAlerts.load(rowId);
export async function snoozedUntilOf(deps: Deps, loaders: Loaders, rowId: string) {
  const s = (await expectationsOf(deps, loaders, rowId)).snoozedUntil;
  return s && s.getTime() > Date.now() ? s : null;
}

/** The retry policy a visible row runs by: its own, else its job's, else none. */
export async function retryPolicyFor(deps: Deps, loaders: Loaders, row: { id: string; jobId: string }) {
  return retryPolicyOf(await loadersOf(deps, loaders).retry.load(row.id), deps.catalog.get(row.jobId)?.retry);
}
