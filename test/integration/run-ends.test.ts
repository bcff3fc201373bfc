/**
 * The ends of a worker's runs, several in one statement (jobs/run-ends.ts, appendAndEndMany): each
 * run is written and ended, or refused, on its own as if it had ended alone; runs that end together
 * share a statement, ends that come while one is on its way go in the next; a statement that fails
 * leaves each run to its own writes; and the worker's runs end through it. Real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { appendAndEndMany, type LogBatch, type LogLevel, type RunEnd } from '../../db/queries/logs';
import { LogWriter } from '../../jobs/log-writer';
import { RunEnds, runEndsOf } from '../../jobs/run-ends';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, type TestApp } from '../helpers/app';
import { heldRun as heldRunOf } from '../helpers/held-run';
import { waitFor } from '../helpers/worker';

const OWNER = 'test-owner@ends';
const TINY = Array.from({ length: 30 }, (_, i) =>
  defineJob({ id: `test.end-${i + 1}`, description: 'Ends at once', kind: 'GLOBAL', async run(ctx) { ctx.log.info(`tiny ${i + 1}`); } }),
);

let app: TestApp;
before(async () => {
  app = await startTestApp({}, { extraJobs: TINY });
});
after(() => app?.stop());

const heldRun = (opts: { reportSend?: boolean } = {}) => heldRunOf(app.deps.sql, OWNER, opts);

function batchOf(first: number, entries: [LogLevel, string][]): LogBatch {
  return { seqs: entries.map((_, i) => first + i), ats: entries.map((_, i) => Date.UTC(2026, 0, 1, 0, 0, i)), levels: entries.map((e) => e[0]), messages: entries.map((e) => e[1]) };
}
function endOf(executionId: number, entries: [LogLevel, string][], status: RunEnd['status'] = 'SUCCESS', owner = OWNER): RunEnd {
  const warnings = entries.filter((e) => e[0] === 'WARNING').length;
  const errors = entries.filter((e) => e[0] === 'ERROR').length;
  return { executionId, owner, batch: batchOf(1, entries), delta: { lastSeq: entries.length, warnings, errors, dropped: 0, progress: null }, status, error: status === 'FAILURE' ? 'it broke' : null };
}

async function stateOf(id: number) {
  const [e] = await app.deps.sql<{ status: string; lastSeq: number; warnings: number; errors: number; error: string | null; ended: boolean }[]>`
    SELECT status::text, last_seq AS "lastSeq", warning_count AS warnings, error_count AS errors, error, ended_at IS NOT NULL AS ended FROM executions WHERE id = ${id}`;
  const entries = await app.deps.sql<{ seq: number; level: string; message: string }[]>`
    SELECT seq, level::text, message FROM log_entries WHERE execution_id = ${id} ORDER BY seq`;
  return { ...e!, entries: entries.map((x) => [x.seq, x.level, x.message]) };
}

test('several runs end in one statement, each written, ended or refused as if it had ended alone', async () => {
  const quiet = await heldRun();
  const reported = await heldRun({ reportSend: true });
  const failed = await heldRun();
  const others = await heldRunOf(app.deps.sql, 'someone-else');
  const mixed = await heldRun();
  const silent = await heldRun();
  const answers = await appendAndEndMany(app.deps.sql, [
    endOf(quiet, [['INFO', 'one'], ['INFO', 'two']]),
    endOf(reported, [['INFO', 'for the report']]),
    endOf(failed, [['ERROR', 'Failed: it broke']], 'FAILURE'),
    endOf(others, [['INFO', 'not mine']]),
    endOf(mixed, [['WARNING', 'a\nmultiline warning'], ['INFO', ''], ['PROGRESS', '50%']], 'WARNING'),
    endOf(silent, []),
  ], { wait: false });
  assert.deepEqual(answers, [
    { owned: true, ended: true },
    // A report to queue, a failure to alert on: written, left in progress for the caller's transaction.
    { owned: true, ended: false },
    { owned: true, ended: false },
    { owned: false, ended: false },
    { owned: true, ended: true },
    { owned: true, ended: true },
  ]);
  assert.deepEqual(await stateOf(quiet), { status: 'SUCCESS', lastSeq: 2, warnings: 0, errors: 0, error: null, ended: true, entries: [[1, 'INFO', 'one'], [2, 'INFO', 'two']] });
  assert.deepEqual(await stateOf(reported), { status: 'IN_PROGRESS', lastSeq: 1, warnings: 0, errors: 0, error: null, ended: false, entries: [[1, 'INFO', 'for the report']] });
  assert.deepEqual(await stateOf(failed), { status: 'IN_PROGRESS', lastSeq: 1, warnings: 0, errors: 1, error: null, ended: false, entries: [[1, 'ERROR', 'Failed: it broke']] });
  assert.deepEqual(await stateOf(others), { status: 'IN_PROGRESS', lastSeq: 0, warnings: 0, errors: 0, error: null, ended: false, entries: [] });
  assert.deepEqual(await stateOf(mixed), {
    status: 'WARNING', lastSeq: 3, warnings: 1, errors: 0, error: null, ended: true,
    entries: [[1, 'WARNING', 'a\nmultiline warning'], [2, 'INFO', ''], [3, 'PROGRESS', '50%']],
  });
  assert.deepEqual(await stateOf(silent), { status: 'SUCCESS', lastSeq: 0, warnings: 0, errors: 0, error: null, ended: true, entries: [] });
});

test('runs that end together share a statement; ends that come while one is on its way go in the next', async () => {
  let statements = 0;
  let gate: (() => void) | undefined;
  const ends = new RunEnds(async (xs, opts) => {
    statements++;
    if (statements === 1) await new Promise<void>((r) => (gate = r));
    return appendAndEndMany(app.deps.sql, xs, opts);
  });
  const first = await heldRun();
  const firstEnded = ends.end(endOf(first, [['INFO', 'first']]));
  await waitFor('the first statement on its way', async () => gate !== undefined || undefined, 5_000);
  const later = await Promise.all(Array.from({ length: 12 }, () => heldRun()));
  // Three turns of the event loop apart: without the first statement on its way they would go in three.
  const laterEnded: Promise<unknown>[] = [];
  for (const [i, id] of later.entries()) {
    if (i % 4 === 0) await new Promise((r) => setImmediate(r));
    laterEnded.push(ends.end(endOf(id, [['INFO', `later ${i}`]])));
  }
  gate!();
  assert.deepEqual(await firstEnded, { owned: true, ended: true });
  for (const a of await Promise.all(laterEnded)) assert.deepEqual(a, { owned: true, ended: true });
  assert.equal(statements, 2);
  assert.deepEqual(ends.stats, { statements: 2, runs: 13, busy: 0 });
  for (const [i, id] of later.entries()) assert.deepEqual((await stateOf(id)).entries, [[1, 'INFO', `later ${i}`]]);
});

// Without SKIP LOCKED the others would wait with it: bounded, it fails instead of hanging.
test('a run whose rows another transaction holds does not hold up the others: it ends alone once they are free', { timeout: 20_000 }, async () => {
  const [a, locked, b] = [await heldRun(), await heldRun(), await heldRun()];
  // As openExecution leaves it: the row's last execution is the run, so its end updates the row.
  await app.deps.sql`UPDATE job_rows SET last_execution_id = e.id FROM executions e WHERE e.id = ANY(${[a, locked, b]}::bigint[]) AND job_rows.id = e.row_id`;
  const ends = new RunEnds((xs, opts) => appendAndEndMany(app.deps.sql, xs, opts));
  let release!: () => void;
  let holding!: () => void;
  const held = new Promise<void>((r) => (holding = r));
  // updateJobs holding this run's row (job_rows) in a transaction of its own.
  const tx = app.deps.sql.begin(async (t) => {
    await t`SELECT 1 FROM job_rows WHERE id = (SELECT row_id FROM executions WHERE id = ${locked}) FOR UPDATE`;
    holding();
    await new Promise<void>((r) => (release = r));
  });
  await held;
  let lockedAnswer: unknown;
  const lockedEnded = ends.end(endOf(locked, [['INFO', 'waited']])).then((x) => (lockedAnswer = x));
  try {
    const others = await Promise.all([ends.end(endOf(a, [['INFO', 'a']])), ends.end(endOf(b, [['INFO', 'b']]))]);
    assert.deepEqual(others, [{ owned: true, ended: true }, { owned: true, ended: true }]);
    assert.equal((await stateOf(a)).status, 'SUCCESS');
    assert.equal(lockedAnswer, undefined);
    assert.deepEqual(await stateOf(locked), { status: 'IN_PROGRESS', lastSeq: 0, warnings: 0, errors: 0, error: null, ended: false, entries: [] });
    // The run that waits for its row does not hold up the worker's later ends either.
    const c = await heldRun();
    assert.deepEqual(await ends.end(endOf(c, [['INFO', 'c']])), { owned: true, ended: true });
    assert.equal(lockedAnswer, undefined);
  } finally {
    release();
    await tx;
  }
  await lockedEnded;
  assert.deepEqual(lockedAnswer, { owned: true, ended: true });
  assert.deepEqual(await stateOf(locked), { status: 'SUCCESS', lastSeq: 1, warnings: 0, errors: 0, error: null, ended: true, entries: [[1, 'INFO', 'waited']] });
  assert.deepEqual(ends.stats, { statements: 3, runs: 4, busy: 1 });
});

test('a statement that fails fails each of its runs: each writer falls back to its own writes', async () => {
  const good = await heldRun();
  const taken = await heldRun();
  // Someone else wrote seq 1 of `taken` (a sweeper after a lost lease): the shared statement fails on it.
  await app.deps.sql`INSERT INTO log_entries (execution_id, seq, at, level, message) VALUES (${taken}, 1, now(), 'ERROR', 'Interrupted by the sweeper')`;
  const ends = new RunEnds((xs, opts) => appendAndEndMany(app.deps.sql, xs, opts));
  const writer = (id: number, line: string) => {
    const w = new LogWriter(app.deps.sql, id, 0, { maxLines: 1000, maxLineChars: 1000, owner: OWNER });
    w.write('INFO', line);
    w.close();
    return w;
  };
  const [wGood, wTaken] = [writer(good, 'good line'), writer(taken, 'late line')];
  const [endedGood, endedTaken] = await Promise.allSettled([
    wGood.flushAndEnd((batch, delta) => ends.end({ executionId: good, owner: OWNER, batch, delta, status: 'SUCCESS', error: null })),
    wTaken.flushAndEnd((batch, delta) => ends.end({ executionId: taken, owner: OWNER, batch, delta, status: 'SUCCESS', error: null })),
  ]);
  assert.equal(ends.stats.statements, 1);
  // The good run's line is written on its own; it stays in progress for the runner's usual end.
  assert.deepEqual(endedGood, { status: 'fulfilled', value: false });
  assert.deepEqual(await stateOf(good), { status: 'IN_PROGRESS', lastSeq: 1, warnings: 0, errors: 0, error: null, ended: false, entries: [[1, 'INFO', 'good line']] });
  // The taken run's late line never lands after the sweeper's entry.
  assert.equal(endedTaken.status, 'rejected');
  assert.equal(wTaken.refused, true);
  assert.deepEqual((await stateOf(taken)).entries, [[1, 'ERROR', 'Interrupted by the sweeper']]);
});

test("a worker's runs that end together end in fewer statements than runs", async () => {
  const g = await new Gql(app.url).login();
  const { executeNow } = await g.ok(`mutation($jobs: [JobRef!]!) { executeNow(jobs: $jobs) { execution { id } } }`, {
    jobs: TINY.map((j) => ({ jobId: j.id, domain: 'global' })),
  });
  const ids: number[] = executeNow.map((x: { execution: { id: string } }) => Number(x.execution.id));
  await waitFor('every tiny run to end', async () => {
    const [r] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE id = ANY(${ids}::bigint[]) AND status = 'SUCCESS'`;
    return r!.n === ids.length || undefined;
  }, 20_000);
  // The worker's own RunEnds (made by its first run's end): these runs, and any the app ran before.
  const { runs, statements } = runEndsOf(app.deps.sql).stats;
  assert.ok(runs >= TINY.length, `${runs} runs ended through the worker's RunEnds`);
  assert.ok(statements <= runs / 3, `${runs} runs ended in ${statements} statements`);
  // executeNow answers in the order asked: the i-th run is test.end-(i + 1)'s.
  for (const [i, id] of ids.entries()) assert.deepEqual((await stateOf(id)).entries.map((e) => e[2]), [`tiny ${i + 1}`]);
});
