import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN, Gql, startTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/worker';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-cmd-'));
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(jobsFile, JSON.stringify({ jobs: [
  { id: 'cmd.stubborn', description: 'Ignores SIGTERM', kind: 'GLOBAL', command: ['sh', '-c', 'trap "" TERM; echo started; while :; do sleep 0.1; done'] },
  { id: 'cmd.levels', description: 'Levels', kind: 'GLOBAL', command: ['sh', '-c', 'echo out line; echo err line >&2; echo "::warning::marked warning"; echo "::progress::40"; echo "::error::marked error"; exit 3'] },
  { id: 'cmd.warn', description: 'Warns only', kind: 'GLOBAL', command: ['sh', '-c', 'echo fine; echo "::progress::100"; echo hmm >&2'] },
  { id: 'cmd.ok', description: 'Succeeds', kind: 'GLOBAL', command: ['sh', '-c', 'echo "db=${DATABASE_URL:-none} smtp=${SMTP_URL:-none} pw=${ADMIN_PASSWORD:-none} mail=${ADMIN_EMAIL:-none} exec=${JOBDECK_EXECUTION_ID:-none}"'] },
  { id: 'cmd.slow', description: 'Times out', kind: 'GLOBAL', timeoutSeconds: 1, command: ['sh', '-c', 'echo going; sleep 10'] },
] }));

let app: TestApp;
let g: Gql;
before(async () => {
  process.env.DATABASE_URL = 'postgres://secret@db/x';
  process.env.ADMIN_PASSWORD = 'hunter2';
  app = await startTestApp({ JOBS_FILE: jobsFile });
  delete process.env.DATABASE_URL;
  g = await new Gql(app.url).login();
});
after(async () => {
  await app?.stop();
});

const EXEC = `mutation($j: String!) { executeNow(jobs: [{jobId: $j, domain: "global"}]) { reason execution { id } } }`;
const GET = `query($id: ID!) { execution(id: $id) { id status progress warningCount errorCount endedAt startedAt logs(first: 50) { entries { seq level message } } } }`;
async function run(jobId: string) {
  return (await g.ok(EXEC, { j: jobId })).executeNow[0].execution.id as string;
}
async function finished(id: string, timeoutMs = 20_000) {
  return waitFor(`execution ${id} to end`, async () => {
    const { execution } = await g.ok(GET, { id });
    return execution.status !== 'IN_PROGRESS' ? execution : undefined;
  }, timeoutMs);
}

test('cancel of a command job that ignores SIGTERM ends CANCELLED after the grace', async () => {
  const id = await run('cmd.stubborn');
  await waitFor('the command to start', async () => (await g.ok(GET, { id })).execution.logs.entries.some((e: any) => e.message === 'started'));
  const t0 = Date.now();
  await g.ok(`mutation($id: ID!) { cancelExecution(id: $id) { id } }`, { id });
  const e = await finished(id, 15_000);
  const took = Date.now() - t0;
  assert.equal(e.status, 'CANCELLED');
  assert.ok(took >= 900, `ended after ${took} ms, before the 1 s grace`);
  assert.ok(e.logs.entries.some((l: any) => l.message.includes(`Cancelled by ${ADMIN.email}`)), JSON.stringify(e.logs.entries));
  console.log(`stubborn command cancelled in ${took} ms (grace 1 s)`);
});

test('command job levels, markers, progress and a non-zero exit', async () => {
  const e = await finished(await run('cmd.levels'));
  assert.equal(e.status, 'FAILURE');
  const lines = e.logs.entries.map((l: any) => [l.level, l.message]);
  const has = (level: string, msg: RegExp) => lines.some(([l, m]: string[]) => l === level && msg.test(m!));
  assert.ok(has('INFO', /^out line$/), JSON.stringify(lines));
  assert.ok(has('WARNING', /^err line$/));
  assert.ok(has('WARNING', /^marked warning$/));
  assert.ok(has('ERROR', /^marked error$/));
  assert.ok(has('PROGRESS', /^40%$/));
  assert.ok(has('ERROR', /exited with code 3/));
  assert.equal(e.progress, 40);
});

test('warnings only → WARNING; secrets are not passed to commands', async () => {
  const w = await finished(await run('cmd.warn'));
  assert.equal(w.status, 'WARNING');
  assert.equal(w.progress, 100);
  const ok = await finished(await run('cmd.ok'));
  assert.equal(ok.status, 'SUCCESS');
  const line = ok.logs.entries.find((l: any) => l.message.startsWith('db='))!.message;
  assert.equal(line, `db=none smtp=none pw=none mail=none exec=${ok.id}`);
});

test('timeout → FAILURE with "Timed out"', async () => {
  const e = await finished(await run('cmd.slow'));
  assert.equal(e.status, 'FAILURE');
  assert.ok(e.logs.entries.some((l: any) => l.level === 'ERROR' && /Timed out/.test(l.message)), JSON.stringify(e.logs.entries));
  const ms = new Date(e.endedAt).getTime() - new Date(e.startedAt).getTime();
  assert.ok(ms < 5000, `took ${ms} ms`);
});
