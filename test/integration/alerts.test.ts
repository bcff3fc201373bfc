/**
 * Alerts of a row, end to end on a real PostgreSQL with the engine running in this process: FAILED
 * after failuresBeforeAlert failures in a row, resolved by a success that records RECOVERED (each
 * event reaches a real HTTP receiver as a webhook whose signature the standardwebhooks package
 * verifies); TOO_SHORT; TOO_LONG; one open alert per row and kind under concurrent finishes; a
 * snoozed row's alerts recorded and not sent; acknowledge; the dashboard count and the gauge.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { evaluateFinished } from '../../jobs/alerts/evaluate';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, type TestApp } from '../helpers/app';
import { newSecret, Receiver } from '../helpers/receiver';
import { waitFor } from '../helpers/worker';

let mode: 'ok' | 'fail' = 'fail';
let holdMs = 0;
let release: () => void = () => {};
const flaky = defineJob({
  id: 'test.flaky',
  description: 'Fails or succeeds on demand',
  kind: 'GLOBAL',
  async run(ctx) {
    if (holdMs) await new Promise((r) => setTimeout(r, holdMs));
    if (mode === 'fail') throw new Error('asked to fail');
    ctx.log.info('fine');
  },
});
const hold = defineJob({
  id: 'test.hold',
  description: 'Runs until released',
  kind: 'GLOBAL',
  async run(ctx) {
    await new Promise<void>((resolve, reject) => {
      release = resolve;
      ctx.signal.addEventListener('abort', () => reject(new Error('stopped')));
    });
  },
});
const snoozy = defineJob({ id: 'test.snoozy', description: 'Always fails', kind: 'GLOBAL', async run() { throw new Error('no'); } });

let app: TestApp;
let admin: Gql;
let hook: Receiver;
const secret = newSecret();

const ALERT = 'id kind domain message openedAt resolvedAt acknowledgedAt acknowledgedBy snoozed job { jobId domain } execution { id status }';
async function run(jobId: string) {
  const r = (await admin.ok('mutation($j: [JobRef!]!) { executeNow(jobs: $j) { reason execution { id } } }', { j: [{ jobId, domain: 'global' }] })).executeNow[0];
  assert.equal(r.reason, null);
  const id = r.execution.id as string;
  return { id, status: await admin.ended(id) };
}
const alertsOf = async (jobId: string, open?: boolean) =>
  (await admin.ok(`query($f: AlertFilter) { alerts(filter: $f) { totalCount nodes { ${ALERT} } } }`, { f: { jobId, open } })).alerts.nodes as any[];
const expect = (jobId: string, expectations: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  admin.ok('mutation($j: String!, $i: JobUpdate!) { updateJob(jobId: $j, domain: "global", input: $i) { expectations { maxDurationSeconds minDurationSeconds graceSeconds failuresBeforeAlert } snoozedUntil } }', {
    j: jobId,
    i: { expectations, ...more },
  });

before(async () => {
  hook = await new Receiver().start();
  app = await startTestApp({}, { extraJobs: [flaky, hold, snoozy] });
  admin = await new Gql(app.url).login();
  await admin.ok('mutation($i: ChannelInput!) { createChannel(input: $i) { id } }', {
    i: { name: 'ops hook', kind: 'WEBHOOK', target: `${hook.url}/hook`, secret, events: ['FAILED', 'RECOVERED', 'TOO_SHORT', 'TOO_LONG'] },
  });
});
after(async () => {
  release();
  await app?.stop();
  await hook?.stop();
});

test('FAILED opens after failuresBeforeAlert failures in a row; a success resolves it and records RECOVERED; each event is a signed webhook', async () => {
  const set = await expect('test.flaky', { failuresBeforeAlert: 2 });
  assert.deepEqual(set.updateJob.expectations, { maxDurationSeconds: null, minDurationSeconds: null, graceSeconds: 60, failuresBeforeAlert: 2 });
  mode = 'fail';
  assert.equal((await run('test.flaky')).status, 'FAILURE');
  assert.deepEqual(await alertsOf('test.flaky'), [], 'one failure of two: no alert yet');
  const second = await run('test.flaky');
  const [failed] = await alertsOf('test.flaky', true);
  assert.equal(failed.kind, 'FAILED');
  assert.equal(failed.execution.id, second.id);
  assert.deepEqual(failed.job, { jobId: 'test.flaky', domain: 'global' });
  assert.match(failed.message, /failed 2 times in a row/);
  await hook.wait('the FAILED webhook', (r) => r.some((x) => JSON.parse(x.body).data?.id === failed.id));
  // One machine, one clock: the database's end of the run against the receiver's arrival.
  const [end] = await app.deps.sql<{ at: Date }[]>`SELECT ended_at AS at FROM executions WHERE id = ${Number(second.id)}`;
  const ms = hook.received.find((x) => JSON.parse(x.body).data?.id === failed.id)!.at - end!.at.getTime();
  console.log(`execution ended → signed webhook received: ${ms} ms`);
  assert.ok(ms < 2000, `${ms} ms`);

  // A third failure keeps the one open alert.
  await run('test.flaky');
  assert.equal((await alertsOf('test.flaky', true)).length, 1);

  mode = 'ok';
  const ok = await run('test.flaky');
  assert.equal(ok.status, 'SUCCESS');
  const all = await alertsOf('test.flaky');
  assert.deepEqual(all.map((a) => [a.kind, a.resolvedAt !== null]), [['RECOVERED', true], ['FAILED', true]]);
  assert.equal(all[0].execution.id, ok.id);
  await hook.wait('three events', (r) => r.filter((x) => x.path === '/hook').length >= 3);
  const wh = new Webhook(secret);
  const events = hook.at('/hook').map((r) => {
    const body = wh.verify(r.body, r.headers as Record<string, string>) as { type: string; timestamp: string; data: { kind: string; id: string } };
    return [body.type, body.data.kind];
  });
  assert.deepEqual(events, [['alert.opened', 'FAILED'], ['alert.resolved', 'FAILED'], ['alert.opened', 'RECOVERED']]);
  // A tampered body fails verification.
  const first = hook.at('/hook')[0]!;
  assert.throws(() => wh.verify(first.body.replace('FAILED', 'FIXED'), first.headers as Record<string, string>));
  assert.equal(new Set(hook.at('/hook').map((r) => r.headers['webhook-id'])).size, 3, 'one webhook-id per event');
});

test('TOO_SHORT: a success under minDurationSeconds opens it; the next run that is long enough resolves it', async () => {
  await expect('test.flaky', { minDurationSeconds: 1 });
  mode = 'ok';
  holdMs = 0;
  await run('test.flaky');
  const [short] = await alertsOf('test.flaky', true);
  assert.equal(short.kind, 'TOO_SHORT');
  assert.match(short.message, /under its minimum of 1 s/);
  holdMs = 1200;
  await run('test.flaky');
  holdMs = 0;
  assert.deepEqual(await alertsOf('test.flaky', true), []);
  const kinds = hook.at('/hook').map((r) => [JSON.parse(r.body).type, JSON.parse(r.body).data.kind]);
  await hook.wait('TOO_SHORT resolved', (r) => r.some((x) => JSON.parse(x.body).type === 'alert.resolved' && JSON.parse(x.body).data.kind === 'TOO_SHORT'));
  assert.ok(kinds.some(([t, k]) => t === 'alert.opened' && k === 'TOO_SHORT'), JSON.stringify(kinds));
});

test('TOO_LONG: a run past maxDurationSeconds opens it while it runs; its end resolves it', async () => {
  await expect('test.hold', { maxDurationSeconds: 1 });
  const r = (await admin.ok('mutation { executeNow(jobs: [{ jobId: "test.hold", domain: "global" }]) { execution { id } } }')).executeNow[0];
  const long = await waitFor('TOO_LONG', async () => (await alertsOf('test.hold', true)).find((a) => a.kind === 'TOO_LONG'), 15_000);
  assert.equal(long.execution.id, r.execution.id);
  assert.equal(long.execution.status, 'IN_PROGRESS');
  assert.match(long.message, /more than 1 s \(its maximum duration\)/);
  release();
  await admin.ended(r.execution.id);
  assert.deepEqual(await alertsOf('test.hold', true), []);
  assert.ok((await alertsOf('test.hold'))[0].resolvedAt);
});

test('one open alert per row and kind, even when many failures end at once', async () => {
  const sql = app.deps.sql;
  const [row] = await sql<{ id: string }[]>`SELECT id FROM job_rows WHERE job_id = 'test.snoozy'`;
  const ids = await sql<{ id: number }[]>`
    INSERT INTO executions (row_id, job_id, domain, status, trigger, started_at, ended_at)
    SELECT ${row!.id}, 'test.snoozy', 'global', 'FAILURE', 'API', now(), now() FROM generate_series(1, 12)
    RETURNING id::int AS id`;
  const results = await Promise.all(ids.map((e) => sql.begin((tx) => evaluateFinished(tx, e.id))));
  assert.equal(results.flatMap((r) => r.opened).length, 1);
  const [n] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM alerts WHERE row_id = ${row!.id} AND resolved_at IS NULL`;
  assert.equal(n!.n, 1);
  await sql`UPDATE alerts SET resolved_at = now() WHERE row_id = ${row!.id}`;
});

test('a snoozed row: its alert is recorded (snoozed) and nothing is delivered', async () => {
  await admin.ok('mutation($i: ChannelInput!) { createChannel(input: $i) { id } }', {
    i: { name: 'snooze watcher', kind: 'WEBHOOK', target: `${hook.url}/snoozed`, secret, events: ['FAILED'] },
  });
  const until = new Date(Date.now() + 3600_000).toISOString();
  const set = await expect('test.snoozy', {}, { snoozedUntil: until });
  assert.equal(set.updateJob.snoozedUntil, until);
  await run('test.snoozy');
  const [a] = await alertsOf('test.snoozy', true);
  assert.equal(a.kind, 'FAILED');
  assert.equal(a.snoozed, true);
  const [d] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM alert_deliveries WHERE alert_id = ${Number(a.id)}`;
  assert.equal(d!.n, 0);
  assert.equal(hook.at('/snoozed').length, 0);
  // Ending the snooze: the next alert is sent again.
  const cleared = await expect('test.snoozy', {}, { snoozedUntil: null });
  assert.equal(cleared.updateJob.snoozedUntil, null);
});

test('acknowledge, the jobs list icon, the dashboard count and the Prometheus gauge', async () => {
  const [a] = await alertsOf('test.snoozy', true);
  const ack = (await admin.ok(`mutation($id: ID!) { acknowledgeAlert(id: $id) { ${ALERT} } }`, { id: a.id })).acknowledgeAlert;
  assert.equal(ack.acknowledgedBy, 'admin@example.com');
  assert.ok(ack.acknowledgedAt);
  const job = (await admin.ok('{ job(jobId: "test.snoozy", domain: "global") { openAlerts { kind } } }')).job;
  assert.deepEqual(job.openAlerts, [{ kind: 'FAILED' }]);
  const open = (await admin.ok('{ overview { openAlerts } }')).overview.openAlerts;
  assert.equal(open, (await admin.ok('{ alerts(filter: { open: true }) { totalCount } }')).alerts.totalCount);
  assert.ok(open >= 1);
  const metrics = await (await fetch(`${app.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`^jobdeck_alerts_open ${open}$`, 'm'));
});

test('bad expectations and snooze answer BAD_USER_INPUT naming the field, and change nothing', async () => {
  const before = (await admin.ok('{ job(jobId: "test.flaky", domain: "global") { expectations { maxDurationSeconds minDurationSeconds graceSeconds failuresBeforeAlert } } }')).job;
  const cases: [Record<string, unknown>, string][] = [
    [{ expectations: { maxDurationSeconds: 0 } }, 'input.expectations.maxDurationSeconds'],
    [{ expectations: { minDurationSeconds: -1 } }, 'input.expectations.minDurationSeconds'],
    [{ expectations: { graceSeconds: 86_401 } }, 'input.expectations.graceSeconds'],
    [{ expectations: { failuresBeforeAlert: 0 } }, 'input.expectations.failuresBeforeAlert'],
    [{ expectations: { failuresBeforeAlert: 101 } }, 'input.expectations.failuresBeforeAlert'],
    [{ expectations: { minDurationSeconds: 60, maxDurationSeconds: 60 } }, 'input.expectations.minDurationSeconds'],
    [{ snoozedUntil: new Date(Date.now() + 400 * 86_400_000).toISOString() }, 'input.snoozedUntil'],
    // A good plan with a bad expectation: the plan is not written either.
    [{ plan: { kind: 'DISABLED' }, expectations: { graceSeconds: -5 } }, 'input.expectations.graceSeconds'],
  ];
  for (const [input, field] of cases) {
    const r = await admin.query('mutation($i: JobUpdate!) { updateJob(jobId: "test.flaky", domain: "global", input: $i) { id } }', { i: input });
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
    assert.equal(r.errors?.[0]?.extensions?.field, field, JSON.stringify(r));
  }
  const after = (await admin.ok('{ job(jobId: "test.flaky", domain: "global") { plan { kind } expectations { maxDurationSeconds minDurationSeconds graceSeconds failuresBeforeAlert } } }')).job;
  assert.deepEqual(after.expectations, before.expectations);
  assert.notEqual(after.plan.kind, 'DISABLED');
  const r = await admin.query('mutation { updateJob(jobId: "test.flaky", domain: "global", input: { expectations: { graceSeconds: "soon" } }) { id } }');
  assert.equal(r.errors?.[0]?.extensions?.code, 'GRAPHQL_VALIDATION_FAILED', JSON.stringify(r));
});

test('failure → signed webhook: latency over repeated failures and recoveries (printed)', async () => {
  await expect('test.flaky', {});
  const ms: number[] = [];
  for (let i = 0; i < 15; i++) {
    mode = 'fail';
    const r = (await admin.ok('mutation { executeNow(jobs: [{ jobId: "test.flaky", domain: "global" }]) { execution { id } } }')).executeNow[0];
    const id = r.execution.id as string;
    await hook.wait(`the FAILED webhook of ${id}`, (rs) => rs.some((x) => x.path === '/hook' && JSON.parse(x.body).data?.executionId === id));
    const got = hook.received.find((x) => x.path === '/hook' && JSON.parse(x.body).data?.executionId === id)!;
    const [end] = await app.deps.sql<{ at: Date }[]>`SELECT ended_at AS at FROM executions WHERE id = ${Number(id)}`;
    ms.push(got.at - end!.at.getTime());
    mode = 'ok';
    await run('test.flaky');
  }
  ms.sort((a, b) => a - b);
  const p = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
  console.log(`execution ended → signed webhook received (${ms.length} failures): p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${ms.at(-1)} ms`);
  assert.ok(p(0.5) < 1000, `p50 ${p(0.5)} ms`);
});
