/**
 * Hostile jobs: one that never returns (and ignores its signal), one that allocates without bound,
 * one that prints 10 MB lines, one that prints past LOG_MAX_LINES. The app (web + worker) runs in
 * this process, so its RSS is measured directly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/worker';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-faults-j-'));
const jobsFile = path.join(dir, 'jobs.json');
const node = process.execPath;
writeFileSync(
  jobsFile,
  JSON.stringify({
    jobs: [
      { id: 'f.stubborn', description: 'Ignores SIGTERM, never ends', kind: 'GLOBAL', timeoutSeconds: 2,
        command: ['sh', '-c', 'trap "" TERM; echo started; while true; do sleep 0.2; done'] },
      { id: 'f.hog', description: 'Allocates 40 MB/s until stopped', kind: 'GLOBAL', timeoutSeconds: 3,
        command: [node, '-e', 'const a=[]; setInterval(() => { a.push(Buffer.alloc(4 << 20, 1)); }, 100); console.log("allocating")'] },
      { id: 'f.bigline', description: 'Prints five 10 MB lines', kind: 'GLOBAL', timeoutSeconds: 60,
        command: [node, '-e', 'const s = "x".repeat(10 << 20); for (let i = 0; i < 5; i++) process.stdout.write(s + "\\n"); console.log("tail")'] },
      { id: 'f.flood', description: 'Prints 2,000 lines', kind: 'GLOBAL', command: ['sh', '-c', 'i=1; while [ $i -le 2000 ]; do echo "line $i"; i=$((i+1)); done'] },
      { id: 'f.ok', description: 'Quick', kind: 'PER_DOMAIN', command: ['sh', '-c', 'echo ok'] },
    ],
  }),
);
const hang = defineJob({ id: 'test.hang', description: 'Never returns, ignores its signal', kind: 'GLOBAL', timeoutSeconds: 1, run: () => new Promise(() => {}) });

let app: TestApp;
let g: Gql;
before(async () => {
  app = await startTestApp({ JOBS_FILE: jobsFile, LOG_MAX_LINES: '500', LOG_MAX_LINE_CHARS: '1000' }, { extraJobs: [hang] });
  g = await new Gql(app.url).login();
  const names = Array.from({ length: 5 }, (_, i) => `ok${i}.example`);
  await app.deps.sql`INSERT INTO domains (name) SELECT unnest(${names}::text[])`;
  for (const n of names) await app.deps.engine.syncDomain(n);
});
after(async () => {
  await app?.stop();
});

async function executeNow(jobId: string, domain = 'global') {
  const r = (await g.ok(`mutation($j: String!, $d: String!) { executeNow(jobs: [{jobId: $j, domain: $d}]) { reason execution { id } } }`, { j: jobId, d: domain })).executeNow[0];
  assert.equal(r.reason, null);
  return Number(r.execution.id);
}
async function ended(id: number, timeoutMs = 30_000) {
  return waitFor(`execution ${id} to end`, async () => {
    const [e] = await app.deps.sql<{ status: string; error: string | null; lastSeq: number; droppedLines: number; startedAt: Date; endedAt: Date }[]>`
      SELECT status, error, last_seq AS "lastSeq", dropped_lines AS "droppedLines", started_at AS "startedAt", ended_at AS "endedAt" FROM executions WHERE id = ${id}`;
    return e && e.status !== 'IN_PROGRESS' ? e : undefined;
  }, timeoutMs, 50);
}

test('jobs that never return (a command ignoring SIGTERM, a TS job ignoring its signal) → timeout, FAILURE; other rows keep running', async () => {
  const stubborn = await executeNow('f.stubborn');
  const hung = await executeNow('test.hang');
  const others = [];
  for (let i = 0; i < 5; i++) others.push(await executeNow('f.ok', `ok${i}.example`));
  for (const o of others) assert.equal((await ended(o)).status, 'SUCCESS');
  const s = await ended(stubborn);
  assert.equal(s.status, 'FAILURE');
  assert.match(s.error ?? '', /Timed out after 2 s/);
  const took = s.endedAt.getTime() - s.startedAt.getTime();
  console.log(`BOUND command ignoring SIGTERM: timeout 2 s + kill grace 1 s → ended after ${took} ms`);
  assert.ok(took < 2000 + 1000 + 2500);
  const h = await ended(hung);
  assert.equal(h.status, 'FAILURE');
  assert.match(h.error ?? '', /Timed out after 1 s/);
  console.log(`BOUND TS job ignoring its signal: abandoned ${h.endedAt.getTime() - h.startedAt.getTime()} ms after start (timeout 1 s + grace 1 s + 1 s)`);
});

test('a job that allocates without bound: the worker survives, the run ends by timeout', async () => {
  const rss0 = process.memoryUsage().rss;
  const id = await executeNow('f.hog');
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const e = await ended(id);
  clearInterval(sampler);
  assert.equal(e.status, 'FAILURE');
  assert.match(e.error ?? '', /Timed out after 3 s/);
  console.log(`BOUND allocating command ended ${e.endedAt.getTime() - e.startedAt.getTime()} ms after start; worker RSS grew ${((peak - rss0) / 2 ** 20).toFixed(1)} MB`);
  assert.ok(peak - rss0 < 100 * 2 ** 20);
  assert.equal((await ended(await executeNow('f.ok', 'ok0.example'))).status, 'SUCCESS');
});

test('a command printing 10 MB lines: each stored line is cut to LOG_MAX_LINE_CHARS; the worker RSS stays bounded', async () => {
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const id = await executeNow('f.bigline');
  const e = await ended(id, 60_000);
  clearInterval(sampler);
  assert.equal(e.status, 'SUCCESS');
  const rows = await app.deps.sql<{ message: string }[]>`SELECT message FROM log_entries WHERE execution_id = ${id} ORDER BY seq`;
  assert.equal(rows.length, 6);
  for (const r of rows.slice(0, 5)) {
    assert.ok(r.message.length <= 1000, `a stored line has ${r.message.length} chars`);
    assert.match(r.message, /\[cut \d+ chars\]$/);
  }
  assert.equal(rows[5]!.message, 'tail');
  const grew = (peak - rss0) / 2 ** 20;
  console.log(`BOUND 5 × 10 MB lines: stored lines ≤ 1000 chars; worker RSS grew ${grew.toFixed(1)} MB`);
  assert.ok(grew < 120, `RSS grew ${grew} MB`);
});

test('LOG_MAX_LINES: lines past the cap are counted and dropped, with a final "dropped" entry', async () => {
  const id = await executeNow('f.flood');
  const e = await ended(id);
  const rows = await app.deps.sql<{ level: string; message: string }[]>`SELECT level, message FROM log_entries WHERE execution_id = ${id} ORDER BY seq`;
  const lines = rows.filter((r) => r.message.startsWith('line '));
  assert.equal(lines.length, 500);
  assert.equal(e.droppedLines, 1500);
  assert.equal(rows.at(-1)!.level, 'WARNING');
  assert.equal(rows.at(-1)!.message, '1500 log lines were dropped past the limit of 500 per execution.');
  console.log(`BOUND LOG_MAX_LINES=500: kept ${lines.length}, dropped ${e.droppedLines} (counted), status ${e.status}`);
});
