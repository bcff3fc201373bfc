/**
 * A flood's live fan-out keeps to a budget (issue #19: a job watched by 10 and 100 live viewers
 * took up to 1.5 × as long as unwatched). While a writer of this process floods, the hub serves its
 * viewers one chunk at a time as the budget allows; they get every entry in order, the rest at once
 * when the flood is over; entries no longer in memory are read from the database only then.
 * A flood stands in here for the writer's own (services/fanout-budget.ts), under an id no writer uses.
 * A writer in another process (a worker beside a web process) says it floods in its NOTIFY: the
 * hub's reads for its viewers keep to the budget too.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findExecution } from '../../db/queries/executions';
import { appendBatch } from '../../db/queries/logs';
import { LogWriter } from '../../jobs/log-writer';
import { startTestApp, type TestApp } from '../helpers/app';
import { followChunks } from '../helpers/follow-chunks';
import { heldRun } from '../helpers/held-run';

const OWNER = 'test-owner@live-flood';
/**
 * The stand-in's flood id: no execution has id 0 (ids start at 1), so neither a writer of this
 * process (its execution's id) nor one in another process (the hub keys it by -id) speaks of it.
 * It was -1, which is how the hub keys execution 1's remote writer: the NOTIFY of the test's own
 * writes (execution 1 in a fresh database) then ended the stand-in's flood whenever it came in
 * before the test had looked.
 */
const FLOOD = 0;
let app: TestApp;

before(async () => {
  app = await startTestApp();
});
after(() => app?.stop());

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const writer = (id: number) => new LogWriter(app.deps.sql, id, 0, { maxLines: 1_000_000, maxLineChars: 1000, owner: OWNER, live: app.hub! });
/** The hub's database reads of one execution's log (the entry after which each began), until `restore`. */
function spyReads(id: number) {
  const hub = app.hub! as unknown as { read: (id: number, afterSeq: number) => Promise<unknown[]> };
  const reads: number[] = [];
  const read = hub.read.bind(hub);
  hub.read = async (execId, afterSeq) => {
    if (execId === id) reads.push(afterSeq);
    return read(execId, afterSeq);
  };
  return { reads, restore: () => void (hub.read = read) };
}
/** Turns of the event loop until `done` holds (state the hub reaches without an event of its own), for up to 20 s. */
async function until(done: () => boolean) {
  const deadline = performance.now() + 20_000;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`never reached: ${done}`);
    await new Promise((r) => setImmediate(r));
  }
}
/**
 * A flood of `id` that goes on until `stop()`: said again every 250 ms, as a flooding writer says it
 * with each batch (a flood not said again for FLOOD_EXPIRY_MS is over, and a loaded machine can
 * take that long to write a test's lines).
 */
function keepFlooding(id: number) {
  const budget = app.hub!.budget;
  budget.flood(id, true);
  const timer = setInterval(() => budget.flood(id, true), 250);
  return () => clearInterval(timer);
}

test('with the budget spent, a flood reaches its viewers only once it is over, every entry in order', { timeout: 30_000 }, async () => {
  const sql = app.deps.sql;
  const id = await heldRun(sql, OWNER);
  const exec = (await findExecution(sql, id))!;
  const viewers = Array.from({ length: 10 }, () => followChunks(app.hub!.subscribeLogBatches(exec, 0)));
  const budget = app.hub!.budget;
  const stop = keepFlooding(FLOOD);
  budget.spent(60_000);
  try {
    const w = writer(id);
    for (let i = 1; i <= 5000; i++) w.write('INFO', `line ${i}`);
    await w.flush();
    // Every viewer's catch-up waits for the budget: nothing was pushed.
    await until(() => budget.waiting.sends === viewers.length);
    for (const v of viewers) assert.deepEqual(v.seqs, []);
  } finally {
    stop();
    budget.flood(FLOOD, false);
  }
  for (const v of viewers) await v.has(5000);
  for (const v of viewers) assert.deepEqual(v.seqs, upTo(5000));
});

test('during a flood, what is no longer in memory is read from the database once the flood is over', { timeout: 30_000 }, async () => {
  const sql = app.deps.sql;
  const hub = app.hub! as unknown as { logs: Map<number, unknown>; forgetRecent: (s: unknown) => void };
  const id = await heldRun(sql, OWNER);
  const { reads, restore } = spyReads(id);
  const budget = app.hub!.budget;
  let stop = () => {};
  try {
    const v = followChunks(app.hub!.subscribeLogBatches((await findExecution(sql, id))!, 0));
    // The state's first read (what came since the execution was read: nothing).
    await until(() => reads.length === 1);
    stop = keepFlooding(FLOOD);
    const w = writer(id);
    for (let i = 1; i <= 3000; i++) w.write('INFO', `line ${i}`);
    await w.flush();
    // Memory no longer reaches back (a longer flood, or other executions, took its room); the
    // viewer's catch-up, queued for the budget, has not run yet (its turn comes on a timer).
    hub.forgetRecent(hub.logs.get(id));
    // The budget has time, the flood goes on: the catch-up waits for its end.
    await until(() => budget.waiting.calm === 1);
    assert.deepEqual(reads, [0]);
    assert.deepEqual(v.seqs, []);
    stop();
    budget.flood(FLOOD, false);
    await v.has(3000);
    assert.deepEqual(v.seqs, upTo(3000));
    assert.deepEqual(reads, [0, 0], 'one read, after the flood');
  } finally {
    stop();
    budget.flood(FLOOD, false);
    restore();
  }
});

test('a writer says in its NOTIFY when many entries wait behind a batch (":flood"), for viewers in other processes', { timeout: 30_000 }, async () => {
  const sql = app.deps.sql;
  const id = await heldRun(sql, OWNER);
  const payloads: string[] = [];
  const heard = await sql.listen('jobdeck_log', (p) => void (p.startsWith(`${id}:`) && payloads.push(p)));
  try {
    // No viewer in this process (`live` unset): as in a worker beside a web process.
    const w = new LogWriter(sql, id, 0, { maxLines: 1_000_000, maxLineChars: 1000, owner: OWNER });
    for (let i = 1; i <= 25_000; i++) w.write('INFO', `line ${i}`);
    await w.flush();
    await until(() => payloads.length === 3);
    // Batches of 10,000: 15,000 and 5,000 wait behind the first two, none behind the last.
    assert.deepEqual(payloads, [`${id}:10000:flood`, `${id}:20000:flood`, `${id}:25000`]);
  } finally {
    await heard.unlisten();
  }
});

test('viewers of a writer in another process: during its flood their reads keep to the budget; its last batch ends it', { timeout: 30_000 }, async () => {
  const sql = app.deps.sql;
  const id = await heldRun(sql, OWNER);
  const { reads, restore } = spyReads(id);
  const budget = app.hub!.budget;
  const batch = (from: number, to: number) => {
    const seqs = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    return { seqs, ats: seqs.map(() => Date.now()), levels: seqs.map(() => 'INFO' as const), messages: seqs.map((s) => `line ${s}`) };
  };
  const delta = (lastSeq: number) => ({ lastSeq, warnings: 0, errors: 0, dropped: 0, progress: null });
  let stop = () => {};
  try {
    const exec = (await findExecution(sql, id))!;
    const viewers = Array.from({ length: 5 }, () => followChunks(app.hub!.subscribeLogBatches(exec, 0)));
    // The state's first read (what came since the execution was read: nothing).
    await until(() => reads.length === 1);
    // The other process's writer stores a batch with many entries behind it: its NOTIFY says ":flood".
    assert.ok(await appendBatch(sql, id, OWNER, batch(1, 3000), delta(3000), true));
    await until(() => budget.flooding);
    // Its later batches, each with entries behind it, would say so again.
    stop = keepFlooding(-id);
    budget.spent(60_000);
    // The hub's read of that batch waits for the budget: nothing is read, nothing delivered.
    await until(() => budget.waiting.sends >= 1);
    assert.deepEqual(reads, [0]);
    for (const v of viewers) assert.deepEqual(v.seqs, []);
    stop();
    // Its last batch has nothing behind it: the flood is over, the viewers get every entry in order.
    assert.ok(await appendBatch(sql, id, OWNER, batch(3001, 4000), delta(4000)));
    for (const v of viewers) await v.has(4000);
    for (const v of viewers) assert.deepEqual(v.seqs, upTo(4000));
    assert.equal(budget.floodsFor(-id), false);
  } finally {
    stop();
    budget.flood(-id, false);
    restore();
  }
});
