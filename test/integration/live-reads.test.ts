/**
 * The live hub reads the database only for what it has not got (issue #19, a job watched by live
 * viewers): a 200,000-line job watched by one viewer was also read back from PostgreSQL a third of
 * the way, and by a hundred viewers many times over, while it was being written.
 * - the NOTIFY of a batch that a worker of this process is writing needs no read (it often comes in
 *   before the writer hears its own statement answered): the writer announces a batch before it
 *   sends it;
 * - a writer that gives up (its run taken by another) hands the log back to the database;
 * - viewers arriving before anything was read read nothing;
 * - viewers who all left (cut off for falling behind) and come back find the entries in memory.
 * Reads are counted (hubReads); where memory must answer, the stored entries are deleted first.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Sql } from '../../db/client';
import { findExecution } from '../../db/queries/executions';
import { LogWriter } from '../../jobs/log-writer';
import { startTestApp, type TestApp } from '../helpers/app';
import { followChunks } from '../helpers/follow-chunks';
import { heldRun } from '../helpers/held-run';

const OWNER = 'test-owner@live-reads';
let app: TestApp;

before(async () => {
  app = await startTestApp();
});
after(() => app?.stop());

const upTo = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const writer = (id: number) => new LogWriter(app.deps.sql, id, 0, { maxLines: 1_000_000, maxLineChars: 1000, owner: OWNER, live: app.hub! });

/** A transaction holding the execution's row: the writer's next statement waits for it. */
async function holdRow(id: number) {
  const tx = await app.deps.sql.reserve();
  await tx`BEGIN`;
  await tx`SELECT 1 FROM executions WHERE id = ${id} FOR UPDATE`;
  return tx;
}
/** Until a statement writing log entries waits for a lock (the writer has sent its batch). */
async function writerWaiting(sql: Sql) {
  for (;;) {
    const [r] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO log_entries%'`;
    if (r!.n > 0) return;
    await new Promise((res) => setTimeout(res, 5));
  }
}

/** The hub's reads of the database, one execution's at a time (the hub's own read, spied on). */
function spyReads() {
  const hub = app.hub! as unknown as { read: (id: number, afterSeq: number) => Promise<unknown[]> };
  const done: number[] = [];
  const waiters: { id: number; resolve: () => void }[] = [];
  const read = hub.read.bind(hub);
  hub.read = async (id, afterSeq) => {
    const rows = await read(id, afterSeq);
    done.push(id);
    for (const w of waiters.splice(0)) if (w.id === id) w.resolve();
    else waiters.push(w);
    return rows;
  };
  return {
    of: (id: number) => done.filter((x) => x === id).length,
    next: (id: number) => new Promise<void>((resolve) => waiters.push({ id, resolve })),
    restore: () => void (hub.read = read),
  };
}

test('the NOTIFY of a batch this process is writing needs no read', { timeout: 30_000 }, async () => {
  const sql = app.deps.sql;
  const hub = app.hub!;
  const spy = spyReads();
  try {
    const a = await heldRun(sql, OWNER);
    const b = await heldRun(sql, OWNER);
    // Each new state reads once what was committed since its execution was read (nothing here).
    let read = spy.next(a);
    const va = followChunks(hub.subscribeLogBatches((await findExecution(sql, a))!, 0));
    await read;
    read = spy.next(b);
    const vb = followChunks(hub.subscribeLogBatches((await findExecution(sql, b))!, 0));
    await read;
    const before = spy.of(a);

    const w = writer(a);
    const lock = await holdRow(a);
    for (let i = 1; i <= 20_000; i++) w.write('INFO', `line ${i}`);
    await writerWaiting(sql);
    // The NOTIFY of the batch's commit, before the writer hears of the commit (what often
    // happens), then one for another execution, whose entry only a read can bring: once that one
    // is delivered, the hub has handled both.
    await sql`INSERT INTO log_entries (execution_id, seq, at, level, message) VALUES (${b}, 1, now(), 'INFO', 'b')`;
    await sql.begin((tx) => [tx`SELECT pg_notify('jobdeck_log', ${`${a}:10000`})`, tx`SELECT pg_notify('jobdeck_log', ${`${b}:1`})`]);
    await vb.has(1);

    await lock`COMMIT`;
    lock.release();
    await w.flush();
    await va.has(20_000);
    assert.deepEqual(va.seqs, upTo(1, 20_000));
    assert.equal(spy.of(a) - before, 0, 'entries this process wrote were not read back');
  } finally {
    spy.restore();
  }
});

test('a writer that gives up hands its viewers back to the database', { timeout: 30_000 }, async () => {
  const sql = app.deps.sql;
  const id = await heldRun(sql, OWNER);
  const v = followChunks(app.hub!.subscribeLogBatches((await findExecution(sql, id))!, 0));
  const w = writer(id);
  w.write('INFO', 'line 1');
  await w.flush();
  await v.has(1);

  const lock = await holdRow(id);
  for (let i = 2; i <= 10; i++) w.write('INFO', `line ${i}`);
  await writerWaiting(sql);
  // Another worker takes the run over (this one lost its lease) and writes the next entry.
  await lock`UPDATE executions SET owner = 'another-worker', last_seq = 2 WHERE id = ${id}`;
  await lock`INSERT INTO log_entries (execution_id, seq, at, level, message) VALUES (${id}, 2, now(), 'INFO', 'written by another worker')`;
  await lock`SELECT pg_notify('jobdeck_log', ${`${id}:2`})`;
  await lock`COMMIT`;
  lock.release();
  await assert.rejects(w.flush(), /no longer held/);
  assert.equal(w.lost, 9);
  // The writer announced entries up to 10 and wrote none: the NOTIFY of seq 2 alone would be taken
  // for its own. The viewer gets the other worker's entry all the same.
  await v.has(2);
  assert.deepEqual(v.seqs, [1, 2]);
});

test('viewers who come before anything was read read nothing more from the database', { timeout: 30_000 }, async () => {
  const sql = app.deps.sql;
  const spy = spyReads();
  try {
    const id = await heldRun(sql, OWNER);
    const exec = (await findExecution(sql, id))!;
    // The first makes the execution's state, which reads once what came since exec was read.
    const created = spy.next(id);
    const viewers = Array.from({ length: 20 }, () => followChunks(app.hub!.subscribeLogBatches(exec, 0)));
    await created;
    const w = writer(id);
    for (let i = 1; i <= 3000; i++) w.write('INFO', `line ${i}`);
    await w.flush();
    for (const v of viewers) await v.has(3000);
    for (const v of viewers) assert.deepEqual(v.seqs, upTo(1, 3000));
    assert.equal(spy.of(id), 1, 'one read for twenty viewers');
  } finally {
    spy.restore();
  }
});

test('viewers who all left and come back find the entries in memory', { timeout: 30_000 }, async () => {
  const sql = app.deps.sql;
  const id = await heldRun(sql, OWNER);
  const ch = app.hub!.subscribeLogBatches((await findExecution(sql, id))!, 0);
  const first = followChunks(ch);
  const w = writer(id);
  for (let i = 1; i <= 30_000; i++) w.write('INFO', `line ${i}`);
  await w.flush();
  await first.has(30_000);
  // The only viewer leaves (as one cut off for falling behind does), then comes back from 15,000;
  // the entries after 10,000 are gone from the database: only memory can give them back.
  await ch.return();
  await first.done;
  await sql`DELETE FROM log_entries WHERE execution_id = ${id} AND seq > 10000`;
  const back = followChunks(app.hub!.subscribeLogBatches((await findExecution(sql, id))!, 15_000));
  await sql`UPDATE executions SET status = 'SUCCESS', ended_at = now() WHERE id = ${id}`;
  await sql`SELECT pg_notify('jobdeck_exec', ${String(id)})`;
  assert.deepEqual(await back.done, upTo(15_001, 30_000));
});
