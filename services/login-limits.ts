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
/** How long a sign-in waits for a slot before it gives up. */
const MAX_WAIT_MS = 20_000;
/** Slots freed by another process are noticed by polling; slots freed here wake a waiter at once. */
const POLL_MS = 200;

/** Waiters of this process per key, first come first served: one is woken per slot given back. */
const waiters = new Map<string, (() => void)[]>();

function waitForSlot(keys: string[]) {
  return new Promise<void>((resolve) => {
    let done = false;
    const wake = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const k of keys) {
        const q = waiters.get(k);
        const i = q?.indexOf(wake) ?? -1;
        if (q && i >= 0) q.splice(i, 1);
        if (q?.length === 0) waiters.delete(k);
      }
      resolve();
    };
    const timer = setTimeout(wake, POLL_MS + Math.random() * POLL_MS);
    for (const k of keys) waiters.set(k, [...(waiters.get(k) ?? []), wake]);
  });
}

function slotFreed(keys: string[]) {
  for (const k of keys) waiters.get(k)?.[0]?.();
}

const limitedError = (retryAfterSeconds: number) => {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new AppError('RATE_LIMITED', `Too many failed sign-ins. Try again in ${minutes} minute${minutes > 1 ? 's' : ''}.`);
};

/**
 * Runs `check` (the password check) under the limits of the account and the address; `check`
 * answers whether the password was right. Throws RATE_LIMITED when a key is over its limit.
 */
export async function limitedSignIn<T>(sql: Sql, account: string, address: string | undefined, check: () => Promise<T | undefined>): Promise<T | undefined> {
  const keys: creds.LoginKey[] = [{ key: `account:${account}`, limit: MAX_FAILURES_PER_ACCOUNT }];
  if (address) keys.push({ key: `address:${address}`, limit: MAX_FAILURES_PER_ADDRESS });
  const names = keys.map((k) => k.key);
  const deadline = Date.now() + MAX_WAIT_MS;
  for (;;) {
    const r = await creds.reserveLoginAttempt(sql, keys, RATE_WINDOW_MINUTES, STALE_SLOT_SECONDS);
    if (r.kind === 'limited') throw limitedError(r.retryAfterSeconds);
    if (r.kind === 'busy') {
      if (Date.now() > deadline) throw new AppError('RATE_LIMITED', 'Too many sign-ins at once for this account. Try again in a minute.');
      await waitForSlot(names);
      continue;
    }
    let result: T | undefined;
    try {
      result = await check();
    } catch (e) {
      await creds.settleLoginAttempt(sql, r.ids, { failedKeys: [] }, RATE_WINDOW_MINUTES).finally(() => slotFreed(names));
      throw e;
    }
    await creds
      .settleLoginAttempt(sql, r.ids, result === undefined ? { failedKeys: names } : { failedKeys: [], clearKey: names[0] }, RATE_WINDOW_MINUTES)
      .finally(() => slotFreed(names));
    return result;
  }
}
