/**
 * How sign-ins are limited. A key ("account:<email>", "address:<ip>") is refused for the rest of
 * its window once it has `limit` failures. Checks in flight hold a slot until they settle, so a
 * parallel storm has no more guesses than the limit; a success gives its slot back and counts
 * nothing, so a storm of correct sign-ins is slowed to `limit` checks at a time, never refused.
 */
import type { Sql } from '../db/client';
import * as creds from '../db/queries/credentials';
import { AppError } from '../lib/errors';

export const RATE_WINDOW_MINUTES = 15;
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_ADDRESS = 30;
/** A slot whose process died is forgotten after this; a password check takes well under a second. */
const STALE_SLOT_SECONDS = 60;
/**
 * A sign-in waiting for a slot gives up when the checks ahead of it have not moved for this long
 * (they are stuck), or when it has waited `maxWaitMs` in all. A storm of correct sign-ins on a
 * loaded machine keeps moving and is served, however long its queue.
 */
export const WAITING = { maxStallMs: 20_000, maxWaitMs: 120_000 };
/** Slots freed by another process are noticed by polling; slots freed here wake the next waiter at once. */
const POLL_MS = 200;
/** Waiters far back in the queue poll rarely: a storm's waiters do not all hammer the same keys' lock. */
const FAR_POLL_MS = 2_000;

/**
 * This process's waiters, first come first served per key: a sign-in joins the queues of its keys
 * once and keeps its place until it has a slot, so a waiter woken by a slot given back and beaten
 * to it by another process is not sent to the back, and a newcomer queues behind those waiting.
 */
type Waiter = { keys: string[]; wake?: () => void };
const queues = new Map<string, Waiter[]>();

function join(w: Waiter) {
  for (const k of w.keys) {
    const q = queues.get(k);
    if (q) q.push(w);
    else queues.set(k, [w]);
  }
}

function leave(w: Waiter) {
  for (const k of w.keys) {
    const q = queues.get(k)?.filter((x) => x !== w) ?? [];
    if (q.length) queues.set(k, q);
    else queues.delete(k);
  }
}

function ahead(w: Waiter) {
  return Math.max(...w.keys.map((k) => queues.get(k)?.indexOf(w) ?? 0));
}

function waitTurn(w: Waiter, slots: number) {
  return new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      if (w.wake === wake) w.wake = undefined;
      resolve();
    };
    const base = ahead(w) < slots ? POLL_MS : FAR_POLL_MS;
    const timer = setTimeout(wake, base + Math.random() * base);
    w.wake = wake;
  });
}

/**
 * A slot of these keys was given back here: the first waiter still waiting on each key tries again;
 * after a failure every waiter does, since each may now be refused outright.
 */
function slotFreed(keys: string[], failed = false) {
  for (const k of keys) {
    const q = queues.get(k) ?? [];
    if (failed) for (const w of [...q]) w.wake?.();
    else q.find((w) => w.wake)?.wake?.();
  }
}

const limitedError = (retryAfterSeconds: number) => {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new AppError('RATE_LIMITED', `Too many failed sign-ins. Try again in ${minutes} minute${minutes > 1 ? 's' : ''}.`);
};

/**
 * Runs `check` (the password check) under the limits of the account and the address; `check`
 * answers whether the password was right. Throws RATE_LIMITED when a key is over its limit.
 */
export async function limitedSignIn<T>(
  sql: Sql,
  account: string,
  address: string | undefined,
  check: () => Promise<T | undefined>,
  waiting = WAITING,
): Promise<T | undefined> {
  const keys: creds.LoginKey[] = [{ key: `account:${account}`, limit: MAX_FAILURES_PER_ACCOUNT }];
  if (address) keys.push({ key: `address:${address}`, limit: MAX_FAILURES_PER_ADDRESS });
  const names = keys.map((k) => k.key);
  const started = Date.now();
  let moved = started;
  let seen: string | undefined;
  const me: Waiter = { keys: names };
  const queued = names.some((k) => queues.get(k)?.some((w) => w.wake));
  join(me);
  let r: Awaited<ReturnType<typeof creds.reserveLoginAttempt>>;
  try {
    // A newcomer behind others of this process waits for its turn before it takes a slot.
    if (queued) await waitTurn(me, MAX_FAILURES_PER_ACCOUNT);
    for (;;) {
      r = await creds.reserveLoginAttempt(sql, keys, RATE_WINDOW_MINUTES, STALE_SLOT_SECONDS);
      if (r.kind !== 'busy') break;
      const now = Date.now();
      if (r.inFlight !== seen) [seen, moved] = [r.inFlight, now];
      if (now - moved > waiting.maxStallMs || now - started > waiting.maxWaitMs)
        throw new AppError('RATE_LIMITED', 'Too many sign-ins at once for this account. Try again in a minute.');
      await waitTurn(me, MAX_FAILURES_PER_ACCOUNT);
    }
  } finally {
    leave(me);
  }
  if (r.kind === 'limited') throw limitedError(r.retryAfterSeconds);
  let result: T | undefined;
  try {
    result = await check();
  } catch (e) {
    await creds.settleLoginAttempt(sql, r.ids, { failedKeys: [] }, RATE_WINDOW_MINUTES).finally(() => slotFreed(names));
    throw e;
  }
  await creds
    .settleLoginAttempt(sql, r.ids, result === undefined ? { failedKeys: names } : { failedKeys: [], clearKey: names[0] }, RATE_WINDOW_MINUTES)
    .finally(() => slotFreed(names, result === undefined));
  return result;
}
