/**
 * The worker registry: every worker process registers and heartbeats on the database clock; a
 * graceful stop says so; a worker killed with SIGKILL turns not-alive after LEASE_SECONDS.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, type TestApp } from '../helpers/app';
import { reapWorkers, startWorker, waitFor } from '../helpers/worker';

let app: TestApp;
let admin: Gql;
type W = { id: string; pid: number; slots: number; alive: boolean; stoppedAt: string | null; running: number; lastHeartbeatAt: string };
const list = async () => (await admin.ok('{ workers { id pid slots alive stoppedAt running lastHeartbeatAt } }')).workers as W[];

let release = () => {};
const gate = new Promise<void>((r) => (release = r));
const hold = defineJob({
  id: 'test.hold', description: 'Holds until released', kind: 'PER_DOMAIN',
  run: async (ctx) => {
    ctx.log.info('holding');
    await Promise.race([gate, new Promise((_, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('stopped'))))]);
  },
});

before(async () => {
  app = await startTestApp({ WORKER_CONCURRENCY: '7' }, { extraJobs: [hold] });
  admin = await new Gql(app.url).login();
});
after(async () => {
  await reapWorkers();
  await app.stop();
});

test('each worker process is listed alive with its slots; SIGTERM says it stopped; SIGKILL turns it not-alive after the lease', async () => {
  const own = await list();
  assert.deepEqual(own.map((w) => [w.pid, w.slots, w.alive, w.stoppedAt]), [[process.pid, 7, true, null]]);
  const graceful = await startWorker(app.databaseUrl, { WORKER_CONCURRENCY: '3' });
  const killed = await startWorker(app.databaseUrl, { WORKER_CONCURRENCY: '2' });
  await waitFor('three workers alive', async () => (await list()).filter((w) => w.alive).length === 3);
  const byPid = async (pid: number) => (await list()).find((w) => w.pid === pid);
  assert.equal((await byPid(graceful.pid))!.slots, 3);

  await graceful.kill('SIGTERM');
  const stopped = await byPid(graceful.pid);
  assert.equal(stopped!.alive, false);
  assert.ok(stopped!.stoppedAt, 'a graceful stop is recorded');

  const t0 = Date.now();
  await killed.kill('SIGKILL');
  assert.equal((await byPid(killed.pid))!.alive, true, 'still within its lease');
  await waitFor('the killed worker to turn not-alive', async () => (await byPid(killed.pid))!.alive === false, 15_000, 100);
  console.log(`SIGKILL → not alive in ${Date.now() - t0} ms (LEASE_SECONDS=4)`);
  assert.equal((await byPid(killed.pid))!.stoppedAt, null, 'killed: no stop recorded');
  assert.deepEqual((await list()).filter((w) => w.alive).map((w) => w.pid), [process.pid]);
});

test('what each worker runs now, within the viewer\'s domains; lastSeenAt is its heartbeat', async () => {
  await admin.ok('mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }');
  await admin.ok('mutation { createUser(email: "sub@a.example", password: "subset-admin-pass", role: SYSTEM_ADMIN, domains: ["a.example"]) { id } }');
  const sub = await new Gql(app.url).login('sub@a.example', 'subset-admin-pass');
  const started = (await admin.ok('mutation { executeNow(jobs: [{ jobId: "test.hold", domain: "a.example" }, { jobId: "test.hold", domain: "b.example" }]) { execution { id } } }')).executeNow;
  const ids = started.map((r: { execution: { id: string } }) => r.execution.id).sort();
  const Q = '{ workers { pid running lastSeenAt lastHeartbeatAt runningExecutions { id domain jobId } } }';
  type R = { pid: number; running: number; lastSeenAt: string; lastHeartbeatAt: string; runningExecutions: { id: string; domain: string }[] };
  const mine = async (g: Gql) => ((await g.ok(Q)).workers as R[]).find((w) => w.pid === process.pid)!;
  await waitFor('both runs claimed by this process', async () => (await mine(admin)).running === 2);
  const all = await mine(admin);
  assert.deepEqual(all.runningExecutions.map((e) => e.id).sort(), ids);
  assert.equal(all.lastSeenAt, all.lastHeartbeatAt);
  const narrow = await mine(sub);
  assert.equal(narrow.running, 1, 'b.example\'s run is not counted for a supervisor of a.example');
  assert.deepEqual(narrow.runningExecutions.map((e) => e.domain), ['a.example']);
  release();
  await waitFor('runs ended', async () => (await mine(admin)).running === 0);
});

test('domain administrators do not see the workers', async () => {
  await admin.ok('mutation { createUser(email: "da@a.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }');
  const da = await new Gql(app.url).login('da@a.example', 'domain-admin-pass');
  assert.equal((await da.query('{ workers { id } }')).errors?.[0]?.extensions?.code, 'FORBIDDEN');
});
