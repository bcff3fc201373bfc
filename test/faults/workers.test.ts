/**
 * Worker faults, injected for real on separate ROLE=worker processes: kill -9, SIGSTOP past the
 * lease then SIGCONT, SIGTERM during a long run, and 1,000 due occurrences on three workers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN, Gql, startTestApp, type TestApp } from '../helpers/app';
import { reapWorkers, startWorker, waitFor, type WorkerProc } from '../helpers/worker';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-faults-w-'));
const mark = path.join(dir, 'ran-once');
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(
  jobsFile,
  JSON.stringify({
    jobs: [
      { id: 'f.long', description: 'Long the first time', kind: 'GLOBAL',
        command: ['sh', '-c', `echo "started $$"; if [ -f ${mark} ]; then echo again; exit 0; fi; touch ${mark}; exec sleep 30`] },
      { id: 'f.pause', description: 'Prints for 8 s', kind: 'GLOBAL',
        command: ['sh', '-c', 'echo "started $$"; i=0; while [ $i -lt 80 ]; do echo "line $i"; i=$((i+1)); sleep 0.1; done'] },
      { id: 'f.drain', description: 'Sleeps 30 s', kind: 'GLOBAL', command: ['sh', '-c', 'echo "started $$"; exec sleep 30'] },
      { id: 'f.quick', description: 'Quick', kind: 'PER_DOMAIN', command: ['sh', '-c', 'echo "domain=$JOBDECK_DOMAIN"'] },
    ],
  }),
);

let app: TestApp;
let g: Gql;
const workers: WorkerProc[] = [];
const orphans: number[] = [];
const W = { JOBS_FILE: jobsFile, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };

before(async () => {
  app = await startTestApp({ ROLE: 'web', JOBS_FILE: jobsFile });
  g = await new Gql(app.url).login();
  const t0 = Date.now();
  workers.push(...(await Promise.all([startWorker(app.databaseUrl, W), startWorker(app.databaseUrl, W), startWorker(app.databaseUrl, W)])));
  console.log(`3 worker processes started in ${Date.now() - t0} ms`);
});
after(async () => {
  const outputs = workers.map((w) => w.output()).join('\n');
  await reapWorkers();
  for (const pid of orphans) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
  await app?.stop();
  // Secrets never reach the logs of the worker processes.
  const dbPassword = decodeURIComponent(new URL(app.databaseUrl).password);
  for (const secret of [ADMIN.password, dbPassword].filter(Boolean)) assert.ok(!outputs.includes(secret), 'a secret reached a worker log');
});

const sql = () => app.deps.sql;
const ownerOf = (owner: string) => workers.find((w) => owner.includes(`:${w.pid}:`));

async function executeNow(jobId: string, domain = 'global') {
  const r = (await g.ok(`mutation($j: String!, $d: String!) { executeNow(jobs: [{jobId: $j, domain: $d}]) { reason execution { id } } }`, { j: jobId, d: domain })).executeNow[0];
  assert.equal(r.reason, null, `executeNow ${jobId}@${domain}: ${r.reason}`);
  return Number(r.execution.id);
}

async function startedOn(id: number) {
  return waitFor(`execution ${id} to start`, async () => {
    const [e] = await sql()<{ owner: string | null }[]>`SELECT owner FROM executions WHERE id = ${id}`;
    const [l] = await sql()<{ message: string }[]>`SELECT message FROM log_entries WHERE execution_id = ${id} AND message LIKE 'started %'`;
    return e?.owner && l ? { owner: e.owner, pid: Number(l.message.split(' ')[1]) } : undefined;
  });
}

const statusOf = async (id: number) => (await sql()<{ status: string; error: string | null; owner: string | null; lastSeq: number }[]>`
  SELECT status, error, owner, last_seq AS "lastSeq" FROM executions WHERE id = ${id}`)[0]!;

/** Every seq 1..last_seq exactly once, in order. */
async function assertContiguous(id: number) {
  const { lastSeq } = await statusOf(id);
  const seqs = (await sql()<{ seq: number }[]>`SELECT seq FROM log_entries WHERE execution_id = ${id} ORDER BY seq`).map((r) => r.seq);
  assert.deepEqual(seqs, Array.from({ length: lastSeq }, (_, i) => i + 1), `execution ${id}: seqs are not 1..${lastSeq}`);
  return seqs;
}

test('kill -9 of a worker mid-run → INTERRUPTED within the lease bound; the row runs again at its next occurrence', async () => {
  const id = await executeNow('f.long');
  const started = await startedOn(id);
  orphans.push(started.pid);
  const victim = ownerOf(started.owner);
  assert.ok(victim, `owner ${started.owner} is not one of the workers`);
  const t0 = Date.now();
  await victim.kill('SIGKILL');
  await waitFor('INTERRUPTED', async () => (await statusOf(id)).status === 'INTERRUPTED', 30_000, 50);
  const took = Date.now() - t0;
  console.log(`BOUND kill -9 → INTERRUPTED in ${took} ms (HEARTBEAT_SECONDS=1, LEASE_SECONDS=4; bound lease + 2 heartbeats)`);
  assert.ok(took <= 4000 + 2 * 1000 + 1500, `took ${took} ms`);
  await assertContiguous(id);
  workers.splice(workers.indexOf(victim), 1, await startWorker(app.databaseUrl, W));

  // Its next occurrence: the row is made SCHEDULED with next_run_at a few seconds ahead.
  const [row] = await sql()<{ id: string; at: Date }[]>`
    UPDATE job_rows SET plan_kind = 'SCHEDULED', rule = ${sql().json({ kind: 'CRON', cron: '0 0 1 1 *', timeZone: 'UTC' })},
      next_run_at = date_trunc('second', now()) + interval '3 seconds'
    WHERE id = (SELECT row_id FROM executions WHERE id = ${id}) RETURNING id, next_run_at AS at`;
  await (app.deps.engine as any).scheduleRow(row!.id, row!.at);
  const next = await waitFor('the next occurrence to run', async () => {
    const [e] = await sql()<{ id: number; status: string }[]>`
      SELECT id::int AS id, status FROM executions WHERE row_id = ${row!.id} AND occurrence_at = ${row!.at} AND status <> 'IN_PROGRESS'`;
    return e;
  }, 30_000);
  assert.equal(next.status, 'SUCCESS');
  await sql()`UPDATE job_rows SET plan_kind = 'DISABLED', next_run_at = NULL WHERE id = ${row!.id}`.catch(async () => {
    await sql()`UPDATE job_rows SET next_run_at = NULL WHERE id = ${row!.id}`;
  });
});

test('SIGSTOP past the lease, then SIGCONT: the late writes of the paused worker are refused', async () => {
  const id = await executeNow('f.pause');
  const started = await startedOn(id);
  orphans.push(started.pid);
  await waitFor('a few lines', async () => (await statusOf(id)).lastSeq >= 5);
  const victim = ownerOf(started.owner)!;
  const t0 = Date.now();
  process.kill(victim.pid, 'SIGSTOP');
  try {
    await waitFor('another worker to mark it INTERRUPTED', async () => (await statusOf(id)).status === 'INTERRUPTED', 30_000, 50);
    console.log(`BOUND SIGSTOP → INTERRUPTED by another worker's sweep in ${Date.now() - t0} ms`);
    // Leave the command time to print the rest of its lines into the paused worker's pipe.
    await new Promise((r) => setTimeout(r, 4000));
  } finally {
    process.kill(victim.pid, 'SIGCONT');
  }
  const before = await statusOf(id);
  // The resumed worker heartbeats (1 s), learns it lost the lease, reads its pipe, tries to write and finish.
  await new Promise((r) => setTimeout(r, 4000));
  const afterResume = await statusOf(id);
  assert.equal(afterResume.status, 'INTERRUPTED');
  assert.equal(afterResume.error, 'its worker stopped');
  assert.equal(afterResume.lastSeq, before.lastSeq, 'late log lines were appended after the final entry');
  const seqs = await assertContiguous(id);
  const [last] = await sql()<{ message: string }[]>`SELECT message FROM log_entries WHERE execution_id = ${id} ORDER BY seq DESC LIMIT 1`;
  assert.match(last!.message, /^Interrupted: worker .* stopped heartbeating/);
  console.log(`paused worker resumed: status stays INTERRUPTED, ${seqs.length} entries, no late entry after the final one`);
  // The refused run is let go: the worker still drains and exits on SIGTERM (it used to retry forever).
  const t1 = Date.now();
  await victim.kill('SIGTERM');
  console.log(`BOUND resumed worker exits ${Date.now() - t1} ms after SIGTERM`);
  assert.ok(Date.now() - t1 < 15_000);
  assert.doesNotMatch(victim.output(), /duplicate key/);
  workers.splice(workers.indexOf(victim), 1, await startWorker(app.databaseUrl, W));
});

test('SIGTERM during a long run: nothing new is claimed by the stopping worker; the run ends INTERRUPTED once, within the drain timeout', async () => {
  const domains = Array.from({ length: 6 }, (_, i) => `drain${i}.example`);
  await sql()`INSERT INTO domains (name) SELECT unnest(${domains}::text[]) ON CONFLICT DO NOTHING`;
  for (const d of domains) await app.deps.engine.syncDomain(d);
  const id = await executeNow('f.drain');
  const started = await startedOn(id);
  orphans.push(started.pid);
  const victim = ownerOf(started.owner)!;
  const t0 = Date.now();
  victim.child.kill('SIGTERM');
  const queued: number[] = [];
  for (const d of domains) queued.push(await executeNow('f.quick', d));
  await victim.kill('SIGTERM');
  const exitMs = Date.now() - t0;
  console.log(`BOUND worker with a 30 s run exited ${exitMs} ms after SIGTERM (DRAIN_TIMEOUT_SECONDS=2)`);
  assert.ok(exitMs < 2000 + 1000 + 4000, `exit took ${exitMs} ms`);
  const long = await statusOf(id);
  assert.equal(long.status, 'INTERRUPTED');
  assert.match(long.error ?? '', /shut down/);
  for (const q of queued) {
    const e = await waitFor(`queued run ${q}`, async () => {
      const s = await statusOf(q);
      return s.status !== 'IN_PROGRESS' ? s : undefined;
    }, 30_000);
    assert.equal(e.status, 'SUCCESS');
    assert.ok(!e.owner!.includes(`:${victim.pid}:`), `run ${q} was claimed by the stopping worker`);
  }
  // Never released to run twice.
  await new Promise((r) => setTimeout(r, 1500));
  const [n] = await sql()<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE job_id = 'f.drain'`;
  assert.equal(n!.n, 1);
  workers.splice(workers.indexOf(victim), 1, await startWorker(app.databaseUrl, W));
});

test('3 workers + 1 web, 1,000 occurrences due across 100 rows (10 rounds, each queued twice) → exactly one execution each', async () => {
  const s = sql();
  const names = Array.from({ length: 100 }, (_, i) => `r${String(i).padStart(3, '0')}.example`);
  await s`INSERT INTO domains (name) SELECT unnest(${names}::text[]) ON CONFLICT DO NOTHING`;
  for (const n of names) await app.deps.engine.syncDomain(n);
  const rowIds = (await s<{ id: string }[]>`SELECT id FROM job_rows WHERE job_id = 'f.quick' AND domain = ANY(${names}::text[])`).map((r) => r.id);
  assert.equal(rowIds.length, 100);
  const sched = app.deps.engine as any;
  const t0 = Date.now();
  const expected = new Set<string>();
  for (let round = 0; round < 10; round++) {
    // Each row's next occurrence is due now: consumed by the occurrence path, exactly as a due plan is.
    const rows = await s<{ id: string; at: Date }[]>`
      UPDATE job_rows SET plan_kind = 'SCHEDULED', rule = ${s.json({ kind: 'CRON', cron: '0 0 1 1 *', timeZone: 'UTC' })},
        next_run_at = date_trunc('milliseconds', now()) + interval '200 milliseconds'
      WHERE id = ANY(${rowIds}::uuid[]) RETURNING id, next_run_at AS at`;
    for (const r of rows) {
      expected.add(`${r.id}|${r.at.toISOString()}`);
      await sched.scheduleRow(r.id, r.at);
      await sched.addOccurrence(r.id, r.at); // Agenda is at-least-once: a duplicate must not run twice.
    }
    await waitFor(`round ${round}: 100 finished`, async () => {
      const [c] = await s<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE row_id = ANY(${rowIds}::uuid[]) AND status <> 'IN_PROGRESS'`;
      return c!.n >= (round + 1) * 100;
    }, 60_000, 100);
  }
  console.log(`BOUND 1,000 occurrences over 100 rows ran in ${Date.now() - t0} ms on 3 workers`);
  await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
  const got = await s<{ rowId: string; at: Date; n: number; bad: number }[]>`
    SELECT row_id AS "rowId", occurrence_at AS at, count(*)::int AS n, count(*) FILTER (WHERE status <> 'SUCCESS')::int AS bad
    FROM executions WHERE row_id = ANY(${rowIds}::uuid[]) GROUP BY row_id, occurrence_at`;
  assert.equal(got.length, 1000, 'one execution group per occurrence');
  for (const r of got) {
    assert.equal(r.n, 1);
    assert.equal(r.bad, 0);
    assert.ok(expected.has(`${r.rowId}|${r.at.toISOString()}`));
  }
  const owners = await s<{ owner: string; n: number }[]>`SELECT owner, count(*)::int AS n FROM executions WHERE row_id = ANY(${rowIds}::uuid[]) GROUP BY owner`;
  console.log(`runs per worker: ${owners.map((o) => o.n).join(', ')}; none lost, none twice`);
});
