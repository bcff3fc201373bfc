import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { nextOccurrence } from '../../jobs/plan';
import { Gql, startTestApp, testConfig, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/worker';

const quick = defineJob({
  id: 'test.quick',
  description: 'Logs one line',
  kind: 'GLOBAL',
  automatic: { kind: 'EVERY_HOURS', every: 6 },
  async run(ctx) {
    ctx.log.info('quick ran');
  },
});
const other = defineJob({ id: 'test.nodefault', description: 'No default recurrence', kind: 'GLOBAL', async run() {} });

let app: TestApp;
let g: Gql;
before(async () => {
  app = await startTestApp({}, { extraJobs: [quick, other] });
  g = await new Gql(app.url).login();
});
after(async () => {
  await app?.stop();
});

const JOB = `query($j: String!, $d: String!) { job(jobId: $j, domain: $d) { id nextRunAt plan { kind summary rule { kind every cron } } automaticRule { kind every }
  executions(first: 50) { nodes { id status trigger scheduledFor late } } } }`;
const UPDATE = `mutation($j: String!, $d: String!, $i: JobUpdate!) { updateJob(jobId: $j, domain: $d, input: $i) { id nextRunAt plan { kind } } }`;

const occurrenceJobs = async (rowId: string) =>
  (await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = 'jobdeck:occurrence' AND data->>'rowId' = ${rowId}`)[0]!.n;

test('AUTOMATIC default is shown and nextRunAt follows it', async () => {
  const { job } = await g.ok(JOB, { j: 'test.quick', d: 'global' });
  assert.equal(job.plan.kind, 'AUTOMATIC');
  assert.deepEqual(job.automaticRule, { kind: 'EVERY_HOURS', every: 6 });
  const want = nextOccurrence({ kind: 'EVERY_HOURS', every: 6, timeZone: 'UTC' } as never, new Date());
  assert.equal(new Date(job.nextRunAt).getTime(), want!.getTime());
  assert.equal(await occurrenceJobs(job.id), 1);
  const none = (await g.ok(JOB, { j: 'test.nodefault', d: 'global' })).job;
  assert.equal(none.nextRunAt, null);
});

test('plan change moves nextRunAt; DISABLED clears it and its Agenda job', async () => {
  const rule = { kind: 'CRON', cron: '17 3 * * *', timeZone: 'Europe/Paris' };
  const u = (await g.ok(UPDATE, { j: 'test.quick', d: 'global', i: { plan: { kind: 'SCHEDULED', rule } } })).updateJob;
  const want = nextOccurrence(rule as never, new Date())!;
  assert.equal(new Date(u.nextRunAt).getTime(), want.getTime());
  const [pending] = await app.deps.sql<{ at: string; next: Date }[]>`
    SELECT data->>'at' AS at, next_run_at AS next FROM agenda_jobs WHERE name = 'jobdeck:occurrence' AND data->>'rowId' = ${u.id}`;
  assert.equal(pending!.at, want.toISOString());
  assert.equal(await occurrenceJobs(u.id), 1);
  const d = (await g.ok(UPDATE, { j: 'test.quick', d: 'global', i: { plan: { kind: 'DISABLED' } } })).updateJob;
  assert.equal(d.nextRunAt, null);
  assert.equal(await occurrenceJobs(u.id), 0);
  const a = (await g.ok(UPDATE, { j: 'test.quick', d: 'global', i: { plan: { kind: 'AUTOMATIC' } } })).updateJob;
  assert.ok(a.nextRunAt);
  assert.equal(await occurrenceJobs(u.id), 1);
});

test('a scheduled run happens at its occurrence and nextRunAt moves on', async () => {
  const rule = { kind: 'EVERY_MINUTES', every: 1, timeZone: 'UTC' };
  const u = (await g.ok(UPDATE, { j: 'test.quick', d: 'global', i: { plan: { kind: 'SCHEDULED', rule } } })).updateJob;
  const [{ at }] = await app.deps.sql<[{ at: Date }]>`UPDATE job_rows SET next_run_at = date_trunc('milliseconds', now()) + interval '1 second' WHERE id = ${u.id} RETURNING next_run_at AS at`;
  await app.deps.engine.scheduleRow(u.id, at);
  const exec = await waitFor('the scheduled execution', async () => {
    const { job } = await g.ok(JOB, { j: 'test.quick', d: 'global' });
    return job.executions.nodes.find((e: any) => e.trigger === 'SCHEDULE' && e.status === 'SUCCESS');
  });
  assert.equal(new Date(exec.scheduledFor).getTime(), at.getTime());
  assert.equal(exec.late, false);
  const { job } = await g.ok(JOB, { j: 'test.quick', d: 'global' });
  const want = nextOccurrence(rule as never, new Date(Math.max(Date.now() - 60_000, at.getTime())))!;
  assert.ok(new Date(job.nextRunAt).getTime() > at.getTime());
  assert.equal(new Date(job.nextRunAt).getUTCSeconds(), 0);
  assert.ok(new Date(job.nextRunAt).getTime() - want.getTime() <= 60_000);
  assert.equal(await occurrenceJobs(u.id), 1);
  // A DISABLED row never runs: its pending occurrence is gone, so nothing fires.
  await g.ok(UPDATE, { j: 'test.quick', d: 'global', i: { plan: { kind: 'DISABLED' } } });
  assert.equal(await occurrenceJobs(u.id), 0);
});

test('a missed occurrence runs once on start and says it was late', async () => {
  // A second app on its own database: set the row's next run in the past before the worker starts.
  const web = await startTestApp({ ROLE: 'web' }, { extraJobs: [quick] });
  try {
    const [row] = await web.deps.sql<{ id: string }[]>`
      UPDATE job_rows SET plan_kind = 'SCHEDULED', rule = ${web.deps.sql.json({ kind: 'EVERY_MINUTES', every: 5, timeZone: 'UTC' })},
        next_run_at = date_trunc('minute', now()) - interval '10 minutes'
      WHERE job_id = 'test.quick' RETURNING id`;
    await web.deps.sql`DELETE FROM agenda_jobs`;
    // Two missed occurrences (next run 10 minutes ago, every 5 minutes), no Agenda job: the start runs it once.
    const { startJobdeck } = await import('../../lib/app');
    const worker = await startJobdeck(
      testConfig({ DATABASE_URL: web.databaseUrl, ROLE: 'worker' }),
      { console: false, extraJobs: [quick], log: process.env.JOBDECK_TEST_LOG ? (l) => console.error('W', l) : () => {} },
    );
    try {
      const done = await waitFor('the late run', async () => {
        const rows = await web.deps.sql<{ status: string; n: number }[]>`SELECT status, count(*) OVER ()::int AS n FROM executions WHERE row_id = ${row!.id}`;
        return rows.length && rows[0]!.status !== 'IN_PROGRESS' ? rows : undefined;
      });
      assert.equal(done.length, 1);
      const wg = await new Gql(web.url).login();
      const { job } = await wg.ok(JOB, { j: 'test.quick', d: 'global' });
      assert.equal(job.executions.nodes.length, 1);
      assert.equal(job.executions.nodes[0].late, true);
      assert.ok(new Date(job.nextRunAt).getTime() > Date.now());
      // Give the worker a further processing cycle: still one.
      const again = await web.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE row_id = ${row!.id}`;
      assert.equal(again[0]!.n, 1);
    } finally {
      await worker.close();
    }
  } catch (e) {
    console.error('missed-occurrence test failed:', e);
    throw e;
  } finally {
    // A web-only process never starts Agenda, and Agenda.stop() then leaves its pool open (lib/app.ts).
    await (web.deps.engine as any).agenda.backend.disconnect().catch(() => {});
    await web.stop();
  }
});
