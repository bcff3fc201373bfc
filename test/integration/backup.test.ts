/**
 * Backup of the embedded PostgreSQL while Jobdeck runs a job that writes its log, then a restore
 * into a fresh DATA_DIR: everything committed before the backup started is there, PostgreSQL
 * recovered from its own backup_label, and Jobdeck starts on it. Through the same commands users run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { startJobdeck } from '../../lib/app';
import { ADMIN, Gql, testConfig } from '../helpers/app';
import { ROOT } from '../helpers/server-process';
import { waitFor } from '../helpers/worker';

let release: () => void = () => {};
const writer = defineJob({
  id: 'test.writer',
  description: 'Writes a line every few milliseconds until released',
  kind: 'GLOBAL',
  run: async (ctx) => {
    let stop = false;
    const released = new Promise<void>((r) => (release = () => ((stop = true), r())));
    for (let i = 1; !stop && !ctx.signal.aborted; i++) {
      ctx.log.info(`line ${i}`);
      await Promise.race([released, new Promise((r) => setTimeout(r, 5))]);
    }
  },
});

function npmRun(script: string, folder: string, dataDir: string) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn('npm', ['run', '--silent', script, '--', folder], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('npm run backup while a job writes, npm run restore into a new DATA_DIR: nothing committed before the backup is lost', { timeout: 240_000 }, async () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-backup-'));
  const dataDir = path.join(tmp, 'data');
  const backupDir = path.join(tmp, 'backup');
  const restoredDir = path.join(tmp, 'restored');
  const config = (dir: string) => testConfig({ DATA_DIR: dir, DATABASE_URL: '' });
  let app = await startJobdeck(config(dataDir), { console: false, log: () => {}, extraJobs: [writer] });
  let execId: string;
  let linesBefore: number;
  try {
    const admin = await new Gql(app.url!).login();
    await admin.ok('mutation { createDomain(name: "before.example") { name } }');
    execId = (await admin.ok('mutation { executeNow(jobs: [{ jobId: "test.writer", domain: "global" }]) { execution { id } } }')).executeNow[0].execution.id;
    await waitFor('the job to write', async () => (await app.deps.sql`SELECT 1 FROM log_entries WHERE execution_id = ${Number(execId)} LIMIT 1`).length > 0);
    const [b] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_entries WHERE execution_id = ${Number(execId)}`;
    linesBefore = b!.n;
    const backup = await npmRun('backup', backupDir, dataDir);
    assert.equal(backup.code, 0, backup.out);
    assert.match(backup.out, /online, WAL/);
    console.log(backup.out.trim());
    // Written after the backup: not in it.
    await admin.ok('mutation { createDomain(name: "after.example") { name } }');
    release();
  } finally {
    await app.close();
  }
  const restore = await npmRun('restore', backupDir, restoredDir);
  assert.equal(restore.code, 0, restore.out);
  app = await startJobdeck(config(restoredDir), { console: false, log: () => {}, extraJobs: [writer] });
  try {
    const admin = await new Gql(app.url!).login(ADMIN.email, ADMIN.password);
    const names = (await admin.ok('{ domains { name } }')).domains.map((d: { name: string }) => d.name);
    assert.ok(names.includes('before.example'), 'committed before the backup');
    assert.ok(!names.includes('after.example'), 'committed after the backup ended');
    const [a] = await app.deps.sql<{ n: number; max: number }[]>`
      SELECT count(*)::int AS n, coalesce(max(seq), 0)::int AS max FROM log_entries WHERE execution_id = ${Number(execId)}`;
    assert.ok(a!.n >= linesBefore, `log lines before the backup (${linesBefore}) are all there (${a!.n})`);
    assert.equal(a!.n, a!.max, 'no gap in the log');
    // The run that was in progress at backup time is noticed as interrupted, and the row runs again.
    await waitFor('the interrupted run to be swept', async () => (await admin.ok('query($id: ID!) { execution(id: $id) { status } }', { id: execId })).execution.status === 'INTERRUPTED', 30_000, 200);
  } finally {
    release();
    await app.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
