/**
 * Retries (API.md "Assurance"): a FAILURE or INTERRUPTED execution with attempts left starts again
 * as a new execution (trigger RETRY, attempt + 1, retryOf = the chain's first attempt) after its
 * delay. The policy in force and the delay are pure; openRetryIfDue opens the retry in the
 * transaction that ended the run (db/queries/retries.ts).
 */
import type { Sql } from '../db/client';
import { endedForRetry, openRetry } from '../db/queries/retries';
import type { RetryPolicy } from './types';

export const MAX_RETRY_ATTEMPTS = 10;
export const MAX_RETRY_DELAY_SECONDS = 86_400;
export const NO_RETRY: RetryPolicy = { attempts: 0, delaySeconds: 60, backoff: 'FIXED' };

/** The row's own policy when it has one, else its job's, else none. */
export function retryPolicyOf(own: RetryPolicy | null | undefined, job: RetryPolicy | undefined): RetryPolicy {
  return own ?? job ?? NO_RETRY;
}

/** Whether a run that ended so, as attempt `attempt`, is tried again. CANCELLED never is. */
export function retries(policy: RetryPolicy, status: string, attempt: number) {
  return (status === 'FAILURE' || status === 'INTERRUPTED') && attempt <= policy.attempts;
}

/**
 * The wait before attempt `attempt + 1`: the delay, doubled for each earlier retry when EXPONENTIAL
 * (capped at a day), then ±20 % jitter so that a fleet failing together does not retry together.
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random) {
  const factor = policy.backoff === 'EXPONENTIAL' ? 2 ** Math.max(0, attempt - 1) : 1;
  const base = Math.min(policy.delaySeconds * factor, MAX_RETRY_DELAY_SECONDS) * 1000;
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * In the transaction that ended execution `id`: opens its next attempt when its row's policy (else
 * its job's) has one left. Answers the retry (its id and when it is due) or undefined; a retry means
 * the report and the failure alerts wait for the last attempt.
 */
export async function openRetryIfDue(sql: Sql, id: number, jobPolicy: (jobId: string) => RetryPolicy | undefined, random?: () => number) {
  const e = await endedForRetry(sql, id);
  if (!e || e.cancelled) return undefined;
  const policy = retryPolicyOf(e.own, jobPolicy(e.jobId));
  if (!retries(policy, e.status, e.attempt)) return undefined;
  return openRetry(sql, id, new Date(Date.now() + retryDelayMs(policy, e.attempt, random)));
}
