import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Gql, startTestApp, type TestApp } from '../helpers/app';
import { reapWorkers, startWorker, waitFor, type WorkerProc } from '../helpers/worker';
import { DUE_BATCH } from '../../jobs/due';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-proc-'));
const mark = path.join(dir, 'ran-once');
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(jobsFile, JSON.stringify({ jobs: [
  { id: 'cmd.long', description: 'Long the first time', kind: 'GLOBAL',
    command: ['sh', '-c', `echo "started $$"; if [ -f ${mark} ]; then echo again; exit 0; fi; touch ${mark}; exec sleep 30`] },
  { id: 'cmd.each', description: 'Per domain', kind: 'PER_DOMAIN', command: ['sh', '-c', 'echo "domain=$JOBDECK_DOMAIN"'] },
] }));

let app: TestApp;
let g: Gql;
const workers: WorkerProc[] = [];
const orphans: number[] = [];
before(async () => {
  app = await startTestApp({ ROLE: 'web', JOBS_FILE: jobsFile });
  g = await new Gql(app.url).login();
  workers.push(...(await Promise.all([startWorker(app.databaseUrl, { JOBS_FILE: jobsFile }), startWorker(app.databaseUrl, { JOBS_FILE: jobsFile })])));
});
after(async () => {
  await reapWorkers();
  for (const pid of orphans) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
  await (app?.deps.engine as any)?.agenda.backend.disconnect().catch(() => {});
  await app?.stop();
});

const GET = `query($id: ID!) { execution(id: $id) { id status logs(first: 50) { entries { level message } } } }`;

test('kill -9 of a worker mid-run → INTERRUPTED within the lease, then the row runs again', async () => {
  const id = (await g.ok(`mutation { executeNow(jobs: [{jobId: "cmd.long", domain: "global"}]) { execution { id } } }`)).executeNow[0].execution.id;
  const started = await waitFor('the command to start', async () => {
    const [e] = await app.deps.sql<{ owner: string | null }[]>`SELECT owner FROM executions WHERE id = ${id}`;
    const [l] = await app.deps.sql<{ message: string }[]>`SELECT message FROM log_entries WHERE execution_id = ${id} AND message LIKE 'started %'`;
    return e?.owner && l ? { owner: e.owner, pid: Number(l.message.split(' ')[1]) } : undefined;
  });
  orphans.push(started.pid);
  const victim = workers.find((w) => started.owner.includes(`:${w.pid}:`));
  assert.ok(victim, `owner ${started.owner} is not one of the workers`);
  const t0 = Date.now();
  await victim.kill('SIGKILL');
  await waitFor('INTERRUPTED', async () => (await g.ok(GET, { id })).execution.status === 'INTERRUPTED', 30_000, 50);
  const took = Date.now() - t0;
  console.log(`kill -9 → INTERRUPTED in ${took} ms (HEARTBEAT_SECONDS=1, LEASE_SECONDS=4)`);
  assert.ok(took <= 4000 + 2 * 1000 + 1500, `took ${took} ms`);
  const { execution } = await g.ok(GET, { id });
  assert.ok(execution.logs.entries.some((l: any) => /Interrupted/.test(l.message)));
  const again = (await g.ok(`mutation { executeNow(jobs: [{jobId: "cmd.long", domain: "global"}]) { reason execution { id } } }`)).executeNow[0];
  assert.equal(again.reason, null);
  const done = await waitFor('the next run', async () => {
    const e = (await g.ok(GET, { id: again.execution.id })).execution;
    return e.status !== 'IN_PROGRESS' ? e : undefined;
  });
  assert.equal(done.status, 'SUCCESS');
  workers.splice(workers.indexOf(victim), 1, await startWorker(app.databaseUrl, { JOBS_FILE: jobsFile }));
});

test('two workers and 600 due runs (each queued twice, more than one batch of due occurrences) → exactly 600 executions', async () => {
  const sql = app.deps.sql;
  const names = Array.from({ length: 600 }, (_, i) => `d${String(i).padStart(3, '0')}.example`);
  await sql`INSERT INTO domains (name) SELECT unnest(${names}::text[])`;
  await app.deps.engine.syncDomains(names);
  const rows = await sql<{ id: string; at: Date }[]>`
    UPDATE job_rows SET plan_kind = 'SCHEDULED', rule = ${sql.json({ kind: 'CRON', cron: '0 0 1 1 *', timeZone: 'UTC' })},
      next_run_at = date_trunc('second', now()) + interval '8 seconds'
    WHERE job_id = 'cmd.each' RETURNING id, next_run_at AS at`;
  assert.equal(rows.length, 600);
  assert.ok(rows.length > DUE_BATCH, 'more rows than one batch takes');
  const sched = app.deps.engine as any;
  for (const r of rows) {
    await sched.scheduleRow(r.id, r.at);
    await sched.addOccurrence(r.id, r.at); // Agenda is at-least-once: a duplicate must not run twice.
  }
  const at = rows[0]!.at;
  const t0 = Date.now();
  await waitFor('600 finished executions', async () => {
    const [c] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE job_id = 'cmd.each' AND status <> 'IN_PROGRESS'`;
    return c!.n >= 600;
  }, 120_000, 200);
  console.log(`600 due runs finished ${Date.now() - t0} ms after being queued (due ${at.toISOString()})`);
  // Leave time for a duplicate to show up, bounded by the work that is still queued.
  await waitFor('no occurrence job left', async () => {
    const [c] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'jobdeck:occurrence' AND next_run_at <= now() + interval '1 minute'`;
    return c!.n === 0;
  }, 30_000, 200);
  const groups = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE job_id = 'cmd.each' GROUP BY row_id, occurrence_at`;
  assert.equal(groups.length, 600);
  assert.ok(groups.every((g) => g.n === 1));
  const bad = await sql<{ id: number; status: string; error: string | null }[]>`SELECT id::int AS id, status, error FROM executions WHERE job_id = 'cmd.each' AND status <> 'SUCCESS'`;
  for (const b of bad) console.log('not SUCCESS:', b, await sql`SELECT level, message FROM log_entries WHERE execution_id = ${b.id} ORDER BY seq`);
  assert.equal(bad.length, 0);
  const owners = await sql<{ owner: string }[]>`SELECT DISTINCT owner FROM executions WHERE job_id = 'cmd.each'`;
  console.log(`runs spread over ${owners.length} worker(s)`);
});
