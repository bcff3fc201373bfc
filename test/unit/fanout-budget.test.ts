/**
 * The fan-out budget of a flood (services/fanout-budget.ts): out of a flood nothing waits; during
 * one, waiters go one per turn while the bucket has time, and wait for it to fill again once it is
 * spent; a flood ends when every writer that started one says so, or goes quiet.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { FanoutBudget } from '../../services/fanout-budget';

test('out of a flood every send may go at once; a new flood starts with a full bucket', async () => {
  const b = new FanoutBudget(0.05);
  await b.ready();
  await b.calm();
  // A flood whose bucket was overspent by 1 s (20 s to fill again at 5 %) ends…
  b.flood(1, true);
  b.spent(1_000);
  b.flood(1, false);
  b.spent(1_000); // out of a flood: not counted
  // …and the next one starts afresh: its first waiter goes within a turn or two, not in 20 s.
  b.flood(1, true);
  const t0 = performance.now();
  await b.ready();
  assert.ok(performance.now() - t0 < 1_000, `the first waiter of a new flood waited ${(performance.now() - t0).toFixed(0)} ms`);
  b.flood(1, false);
});

test('during a flood, waiters go one per turn, and wait for the bucket to fill once it is spent', async () => {
  const b = new FanoutBudget(1); // the bucket fills at 1 ms per ms
  b.flood(1, true);
  const order: string[] = [];
  const t0 = performance.now();
  const times: number[] = [];
  const first = b.ready().then(() => {
    order.push('first');
    // Its send took 50 ms: 40 over what the bucket held.
    b.spent(50);
  });
  const second = b.ready().then(() => {
    order.push('second');
    times.push(performance.now() - t0);
  });
  await first;
  assert.deepEqual(order, ['first'], 'the second waits for the first to have sent');
  assert.deepEqual(b.waiting, { sends: 1, calm: 0 });
  await second;
  assert.ok(times[0]! >= 38, `the second went ${times[0]!.toFixed(1)} ms after the first, once the bucket had time again`);
  b.flood(1, false);
});

test('a flood is over once every writer that started one says so, and its waiters all go', async () => {
  const b = new FanoutBudget(0.05);
  b.flood(1, true);
  b.flood(2, true);
  b.spent(1_000);
  const went: number[] = [];
  const sends = [1, 2, 3].map((i) => b.ready().then(() => went.push(i)));
  let calm = false;
  const over = b.calm().then(() => (calm = true));
  b.flood(1, false);
  await new Promise((r) => setImmediate(r));
  assert.equal(b.flooding, true, 'the other writer still floods');
  assert.equal(calm, false);
  assert.deepEqual(went, []);
  b.flood(2, false);
  await Promise.all([...sends, over]);
  assert.deepEqual(went, [1, 2, 3]);
});

test('a flood whose writer goes quiet is over after its expiry', async () => {
  const b = new FanoutBudget(0.05, 30);
  b.flood(7, true);
  b.spent(1_000);
  const t0 = performance.now();
  await Promise.all([b.calm(), b.ready()]);
  assert.equal(b.flooding, false);
  assert.ok(performance.now() - t0 >= 25);
});
