/**
 * Short reads: the jobs list and the upcoming list read a row's last execution brief (id, status,
 * start, the resource it waits for) when the query asks no more of it. Generated from the schema:
 * every field of Execution, asked through `jobs { nodes { lastExecution } }` (alone, beside the
 * brief ones, in a fragment, with an alias), through `upcoming` and through `job { executions }`,
 * answers exactly what `execution(id:)` answers; every field of Job, asked through `jobs` and
 * `upcoming`, what `job(jobId:, domain:)` answers. A field added to a type, or to a short read by
 * mistake, cannot come back empty.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { getNamedType, isLeafType, isObjectType, isNonNullType, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { buildSchema } from '../../graphql/schema';
import { Gql, startTestApp, type TestApp } from '../helpers/app';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-brief-'));
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(jobsFile, JSON.stringify({ jobs: [
  {
    id: 'brief.rich',
    description: 'Leaves a run with every kind of value',
    kind: 'GLOBAL',
    command: ['sh', '-c', 'echo one; echo "::warning::careful"; echo two >&2'],
    parameters: [
      { name: 'batch', type: 'INT', default: '10' },
      { name: 'token', type: 'STRING', secret: true },
    ],
  },
] }));

let app: TestApp;
let gql: Gql;
let executionId: string;
/** A scheduled run that started late, and a retry of the first run waiting for its delay and a resource. */
let lateId: string;
let retryId: string;
const ROW = { jobId: 'brief.rich', domain: 'global' };

/** A selection of every field of a type: leaves as they are, objects with theirs two levels down; required arguments never (none today). */
function selectAll(type: GraphQLObjectType, depth = 0): string {
  const one = (f: GraphQLField<unknown, unknown>) => {
    if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) throw new Error(`${type.name}.${f.name} has a required argument: extend this test`);
    const t = getNamedType(f.type);
    if (isLeafType(t)) return f.name;
    if (!isObjectType(t)) throw new Error(`${type.name}.${f.name}: an abstract type: extend this test`);
    return depth < 2 ? `${f.name} { ${selectAll(t, depth + 1) || '__typename'} }` : '';
  };
  return Object.values(type.getFields()).map(one).filter(Boolean).join(' ');
}
const only = (type: GraphQLObjectType, f: GraphQLField<unknown, unknown>) =>
  selectAll({ getFields: () => ({ [f.name]: f }), name: type.name } as unknown as GraphQLObjectType);

const schema = buildSchema();
const executionType = schema.getType('Execution') as GraphQLObjectType;
const fields = Object.values(executionType.getFields());
const jobType = schema.getType('Job') as GraphQLObjectType;

before(async () => {
  app = await startTestApp({ JOBS_FILE: jobsFile });
  gql = await new Gql(app.url).login();
  // Hourly, so that the row is in the next 24 hours' upcoming list too.
  await gql.ok(`mutation { updateJob(jobId: "brief.rich", domain: "global", input: { plan: { kind: SCHEDULED, rule: { kind: EVERY_HOURS, every: 1 } } }) { id } }`);
  const r = await gql.ok<{ executeNow: { execution: { id: string } | null }[] }>(
    `mutation { executeNow(jobs: [{ jobId: "brief.rich", domain: "global" }], parameters: [{ name: "token", value: "hush-hush-1" }]) { execution { id } } }`,
  );
  executionId = r.executeNow[0]!.execution!.id;
  assert.equal(await gql.ended(executionId), 'WARNING');
  // Report settings and parameter defaults of its own: what a short row read leaves out.
  await gql.ok(`mutation { updateJob(jobId: "brief.rich", domain: "global", input: {
    report: { send: true, recipients: ["ops@example.com", "dev@example.com"], when: FAILURE },
    parameters: [{ name: "batch", value: "7" }, { name: "token", value: "row-hush-2" }] }) { id } }`);
  // Values the run above leaves null (scheduledFor, late, retryOf, retryAt, waitingFor, progress):
  // a page that read a field's columns short would answer them wrong. The retry waits a day (no worker takes it).
  const [late] = await app.deps.sql<{ id: number }[]>`
    INSERT INTO executions (row_id, job_id, domain, trigger, status, occurrence_at, started_at, ended_at, progress, warning_count, error_count, last_seq)
    SELECT id, job_id, domain, 'SCHEDULE', 'SUCCESS', now() - interval '2 hours', now() - interval '1 hour', now() - interval '59 minutes', 40, 2, 1, 3
    FROM job_rows WHERE job_id = ${ROW.jobId} AND domain = ${ROW.domain} RETURNING id::int AS id`;
  const [retry] = await app.deps.sql<{ id: number }[]>`
    INSERT INTO executions (row_id, job_id, domain, trigger, status, attempt, retry_of, not_before, waiting_for, parameters)
    SELECT id, job_id, domain, 'RETRY', 'IN_PROGRESS', 2, ${Number(executionId)}, now() + interval '1 day', 'mail-store', '[{"name": "token", "value": "hush-hush-1"}]'::jsonb
    FROM job_rows WHERE job_id = ${ROW.jobId} AND domain = ${ROW.domain} RETURNING id::int AS id`;
  lateId = String(late!.id);
  retryId = String(retry!.id);
});

after(async () => {
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function direct(selection: string, id = executionId) {
  const d = await gql.ok<{ execution: Record<string, unknown> }>(`query($id: ID!) { execution(id: $id) { ${selection} } }`, { id });
  return d.execution;
}

async function listed(selection: string) {
  const d = await gql.ok<{ jobs: { nodes: { lastExecution: Record<string, unknown> }[] } }>(
    `query($j: String!) { jobs(filter: { jobId: $j }) { nodes { lastExecution { ${selection} } } } }`,
    { j: ROW.jobId },
  );
  assert.equal(d.jobs.nodes.length, 1);
  return d.jobs.nodes[0]!.lastExecution;
}

test('every field of Execution, asked alone of a listed row, answers what execution(id:) answers', async () => {
  assert.ok(fields.length >= 20, `${fields.length} fields`);
  for (const f of fields) {
    const sel = only(executionType, f);
    const want = await direct(sel);
    assert.deepEqual(await listed(sel), want, `lastExecution { ${sel} }`);
    // Beside the brief fields, the same.
    const both = `id status startedAt waitingFor ${sel}`;
    assert.deepEqual(await listed(both), await direct(both), `lastExecution { ${both} }`);
  }
  // What the values were: the run is there, its secret masked, not merely equal on both sides.
  const all = await listed(selectAll(executionType));
  assert.equal(all.status, 'WARNING');
  assert.equal(all.trigger, 'MANUAL');
  assert.ok(Number(all.warningCount) >= 1, String(all.warningCount));
  assert.ok(all.endedAt);
  assert.ok(!JSON.stringify(all).includes('hush-hush-1'), 'the secret is masked');
  assert.deepEqual(all, await direct(selectAll(executionType)));
});

/** The row's page of executions asked `selection`, as job(jobId:, domain:) reads it (beside the row) and as a listed row reads it. */
async function pages(selection: string) {
  const page = `executions(first: 10) { totalCount nodes { id ${selection} } }`;
  const d = await gql.ok<{ job: { executions: { nodes: Record<string, unknown>[] } }; jobs: { nodes: { executions: { nodes: Record<string, unknown>[] } }[] } }>(
    `query($j: String!, $d: String!) { job(jobId: $j, domain: $d) { ${page} } jobs(filter: { jobId: $j }) { nodes { ${page} } } }`,
    { j: ROW.jobId, d: ROW.domain },
  );
  assert.equal(d.jobs.nodes.length, 1);
  return [d.job.executions.nodes, d.jobs.nodes[0]!.executions.nodes];
}

/** Each of the three runs, in each way its row's page is read, answers what execution(id:) answers. */
async function pagedAsDirect(selection: string) {
  for (const nodes of await pages(selection)) {
    assert.equal(nodes.length, 3, JSON.stringify(nodes));
    for (const id of [executionId, lateId, retryId]) {
      const mine = nodes.find((n) => n.id === id);
      assert.ok(mine, `${id} in ${JSON.stringify(nodes)}`);
      assert.deepEqual(mine, await direct(`id ${selection}`, id), `executions { nodes { ${selection} } } of ${id}`);
    }
  }
}

test('every field of Execution, asked of a row\'s page of executions, answers what execution(id:) answers', async () => {
  for (const f of fields) await pagedAsDirect(only(executionType, f));
  await pagedAsDirect(selectAll(executionType));
  // The console's and the benchmark's page: plain columns only, read short.
  await pagedAsDirect('status trigger triggeredBy startedAt endedAt durationMs progress waitingFor');
  // The values the short reads must get right are there to get wrong.
  const retry = await direct('status late scheduledFor retryOf retryAt waitingFor attempt parameters { name value }', retryId);
  assert.deepEqual({ ...retry, retryAt: typeof retry.retryAt }, {
    status: 'IN_PROGRESS', late: false, scheduledFor: null, retryOf: executionId, retryAt: 'string', waitingFor: 'mail-store', attempt: 2,
    parameters: [{ name: 'token', value: null }],
  });
  assert.deepEqual(await direct('late progress warningCount errorCount lastSeq durationMs', lateId), { late: true, progress: 40, warningCount: 2, errorCount: 1, lastSeq: 3, durationMs: 60_000 });
  // Two pages of the row in one query, asked different fields: each answers its own, whichever the read ahead took.
  for (const f of fields) {
    const sel = only(executionType, f);
    const d = await gql.ok<{ job: Record<string, { nodes: Record<string, unknown>[] }> }>(
      `query($j: String!, $d: String!) { job(jobId: $j, domain: $d) { a: executions(first: 10) { nodes { id } } b: executions(first: 10) { nodes { id ${sel} } } } }`,
      { j: ROW.jobId, d: ROW.domain },
    );
    assert.deepEqual(d.job.a!.nodes.map((n) => Object.keys(n)), [['id'], ['id'], ['id']]);
    for (const n of d.job.b!.nodes) assert.deepEqual(n, await direct(`id ${sel}`, String(n.id)), `b: executions { nodes { ${sel} } }`);
  }
});

test('fields asked through a fragment, an inline fragment or an alias are read too', async () => {
  const want = await direct('id status trigger endedAt warningCount');
  const d = await gql.ok<{ jobs: { nodes: Record<string, Record<string, unknown>>[] } }>(`
    query($j: String!) {
      jobs(filter: { jobId: $j }) { nodes { ...Row ... on Job { other: lastExecution { id when: endedAt } } } }
    }
    fragment Row on Job { lastExecution { id status ...More } }
    fragment More on Execution { trigger endedAt warningCount }`, { j: ROW.jobId });
  const node = d.jobs.nodes[0]!;
  assert.deepEqual(node.lastExecution, want);
  assert.deepEqual(node.other, { id: want.id, when: want.endedAt });
});

test('the brief fields of a listed row, and through upcoming', async () => {
  const brief = 'id status startedAt waitingFor';
  assert.deepEqual(await listed(brief), await direct(brief));
  const full = selectAll(executionType);
  const want = await direct(full);
  for (const sel of [brief, full]) {
    const d = await gql.ok<{ upcoming: { nodes: { job: { jobId: string; lastExecution: Record<string, unknown> } }[] } }>(
      `{ upcoming(first: 5) { nodes { job { jobId lastExecution { ${sel} } } } } }`,
    );
    const mine = d.upcoming.nodes.filter((n) => n.job.jobId === ROW.jobId);
    assert.ok(mine.length >= 1, JSON.stringify(d));
    for (const n of mine) assert.deepEqual(n.job.lastExecution, sel === brief ? Object.fromEntries(brief.split(' ').map((k) => [k, want[k]])) : want);
  }
});

test('every field of Job, asked of a listed row and of an upcoming one, answers what job(jobId:, domain:) answers', async () => {
  const jobFields = Object.values(jobType.getFields());
  assert.ok(jobFields.some((f) => f.name === 'report') && jobFields.some((f) => f.name === 'parameterDefaults'));
  const want = async (sel: string) =>
    (await gql.ok<{ job: Record<string, unknown> }>(`query($j: String!, $d: String!) { job(jobId: $j, domain: $d) { ${sel} } }`, { j: ROW.jobId, d: ROW.domain })).job;
  const inList = async (sel: string) =>
    (await gql.ok<{ jobs: { nodes: Record<string, unknown>[] } }>(`query($j: String!) { jobs(filter: { jobId: $j }) { nodes { ${sel} } } }`, { j: ROW.jobId })).jobs.nodes[0];
  const inUpcoming = async (sel: string) =>
    (await gql.ok<{ upcoming: { nodes: { job: Record<string, unknown> }[] } }>(`{ upcoming(first: 1, filter: { jobId: "brief.rich" }) { nodes { job { ${sel} } } } }`)).upcoming.nodes[0]?.job;
  for (const f of jobFields) {
    const sel = only(jobType, f);
    const w = await want(sel);
    assert.deepEqual(await inList(sel), w, `jobs { nodes { ${sel} } }`);
    assert.deepEqual(await inUpcoming(sel), w, `upcoming { nodes { job { ${sel} } } }`);
    // Beside what the console's list asks, the same.
    const both = `jobId domain plan { kind summary } lastExecution { id status startedAt waitingFor } nextRunAt running hasUnreadLogs ${sel}`;
    assert.deepEqual(await inList(both), await want(both), `jobs { nodes { ${both} } }`);
  }
  const report = (await inList('report { send recipients when }'))!.report;
  assert.deepEqual(report, { send: true, recipients: ['ops@example.com', 'dev@example.com'], when: 'FAILURE' });
  assert.deepEqual((await inList('parameterDefaults { name value }'))!.parameterDefaults, [{ name: 'batch', value: '7' }, { name: 'token', value: null }]);
});
