import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, type Database } from '../../db/client';
import { limitedSignIn, MAX_FAILURES_PER_ACCOUNT } from '../../services/login-limits';
import { AppError } from '../../lib/errors';
import { createTestDatabase } from '../helpers/db';

let drop: () => Promise<void>;
let db: Database;

before(async () => {
  const t = await createTestDatabase();
  drop = t.drop;
  db = connect(t.url, { max: 10 });
});
after(async () => {
  await db.close();
  await drop();
});

const codeOf = (e: unknown) => (e instanceof AppError ? e.code : String(e));

test('a storm of correct sign-ins longer than the stall limit is served in full, never more than 5 checks at once', async () => {
  const waiting = { maxStallMs: 1_000, maxWaitMs: 60_000 };
  let inCheck = 0;
  let most = 0;
  const check = async () => {
    most = Math.max(most, ++inCheck);
    await new Promise((r) => setTimeout(r, 100));
    inCheck--;
    return 'ok';
  };
  const t0 = Date.now();
  const results = await Promise.all(
    Array.from({ length: 60 }, () => limitedSignIn(db.sql, 'storm@example.com', '192.0.2.1', check, waiting).catch(codeOf)),
  );
  const took = Date.now() - t0;
  assert.deepEqual([...new Set(results)], ['ok']);
  assert.equal(most, MAX_FAILURES_PER_ACCOUNT);
  // The storm outlasted the stall limit: a deadline counted from arrival would have refused its tail.
  assert.ok(took > waiting.maxStallMs, `the storm took ${took} ms`);
});

test('a sign-in behind checks that do not move gives up after the stall limit', async () => {
  const waiting = { maxStallMs: 500, maxWaitMs: 60_000 };
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let started = 0;
  let allStarted!: () => void;
  const checking = new Promise<void>((r) => (allStarted = r));
  const stuck = Array.from({ length: MAX_FAILURES_PER_ACCOUNT }, () =>
    limitedSignIn(db.sql, 'stuck@example.com', undefined, async () => {
      if (++started === MAX_FAILURES_PER_ACCOUNT) allStarted();
      await held;
      return 'ok';
    }),
  );
  await checking;
  const t0 = Date.now();
  const late = await limitedSignIn(db.sql, 'stuck@example.com', undefined, async () => 'ok', waiting).catch(codeOf);
  const waited = Date.now() - t0;
  assert.equal(late, 'RATE_LIMITED');
  assert.ok(waited >= waiting.maxStallMs && waited < waiting.maxStallMs + 5_000, `gave up after ${waited} ms`);
  release();
  assert.deepEqual(await Promise.all(stuck), Array(MAX_FAILURES_PER_ACCOUNT).fill('ok'));
  assert.equal(await limitedSignIn(db.sql, 'stuck@example.com', undefined, async () => 'again'), 'again', 'the slots were given back');
});
