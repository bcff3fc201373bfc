/**
 * The alerts only what is still alive can raise, with real processes: a web-only Jobdeck (no
 * worker in it) notices a row whose occurrence did not start within its grace (MISSED) and that no
 * worker is alive (NO_WORKER), and delivers both to a real HTTP receiver by itself; a worker
 * process started later runs the row (MISSED resolves) and is alive (NO_WORKER resolves); killed
 * with SIGKILL, NO_WORKER opens again within LEASE_SECONDS + 5 s.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { Gql, startTestApp, type TestApp } from '../helpers/app';
import { newSecret, Receiver } from '../helpers/receiver';
import { reapWorkers, startWorker, waitFor } from '../helpers/worker';

const LEASE_SECONDS = 4;
let app: TestApp;
let admin: Gql;
let hook: Receiver;
const secret = newSecret();
type A = { id: string; kind: string; resolvedAt: string | null; openedAt: string; domain: string | null; job: { jobId: string } | null; message: string };
const open = async (kind: string) =>
  ((await admin.ok('query($k: [AlertKind!]) { alerts(filter: { open: true, kinds: $k }) { nodes { id kind resolvedAt openedAt domain job { jobId } message } } }', { k: [kind] })).alerts.nodes as A[])[0];
const byId = async (id: string) =>
  ((await admin.ok('{ alerts(first: 200) { nodes { id kind resolvedAt openedAt domain job { jobId } message } } }')).alerts.nodes as A[]).find((a) => a.id === id)!;

before(async () => {
  hook = await new Receiver().start();
  app = await startTestApp({ ROLE: 'web', LEASE_SECONDS: String(LEASE_SECONDS) });
  admin = await new Gql(app.url).login();
  await admin.ok('mutation($i: ChannelInput!) { createChannel(input: $i) { id } }', {
    i: { name: 'fleet', kind: 'WEBHOOK', target: `${hook.url}/fleet`, secret, events: ['MISSED', 'NO_WORKER'] },
  });
});
after(async () => {
  await reapWorkers();
  await app?.stop();
  await hook?.stop();
});

test('MISSED and NO_WORKER are raised and sent by a web-only process, resolved when a worker runs the row, NO_WORKER again after SIGKILL', async () => {
  await admin.ok('mutation { updateJob(jobId: "system.self-test", domain: "global", input: { expectations: { graceSeconds: 1 } }) { id } }');
  // The row's occurrence is due now, and nothing runs it: there is no worker.
  const [due] = await app.deps.sql<{ at: Date }[]>`
    UPDATE job_rows SET next_run_at = date_trunc('second', now()) WHERE job_id = 'system.self-test' AND domain = 'global' RETURNING next_run_at AS at`;
  const missed = await waitFor('MISSED', () => open('MISSED'), 15_000);
  assert.equal(missed.job?.jobId, 'system.self-test');
  assert.match(missed.message, /had not started 1 s later/);
  const missedAfterMs = new Date(missed.openedAt).getTime() - due!.at.getTime();
  console.log(`MISSED raised ${missedAfterMs} ms after the due time (graceSeconds 1; bound 6000 ms)`);
  assert.ok(missedAfterMs >= 1000 && missedAfterMs <= 6000, `${missedAfterMs} ms`);

  const noWorker = await waitFor('NO_WORKER', () => open('NO_WORKER'), 15_000);
  assert.equal(noWorker.domain, null);
  assert.equal(noWorker.job, null);
  // Both reached the receiver although no worker process exists: the web process delivers too.
  await hook.wait('MISSED and NO_WORKER webhooks', (r) => r.length >= 2);
  const wh = new Webhook(secret);
  const kinds = hook.received.map((r) => (wh.verify(r.body, r.headers as Record<string, string>) as { data: { kind: string } }).data.kind).sort();
  assert.deepEqual(kinds, ['MISSED', 'NO_WORKER']);

  const worker = await startWorker(app.databaseUrl, { LEASE_SECONDS: String(LEASE_SECONDS) });
  await waitFor('MISSED to resolve (the worker ran the row)', async () => (await byId(missed.id)).resolvedAt, 20_000);
  await waitFor('NO_WORKER to resolve (a worker is alive)', async () => (await byId(noWorker.id)).resolvedAt, 20_000);
  const ran = (await admin.ok('{ job(jobId: "system.self-test", domain: "global") { lastExecution { trigger } } }')).job.lastExecution;
  assert.equal(ran.trigger, 'SCHEDULE');
  await hook.wait('both resolutions', (r) => r.filter((x) => JSON.parse(x.body).type === 'alert.resolved').length >= 2);

  const killedAt = Date.now();
  await worker.kill('SIGKILL');
  // Work waits: a run is queued and nobody takes it.
  await admin.ok('mutation { executeNow(jobs: [{ jobId: "system.self-test", domain: "global" }]) { reason } }');
  const again = await waitFor('NO_WORKER after SIGKILL', async () => {
    const a = await open('NO_WORKER');
    return a && a.id !== noWorker.id ? a : undefined;
  }, 20_000);
  const afterKillMs = new Date(again.openedAt).getTime() - killedAt;
  console.log(`NO_WORKER raised ${afterKillMs} ms after kill -9 of the last worker (LEASE_SECONDS ${LEASE_SECONDS}; bound ${(LEASE_SECONDS + 5) * 1000} ms)`);
  assert.ok(afterKillMs <= (LEASE_SECONDS + 5) * 1000, `${afterKillMs} ms`);
});
