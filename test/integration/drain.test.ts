/**
 * Issue #13: Ctrl-C (SIGINT) or SIGTERM sent to the whole process group of `npm start`, as a
 * terminal or a process manager does, lets a running command job finish and write its end: the
 * embedded PostgreSQL lives in a process group of its own and is stopped last, after the drain.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ADMIN, Gql } from '../helpers/app';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const JOB_SECONDS = 3;

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-drain-'));
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(jobsFile, JSON.stringify({ jobs: [
  { id: 'cmd.drained', description: 'Runs a few seconds', kind: 'GLOBAL', command: ['sh', '-c', `echo begin; sleep ${JOB_SECONDS}; echo end`] },
  { id: 'cmd.endless', description: 'Outlives any drain', kind: 'GLOBAL', command: ['sh', '-c', 'echo begin; sleep 600; echo end'] },
] }));

const started: ServerProcess[] = [];
after(() => {
  // A failed test leaves nothing running: whole groups, then any postgres of our data dirs.
  for (const s of started) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
    try {
      process.kill(-s.child.pid!, 'SIGKILL'); // `npm start` leads its own group
    } catch {
      s.child.kill('SIGKILL');
    }
  }
  for (const p of processesMentioning(dir)) try { process.kill(Number(p.split(':')[0]), 'SIGKILL'); } catch { /* gone */ }
  rmSync(dir, { recursive: true, force: true });
});

/** Live processes whose command line mentions `needle` (a postgres has `-D <DATA_DIR>/pg`). */
function processesMentioning(needle: string) {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle) && !/ Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) found.push(`${pid}: ${cmd}`);
    } catch {
      /* gone */
    }
  }
  return found;
}

/** Processes still in process group `pgid` (zombies aside). */
function groupMembers(pgid: number) {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z') found.push(`${pid}: ${stat.slice(0, 60)}`);
    } catch {
      /* gone */
    }
  }
  return found;
}

/** Resolves once the execution's log has the line `begin`, i.e. the command runs. */
async function commandRunning(g: Gql, id: string) {
  const ws = g.ws();
  try {
    await new Promise<void>((resolve, reject) => {
      ws.subscribe<{ executionLog: { message: string } }>(
        { query: 'subscription($id: ID!) { executionLog(executionId: $id) { message } }', variables: { id } },
        {
          next: (v) => (v.errors ? reject(new Error(JSON.stringify(v.errors))) : v.data?.executionLog.message === 'begin' && resolve()),
          error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
          complete: () => reject(new Error('the run ended before it began')),
        },
      );
    });
  } finally {
    await ws.dispose();
  }
}

type Case = { signal: 'SIGINT' | 'SIGTERM'; jobId: string; drainSeconds: number; status: string; lines: string[]; within: number };
const cases: Case[] = [
  // DRAIN_TIMEOUT_SECONDS far above the job's length: waiting for it (or the forced exit) fails `within`.
  { signal: 'SIGINT', jobId: 'cmd.drained', drainSeconds: 20, status: 'SUCCESS', lines: ['begin', 'end'], within: JOB_SECONDS + 5 },
  { signal: 'SIGTERM', jobId: 'cmd.drained', drainSeconds: 20, status: 'SUCCESS', lines: ['begin', 'end'], within: JOB_SECONDS + 5 },
  // A run that outlives the drain is interrupted and says so at once, not by a sweeper after a restart.
  { signal: 'SIGINT', jobId: 'cmd.endless', drainSeconds: 2, status: 'INTERRUPTED', lines: ['begin', 'Interrupted: The worker was shut down before the run finished.'], within: 2 + 5 },
];

for (const c of cases) {
  test(`${c.signal} to the process group of \`npm start\` during ${c.jobId} (drain ${c.drainSeconds} s): ends ${c.status}, PostgreSQL stops last, exit 0`, { timeout: 180_000 }, async () => {
    const { signal } = c;
    const dataDir = mkdtempSync(path.join(dir, `data-${signal}-`));
    const env = { JOBS_FILE: jobsFile, DRAIN_TIMEOUT_SECONDS: String(c.drainSeconds), KILL_GRACE_SECONDS: '5' };
    const s = await startServerProcess(env, { dataDir, npm: true, timeoutMs: 90_000 });
    started.push(s);
    const pgid = s.child.pid!;
    assert.equal(processesMentioning(dataDir).length > 0, true, 'the embedded postgres runs');

    const g = await new Gql(s.url).login(ADMIN.email, ADMIN.password);
    const id = (await g.ok(`mutation($j: String!) { executeNow(jobs: [{jobId: $j, domain: "global"}]) { execution { id status } } }`, { j: c.jobId })).executeNow[0].execution.id as string;
    await commandRunning(g, id);
    assert.equal((await g.ok(`query($id: ID!) { execution(id: $id) { status } }`, { id })).execution.status, 'IN_PROGRESS');

    const t0 = Date.now();
    process.kill(-pgid, signal);
    const code = await Promise.race([s.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), (c.drainSeconds + 30) * 1000))]);
    const tExit = Date.now();
    const out = s.output();
    assert.equal(code, 0, `npm start exit code after ${signal}:\n${out}`);
    assert.ok(tExit - t0 < c.within * 1000, `exit took ${tExit - t0} ms:\n${out}`);
    assert.match(out, /Stopped\./);
    // ECONNREFUSED: something still needed the database after PostgreSQL had stopped.
    assert.doesNotMatch(out, /Forced exit|ECONNREFUSED/);
    assert.deepEqual(groupMembers(pgid), [], 'npm and node have both exited');
    assert.deepEqual(processesMentioning(dataDir), [], 'no postgres left on the data dir');
    assert.equal(existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), false, 'PostgreSQL shut down cleanly');

    // Restart on the same data: the run's end was written before PostgreSQL stopped.
    const s2 = await startServerProcess(env, { dataDir, timeoutMs: 90_000 });
    started.push(s2);
    try {
      const g2 = await new Gql(s2.url).login(ADMIN.email, ADMIN.password);
      const { execution: e } = await g2.ok(`query($id: ID!) { execution(id: $id) { status endedAt logs(first: 20) { entries { message } } } }`, { id });
      const lines = e.logs.entries.map((l: { message: string }) => l.message);
      assert.equal(e.status, c.status, JSON.stringify(e));
      assert.deepEqual(lines, c.lines);
      const endedAt = Date.parse(e.endedAt);
      assert.ok(endedAt < tExit, 'ended before the process exited');
      console.log(`${signal}, ${c.jobId}: signal → exit 0 in ${tExit - t0} ms (run ended ${endedAt - t0} ms after the signal, the process ${tExit - endedAt} ms later)`);
      assert.ok(tExit - endedAt < 2000, `the process exited ${tExit - endedAt} ms after the run ended`);
    } finally {
      assert.equal(await s2.stop('SIGTERM'), 0);
    }
    assert.deepEqual(processesMentioning(dataDir), [], 'no postgres left after the restart');
  });
}
