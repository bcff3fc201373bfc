/**
 * Retries (issue #16): a failed run with attempts left starts again as a new execution (trigger
 * RETRY, attempt + 1, retryOf = the first attempt) after its delay; the report and the FAILED alert
 * wait for the last attempt; cancelling a waiting retry ends the chain; a row's own policy wins over
 * its job's. Real PostgreSQL and the app's own worker; waits are on the database, never sleeps.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { retryDelayMs, retries } from '../../jobs/retry';
import { Gql, startTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/worker';

let app: TestApp;
let admin: Gql;
const calls = new Map<string, number>();
/** Fails its first `failFirst` runs in a domain, then succeeds. */
const flaky = defineJob({
  id: 'test.flaky', description: 'Fails, then succeeds', kind: 'PER_DOMAIN',
  retry: { attempts: 2, delaySeconds: 1, backoff: 'FIXED' },
  run: async (ctx) => {
    const n = (calls.get(ctx.domain) ?? 0) + 1;
    calls.set(ctx.domain, n);
    ctx.log.info(`attempt ${n}`);
    const failFirst = ctx.domain.startsWith('two') ? 2 : 99;
    if (n <= failFirst) throw new Error(`boom ${n}`);
  },
});

type E = { id: string; status: string; trigger: string; attempt: number; retryOf: string | null; retryAt: string | null; startedAt: string; endedAt: string | null };
const EXECS = 'query($d: String!) { job(jobId: "test.flaky", domain: $d) { retry { attempts delaySeconds backoff } executions(first: 20) { nodes { id status trigger attempt retryOf retryAt startedAt endedAt } } } }';
const executions = async (d: string) => ((await admin.ok(EXECS, { d })).job.executions.nodes as E[]).reverse();
const run = async (d: string) => (await admin.ok('mutation($d: String!) { executeNow(jobs: [{ jobId: "test.flaky", domain: $d }]) { execution { id } } }', { d })).executeNow[0].execution.id as string;
const codes = (r: { errors?: { extensions?: { code?: string; field?: string } }[] }) => (r.errors ?? []).map((e) => [e.extensions?.code, e.extensions?.field]);

before(async () => {
  app = await startTestApp({}, { extraJobs: [flaky] });
  admin = await new Gql(app.url).login();
  await admin.ok('mutation { a: createDomain(name: "two.example") { name } b: createDomain(name: "always.example") { name } c: createDomain(name: "cancel.example") { name } d: createDomain(name: "own.example") { name } }');
  // Reports for every ended run, so that "the report waits for the last attempt" can be counted.
  for (const d of ['two.example', 'always.example'])
    await admin.ok('mutation($d: String!) { updateJob(jobId: "test.flaky", domain: $d, input: { report: { send: true, recipients: ["ops@example.com"] } }) { id } }', { d });
});
after(() => app.stop());

test('a run that fails twice is retried after its delay and succeeds on its third attempt; one report, no FAILED alert', async () => {
  const first = await run('two.example');
  await waitFor('the third attempt to succeed', async () => (await executions('two.example')).some((e) => e.status === 'SUCCESS'), 20_000);
  const es = await executions('two.example');
  assert.deepEqual(es.map((e) => [e.status, e.trigger, e.attempt, e.retryOf]), [
    ['FAILURE', 'MANUAL', 1, null],
    ['FAILURE', 'RETRY', 2, first],
    ['SUCCESS', 'RETRY', 3, first],
  ]);
  // Each retry started no sooner than 80 % of its 1 s delay after the run it repeats ended.
  for (let i = 1; i < es.length; i++) {
    const gap = Date.parse(es[i]!.startedAt) - Date.parse(es[i - 1]!.endedAt!);
    assert.ok(gap >= 750, `attempt ${i + 1} started ${gap} ms after attempt ${i} ended`);
  }
  const sql = app.deps.sql;
  const reports = await sql<{ execution_id: number }[]>`SELECT execution_id::int FROM outbox WHERE execution_id = ANY(${es.map((e) => Number(e.id))}::bigint[])`;
  assert.deepEqual(reports.map((r) => String(r.execution_id)), [es[2]!.id], 'one report, for the last attempt');
  const [a] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM alerts WHERE domain = 'two.example' AND kind = 'FAILED'`;
  assert.equal(a!.n, 0, 'the chain succeeded: no FAILED alert');
});

test('a run that keeps failing stops after its attempts: the last one reports and opens the FAILED alert', async () => {
  await run('always.example');
  await waitFor('three failed attempts', async () => (await executions('always.example')).filter((e) => e.status === 'FAILURE').length === 3, 20_000);
  const es = await executions('always.example');
  assert.deepEqual(es.map((e) => [e.status, e.attempt]), [['FAILURE', 1], ['FAILURE', 2], ['FAILURE', 3]]);
  const sql = app.deps.sql;
  const reports = await sql<{ execution_id: number }[]>`SELECT execution_id::int FROM outbox WHERE execution_id = ANY(${es.map((e) => Number(e.id))}::bigint[])`;
  assert.deepEqual(reports.map((r) => String(r.execution_id)), [es[2]!.id]);
  const alerts = await sql<{ execution_id: number }[]>`SELECT execution_id::int FROM alerts WHERE domain = 'always.example' AND kind = 'FAILED' AND resolved_at IS NULL`;
  assert.deepEqual(alerts.map((r) => String(r.execution_id)), [es[2]!.id], 'the alert waited for the last attempt');
});

test('a row\'s own policy wins over its job\'s; cancelling a waiting retry ends the chain; bad policies name the field', async () => {
  const UPDATE = 'mutation($d: String!, $r: RetryInput!) { updateJob(jobId: "test.flaky", domain: $d, input: { retry: $r }) { retry { attempts delaySeconds backoff } } }';
  assert.deepEqual((await admin.ok(EXECS, { d: 'own.example' })).job.retry, { attempts: 2, delaySeconds: 1, backoff: 'FIXED' }, 'the job\'s own');
  for (const [r, field] of [
    [{ attempts: 11, delaySeconds: 1, backoff: 'FIXED' }, 'input.retry.attempts'],
    [{ attempts: -1, delaySeconds: 1, backoff: 'FIXED' }, 'input.retry.attempts'],
    [{ attempts: 1, delaySeconds: 86_401, backoff: 'FIXED' }, 'input.retry.delaySeconds'],
  ] as const) assert.deepEqual(codes(await admin.query(UPDATE, { d: 'own.example', r })), [['BAD_USER_INPUT', field]]);
  assert.deepEqual((await admin.ok(EXECS, { d: 'own.example' })).job.retry.attempts, 2, 'nothing changed');
  const policy = { attempts: 5, delaySeconds: 3600, backoff: 'EXPONENTIAL' };
  assert.deepEqual((await admin.ok(UPDATE, { d: 'cancel.example', r: policy })).updateJob.retry, policy);
  await run('cancel.example');
  const waiting = await waitFor('a retry waiting for its hour', async () => (await executions('cancel.example')).find((e) => e.retryAt));
  assert.equal(waiting.attempt, 2);
  const due = Date.parse(waiting.retryAt!) - Date.now();
  assert.ok(due > 0.75 * 3600_000 && due <= 1.2 * 3600_000, `due in ${due} ms`);
  const cancelled = (await admin.ok('mutation($id: ID!) { cancelExecution(id: $id) { status } }', { id: waiting.id })).cancelExecution;
  assert.equal(cancelled.status, 'CANCELLED');
  const es = await executions('cancel.example');
  assert.deepEqual(es.map((e) => [e.status, e.attempt]), [['FAILURE', 1], ['CANCELLED', 2]], 'no third attempt');
  const audit = (await admin.ok('{ auditLog(first: 50) { nodes { action target details } } }')).auditLog.nodes as { action: string; target: string; details: string }[];
  assert.ok(audit.some((n) => n.action === 'updateJob' && n.target === 'test.flaky@cancel.example' && JSON.stringify(n.details).includes('EXPONENTIAL')));
});

test('the policy: FAILURE and INTERRUPTED with attempts left, never CANCELLED; delays doubled by EXPONENTIAL, ±20 %', () => {
  const p = { attempts: 2, delaySeconds: 10, backoff: 'EXPONENTIAL' as const };
  assert.deepEqual([retries(p, 'FAILURE', 1), retries(p, 'INTERRUPTED', 2), retries(p, 'FAILURE', 3), retries(p, 'CANCELLED', 1), retries(p, 'SUCCESS', 1)], [true, true, false, false, false]);
  assert.deepEqual([1, 2, 3].map((a) => retryDelayMs(p, a, () => 0.5)), [10_000, 20_000, 40_000]);
  assert.deepEqual([retryDelayMs(p, 1, () => 0), retryDelayMs(p, 1, () => 1)], [8000, 12_000]);
  assert.equal(retryDelayMs({ ...p, backoff: 'FIXED' }, 3, () => 0.5), 10_000);
});
