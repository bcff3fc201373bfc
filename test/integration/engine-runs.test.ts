import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { ADMIN, Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/worker';

const times: Record<string, { start: number; end: number }> = {};
let release: () => void = () => {};
const gate = () => new Promise<void>((r) => (release = r));
let gatePromise: Promise<void> = Promise.resolve();

const lockA = defineJob({ id: 'test.lock-a', description: 'Locks res', kind: 'GLOBAL', locks: ['res'], async run(ctx) {
  times.a = { start: Date.now(), end: 0 };
  await new Promise((r) => setTimeout(r, 700));
  times.a.end = Date.now();
  ctx.log.info('a done');
} });
const lockB = defineJob({ id: 'test.lock-b', description: 'Locks res too', kind: 'GLOBAL', locks: ['res'], async run(ctx) {
  times.b = { start: Date.now(), end: 0 };
  await new Promise((r) => setTimeout(r, 700));
  times.b.end = Date.now();
  ctx.log.info('b done');
} });
const blocker = defineJob({ id: 'test.blocker', description: 'Runs until released', kind: 'GLOBAL', async run(ctx) {
  ctx.log.info('blocking');
  await Promise.race([gatePromise, new Promise((_, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('aborted'))))]);
} });
const fast1 = defineJob({ id: 'test.fast1', description: 'Fast', kind: 'GLOBAL', async run(ctx) { ctx.log.info('fast'); } });
const fast2 = defineJob({ id: 'test.fast2', description: 'Fast', kind: 'GLOBAL', async run(ctx) { ctx.log.warn('careful'); } });
const cancellable = defineJob({ id: 'test.cancellable', description: 'Honours its signal', kind: 'GLOBAL', async run(ctx) {
  ctx.log.info('started');
  await new Promise<void>((_, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('stopped'))));
} });

let app: TestApp;
let g: Gql;
before(async () => {
  app = await startTestApp({ RETENTION_PER_ROW: '3' }, { extraJobs: [lockA, lockB, blocker, fast1, fast2, cancellable] });
  g = await new Gql(app.url).login();
});
after(async () => {
  release();
  await app?.stop();
});

const EXEC = `mutation($jobs: [JobRef!]!) { executeNow(jobs: $jobs) { job { jobId } reason execution { id status } } }`;
const GET = `query($id: ID!) { execution(id: $id) { id status trigger triggeredBy warningCount logs(first: 50) { entries { seq level message } } } }`;
const ref = (jobId: string) => ({ jobId, domain: 'global' });
async function finished(id: string, timeoutMs = 20_000) {
  return waitFor(`execution ${id} to end`, async () => {
    const { execution } = await g.ok(GET, { id });
    return execution.status !== 'IN_PROGRESS' ? execution : undefined;
  }, timeoutMs);
}

test('executeNow in bulk: the running row answers ALREADY_RUNNING, the others start; overlap refused', async () => {
  gatePromise = gate();
  const first = (await g.ok(EXEC, { jobs: [ref('test.blocker')] })).executeNow[0];
  assert.equal(first.reason, null);
  const bulk = (await g.ok(EXEC, { jobs: [ref('test.fast1'), ref('test.blocker'), ref('test.fast2'), ref('nope.job')] })).executeNow;
  assert.deepEqual(bulk.map((r: any) => r.reason), [null, 'ALREADY_RUNNING', null, 'NOT_FOUND']);
  assert.equal(bulk[1].execution, null);
  const f1 = await finished(bulk[0].execution.id);
  const f2 = await finished(bulk[2].execution.id);
  assert.equal(f1.status, 'SUCCESS');
  assert.equal(f1.trigger, 'MANUAL');
  assert.equal(f1.triggeredBy, ADMIN.email);
  assert.equal(f2.status, 'WARNING');
  assert.equal(f2.warningCount, 1);
  // Overlap is enforced by the database too.
  const [c] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions e JOIN job_rows r ON r.id = e.row_id WHERE r.job_id = 'test.blocker' AND e.status = 'IN_PROGRESS'`;
  assert.equal(c!.n, 1);
  release();
  assert.equal((await finished(first.execution.id)).status, 'SUCCESS');
  const again = (await g.ok(EXEC, { jobs: [ref('test.blocker')] })).executeNow[0];
  assert.equal(again.reason, null);
  assert.equal((await finished(again.execution.id)).status, 'SUCCESS');
});

test('two jobs that lock one resource never overlap; the later waits', async () => {
  const r = (await g.ok(EXEC, { jobs: [ref('test.lock-a'), ref('test.lock-b')] })).executeNow;
  const ea = await finished(r[0].execution.id);
  const eb = await finished(r[1].execution.id);
  assert.equal(ea.status, 'SUCCESS');
  assert.equal(eb.status, 'SUCCESS');
  const [x, y] = times.a!.start < times.b!.start ? [times.a!, times.b!] : [times.b!, times.a!];
  assert.ok(y.start >= x.end, `overlap: ${JSON.stringify(times)}`);
  const later = times.a!.start < times.b!.start ? eb : ea;
  assert.ok(later.logs.entries.some((e: any) => /^Waiting for res \(1 of 1 in use\)\.$/.test(e.message)), JSON.stringify(later.logs.entries));
});

test('cancel of a TypeScript job that honours its signal', async () => {
  const r = (await g.ok(EXEC, { jobs: [ref('test.cancellable')] })).executeNow[0];
  const id = r.execution.id;
  await waitFor('the job to start', async () => (await g.ok(GET, { id })).execution.logs.entries.length > 0);
  await g.ok(`mutation($id: ID!) { cancelExecution(id: $id) { id } }`, { id });
  const e = await finished(id, 10_000);
  assert.equal(e.status, 'CANCELLED');
  assert.ok(e.logs.entries.some((l: any) => l.message.includes(`Cancelled by ${ADMIN.email}`)), JSON.stringify(e.logs.entries));
});

test('execute-now latency: mutation sent → first log entry at a subscriber', async () => {
  const ws = g.ws();
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = (await g.ok(EXEC, { jobs: [ref('test.fast1')] })).executeNow[0];
    const sub = subscribe(ws, `subscription($id: ID!) { executionLog(executionId: $id) { seq message } }`, { id: r.execution.id }, (items) => items.length >= 1);
    await sub.done;
    samples.push(performance.now() - t0);
    await finished(r.execution.id);
  }
  await ws.dispose();
  samples.sort((a, b) => a - b);
  console.log(`execute-now → first log entry: median ${samples[2]!.toFixed(0)} ms, min ${samples[0]!.toFixed(0)} ms, max ${samples[4]!.toFixed(0)} ms`);
});

test('retention keeps the newest RETENTION_PER_ROW executions of a row', async () => {
  const ids: number[] = [];
  for (let i = 0; i < 6; i++) {
    const r = (await g.ok(EXEC, { jobs: [ref('test.fast1')] })).executeNow[0];
    await finished(r.execution.id);
    ids.push(Number(r.execution.id));
  }
  const ret = (await g.ok(EXEC, { jobs: [ref('system.retention')] })).executeNow[0];
  const e = await finished(ret.execution.id);
  assert.ok(['SUCCESS', 'WARNING'].includes(e.status), JSON.stringify(e));
  const left = await app.deps.sql<{ id: number }[]>`SELECT e.id::int AS id FROM executions e JOIN job_rows r ON r.id = e.row_id WHERE r.job_id = 'test.fast1' ORDER BY e.id`;
  assert.equal(left.length, 3);
  assert.deepEqual(left.map((x) => x.id), ids.slice(-3));
});
