/**
 * Several processes on one database: 2 web (in-process apps, ROLE=web) and 2 worker processes.
 * A live log is followed through web #1 while the job runs on either worker; it is cancelled
 * through web #2; the cancel crosses processes by NOTIFY and the subscriber sees it end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startJobdeck, type Jobdeck } from '../../lib/app';
import { ADMIN, Gql, startTestApp, subscribe, testConfig, type TestApp } from '../helpers/app';
import { reapWorkers, startWorker, waitFor, type WorkerProc } from '../helpers/worker';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-faults-s-'));
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(jobsFile, JSON.stringify({ jobs: [
  { id: 'f.stream', description: 'A line every 100 ms for 30 s', kind: 'GLOBAL',
    command: ['sh', '-c', 'i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); sleep 0.1; done'] },
] }));

let web1: TestApp;
let web2: Jobdeck;
const workers: WorkerProc[] = [];
const logs: string[] = [];
before(async () => {
  web1 = await startTestApp({ ROLE: 'web', JOBS_FILE: jobsFile }, { log: (l) => logs.push(l) });
  web2 = await startJobdeck(
    testConfig({ DATABASE_URL: web1.databaseUrl, ROLE: 'web', JOBS_FILE: jobsFile }),
    { console: false, log: (l) => logs.push(l) },
  );
  workers.push(...(await Promise.all([startWorker(web1.databaseUrl, { JOBS_FILE: jobsFile }), startWorker(web1.databaseUrl, { JOBS_FILE: jobsFile })])));
});
after(async () => {
  const out = workers.map((w) => w.output()).join('\n') + logs.join('\n');
  await reapWorkers();
  await web2?.close();
  await web1?.stop();
  const dbPassword = decodeURIComponent(new URL(web1.databaseUrl).password);
  assert.ok(!out.includes(ADMIN.password) && (!dbPassword || !out.includes(dbPassword)), 'a secret reached a process log');
});

test('follow a live log through web #1, cancel through web #2 → CANCELLED, the subscriber sees "Cancelled by" and completion', async () => {
  const g1 = await new Gql(web1.url).login();
  const g2 = await new Gql(web2.url!).login();
  const owners = new Set<string>();
  for (let round = 0; round < 2; round++) {
    // Round 1 runs on the other worker: the first one is paused while the run is claimed.
    const paused = round === 1 ? workers.find((w) => [...owners][0]!.includes(`:${w.pid}:`)) : undefined;
    if (paused) process.kill(paused.pid, 'SIGSTOP');
    const id = (await g1.ok(`mutation { executeNow(jobs: [{jobId: "f.stream", domain: "global"}]) { execution { id } } }`)).executeNow[0].execution.id;
    const ws = g1.ws();
    const sub = subscribe<{ executionLog: { seq: number; message: string } }>(ws, `subscription($id: ID!) { executionLog(executionId: $id) { seq message } }`, { id });
    await waitFor('live lines on web #1', async () => sub.items.length >= 10, 20_000, 20).finally(() => paused && process.kill(paused.pid, 'SIGCONT'));
    const [e] = await web1.deps.sql<{ owner: string }[]>`SELECT owner FROM executions WHERE id = ${id}`;
    owners.add(e!.owner);
    const t0 = Date.now();
    await g2.ok(`mutation($id: ID!) { cancelExecution(id: $id) { id } }`, { id });
    const items = await Promise.race([sub.done, new Promise<never>((_, j) => setTimeout(() => j(new Error('subscriber did not complete')), 15_000))]);
    const took = Date.now() - t0;
    await ws.dispose();
    const last = items.at(-1)!.executionLog;
    assert.match(last.message, new RegExp(`^Cancelled by ${ADMIN.email}`));
    const seqs = items.map((i) => i.executionLog.seq);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
    const done = (await g1.ok(`query($id: ID!) { execution(id: $id) { status lastSeq } }`, { id })).execution;
    assert.equal(done.status, 'CANCELLED');
    assert.equal(done.lastSeq, last.seq);
    console.log(`BOUND round ${round}: cancel on web #2 → "Cancelled by" + completion on web #1 in ${took} ms (run on worker ${e!.owner.split(':')[1]})`);
  }
  assert.equal(owners.size, 2, 'one run on each worker');
});
