import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/worker';

// Six jobs that all wait for one gate, on a worker with two slots.
let open: () => void = () => {};
const gate = new Promise<void>((r) => (open = r));
let running = 0;
let most = 0;
const ids = ['q1', 'q2', 'q3', 'q4', 'q5', 'q6'].map((s) => `test.${s}`);
const gated = ids.map((id) =>
  defineJob({
    id,
    description: 'Waits for the test',
    kind: 'GLOBAL',
    async run(ctx) {
      most = Math.max(most, ++running);
      try {
        ctx.log.info('waiting');
        await gate;
      } finally {
        running--;
      }
    },
  }),
);

let app: TestApp;
let g: Gql;
before(async () => {
  app = await startTestApp({ WORKER_CONCURRENCY: '2' }, { extraJobs: gated });
  g = await new Gql(app.url).login();
});
after(() => app.stop());

test('runs queued past the worker\'s slots wait queued, then each runs once as slots free', async () => {
  // Every change is streamed too, in order per execution, although they are announced together.
  const client = g.ws();
  type Update = { executionUpdated: { id: string; status: string } };
  const ended = (items: Update[]) => new Set(items.filter((i) => i.executionUpdated.status === 'SUCCESS').map((i) => i.executionUpdated.id)).size;
  const updates = subscribe<Update>(client, `subscription { executionUpdated { id status } }`, {}, (items) => ended(items) === 6);
  await new Promise<void>((r) => client.on('connected', () => r()));
  await waitFor('the subscription', async () => (app.hub!.subscriberCount === 1 ? true : undefined));
  const { executeNow } = await g.ok(`mutation($j: [JobRef!]!) { executeNow(jobs: $j) { execution { id } reason } }`, {
    j: ids.map((jobId) => ({ jobId, domain: 'global' })),
  });
  const opened = executeNow.map((r: { execution: { id: string } | null; reason: string | null }) => Number(r.execution!.id));
  assert.equal(new Set(opened).size, 6);
  const state = () => app.deps.sql<{ owned: number; queued: number; done: number }[]>`
    SELECT count(*) FILTER (WHERE status = 'IN_PROGRESS' AND owner IS NOT NULL)::int AS owned,
           count(*) FILTER (WHERE status = 'IN_PROGRESS' AND owner IS NULL)::int AS queued,
           count(*) FILTER (WHERE status = 'SUCCESS')::int AS done
    FROM executions WHERE id = ANY(${opened}::bigint[])`;
  await waitFor('two runs taken', async () => ((await state())[0]!.owned === 2 ? true : undefined));
  // Two slots: the others stay queued (not taken by this worker and not lost) while both are busy.
  assert.deepEqual((await state())[0], { owned: 2, queued: 4, done: 0 });
  // Runs waiting for a free slot are not "unclaimed": the sweep leaves them, however long they wait.
  const { sweepInterrupted } = await import('../../db/queries/executions');
  const swept = await sweepInterrupted(app.deps.sql, 3600, 0);
  assert.deepEqual(swept.filter((e) => opened.includes(e.id)), []);
  open();
  await waitFor('all six done', async () => ((await state())[0]!.done === 6 ? true : undefined));
  assert.equal(most, 2);
  // Each ran once: one execution per row, each with its own log.
  const rows = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE job_id = ANY(${ids})`;
  assert.equal(rows[0]!.n, 6);
  const [audit] = await app.deps.sql<{ target: string; details: { count: number } }[]>`
    SELECT target, details FROM audit_log WHERE action = 'executeNow' ORDER BY id DESC LIMIT 1`;
  assert.equal(audit!.details.count, 6);
  assert.equal(audit!.target, ids.map((id) => `${id}@global`).join(', '));
  await waitFor('every run\'s end streamed', async () => (ended(updates.items) === 6 ? true : undefined));
  const seen = updates.items;
  for (const id of opened) {
    const statuses = seen.filter((u) => Number(u.executionUpdated.id) === id).map((u) => u.executionUpdated.status);
    assert.equal(statuses.at(-1), 'SUCCESS', `execution ${id}: ${statuses.join(' → ')}`);
    // Never back to IN_PROGRESS once seen ended (a state read twice may be sent twice).
    assert.ok(statuses.slice(statuses.indexOf('SUCCESS')).every((x) => x === 'SUCCESS'), `execution ${id}: ${statuses.join(' → ')}`);
  }
  await client.dispose();
});

test('a worker takes only queued runs of jobs its catalog knows, and can give a claim back', async () => {
  const { claimQueued, unclaim } = await import('../../db/queries/executions');
  const sql = app.deps.sql;
  // A run queued by another deployment whose catalog has a job this one does not.
  const [row] = await sql<{ id: string }[]>`INSERT INTO job_rows (job_id, domain, kind, in_catalog) VALUES ('other.deployment', 'global', 'GLOBAL', false) RETURNING id`;
  const [queued] = await sql<{ id: number }[]>`
    INSERT INTO executions (row_id, job_id, domain, trigger, triggered_by) VALUES (${row!.id}, 'other.deployment', 'global', 'API', 'test') RETURNING id::int`;
  const known = app.deps.catalog.list().map((j) => j.id);
  assert.equal((await claimQueued(sql, 'this-worker', 10, known)).length, 0);
  const [taken] = await claimQueued(sql, 'other-worker', 10, ['other.deployment']);
  assert.equal(taken!.id, queued!.id);
  assert.equal(taken!.owner, 'other-worker');
  await unclaim(sql, 'other-worker', [queued!.id]);
  const [back] = await sql<{ owner: string | null; status: string }[]>`SELECT owner, status FROM executions WHERE id = ${queued!.id}`;
  assert.deepEqual(back, { owner: null, status: 'IN_PROGRESS' });
  await sql`UPDATE executions SET status = 'CANCELLED', ended_at = now() WHERE id = ${queued!.id}`;
});

test('a queued run that workers pass over (no worker knows its job) is interrupted; one waiting its turn is not', async () => {
  const { sweepInterrupted } = await import('../../db/queries/executions');
  const sql = app.deps.sql;
  const [row] = await sql<{ id: string }[]>`INSERT INTO job_rows (job_id, domain, kind, in_catalog) VALUES ('gone.job', 'global', 'GLOBAL', false) RETURNING id`;
  const [ghost] = await sql<{ id: number }[]>`
    INSERT INTO executions (row_id, job_id, domain, trigger, triggered_by) VALUES (${row!.id}, 'gone.job', 'global', 'API', 'test') RETURNING id::int`;
  // Nothing queued after it was taken yet: it may still be waiting its turn.
  assert.deepEqual((await sweepInterrupted(sql, 3600, 0)).map((e) => e.id), []);
  // A later run of a known job is taken and runs: the ghost was passed over.
  const { executeNow } = await g.ok(`mutation { executeNow(jobs: [{ jobId: "test.q1", domain: "global" }]) { execution { id } } }`);
  const later = Number(executeNow[0].execution.id);
  await waitFor('the later run', async () => ((await sql<{ status: string }[]>`SELECT status FROM executions WHERE id = ${later}`)[0]!.status === 'SUCCESS' ? true : undefined));
  const swept = await sweepInterrupted(sql, 3600, 0);
  assert.deepEqual(swept.map((e) => e.id), [ghost!.id]);
  const [e] = await sql<{ status: string; error: string }[]>`SELECT status, error FROM executions WHERE id = ${ghost!.id}`;
  assert.deepEqual(e, { status: 'INTERRUPTED', error: 'no worker took this run' });
});
