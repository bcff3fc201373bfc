/**
 * `job(jobId, domain) { executions }` reads the executions page beside the row, not after it
 * (services/executions.ts prefetchRowExecutions): the page is taken up once the row is found
 * visible, dropped otherwise, never read for a domain the viewer cannot ask about, and the answer
 * over HTTP is the page the row has. Real PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Viewer } from '../../services/access';
import { listForRow } from '../../services/executions';
import { getJob } from '../../services/jobs';
import { makeLoaders } from '../../services/loaders';
import { ADMIN, Gql, startTestApp, twoDomainsAndTheirAdmin, type TestApp } from '../helpers/app';

let app: TestApp;
let admin: Gql;
let da: Gql;
let me: Viewer;

async function executions(domain: string, statuses: string[]) {
  const [row] = await app.deps.sql<{ id: string }[]>`SELECT id FROM job_rows WHERE job_id = 'domain.activity-report' AND domain = ${domain}`;
  const ids: string[] = [];
  for (const status of statuses) {
    const [e] = await app.deps.sql<{ id: number }[]>`
      INSERT INTO executions (row_id, job_id, domain, trigger, status, started_at, ended_at)
      VALUES (${row!.id}, 'domain.activity-report', ${domain}, 'MANUAL', ${status}::execution_status, now(), now())
      RETURNING id::int AS id`;
    ids.push(String(e!.id));
  }
  return ids;
}

let inA: string[];
before(async () => {
  app = await startTestApp();
  admin = await new Gql(app.url).login();
  da = await twoDomainsAndTheirAdmin(app, admin);
  inA = await executions('a.example', ['SUCCESS', 'FAILURE', 'SUCCESS']);
  await executions('b.example', ['FAILURE']);
  const [u] = await app.deps.sql<{ id: string }[]>`SELECT id FROM users WHERE email = ${ADMIN.email}`;
  me = { userId: u!.id, email: ADMIN.email, role: 'SYSTEM_ADMIN', allDomains: true, domains: [], via: 'session', credentialHash: '' };
});
after(() => app?.stop());

const PAGE = `query($d: String!, $s: [ExecutionStatus!]) { job(jobId: "domain.activity-report", domain: $d) {
  domain executions(first: 2, statuses: $s) { totalCount pageInfo { hasNextPage } nodes { id status } } } }`;

test('the executions page of a row is the page it has, asked beside the row or after it', async () => {
  const page = (await admin.ok(PAGE, { d: 'a.example' })).job;
  assert.deepEqual(page, {
    domain: 'a.example',
    executions: { totalCount: 3, pageInfo: { hasNextPage: true }, nodes: [{ id: inA[2], status: 'SUCCESS' }, { id: inA[1], status: 'FAILURE' }] },
  });
  const failures = (await admin.ok(PAGE, { d: 'a.example', s: ['FAILURE'] })).job.executions;
  assert.deepEqual(failures, { totalCount: 1, pageInfo: { hasNextPage: false }, nodes: [{ id: inA[1], status: 'FAILURE' }] });
  // Two pages of the same row in one query, under aliases: each its own.
  const two = (await admin.ok(`{ job(jobId: "domain.activity-report", domain: "a.example") {
    ok: executions(first: 5, statuses: [SUCCESS]) { totalCount } all: executions(first: 1) { nodes { id } } } }`)).job;
  assert.deepEqual(two, { ok: { totalCount: 2 }, all: { nodes: [{ id: inA[2] }] } });
  // Another domain's row answers like one that does not exist, its page included.
  assert.deepEqual(await da.ok(PAGE, { d: 'b.example' }), { job: null });
  assert.equal((await da.ok(PAGE, { d: 'a.example' })).job.executions.totalCount, 3);
});

test('the page is read beside the row and taken from there; none is read for a domain out of reach', async () => {
  const loaders = makeLoaders(app.deps, me);
  const row = await getJob(app.deps, me, 'domain.activity-report', 'a.example', { loaders, executions: [{ first: 2 }] });
  assert.ok(row);
  assert.equal(loaders.rowExecutionPages.size, 1);
  const read = await [...loaders.rowExecutionPages.values()][0]!;
  assert.deepEqual(read.nodes.map((e) => String(e.id)), [inA[2], inA[1], inA[0]]);
  assert.equal(read.totalCount, 3);
  // The field takes that page: a run added since is in a new read (4), not in the request's page (3).
  await executions('a.example', ['SUCCESS']);
  assert.equal((await listForRow(app.deps, loaders, row, { first: 2 })).totalCount, 3);
  assert.equal((await listForRow(app.deps, makeLoaders(app.deps, me), row, { first: 2 })).totalCount, 4);
  // A domain administrator of a.example asking about b.example: nothing is read for it.
  const [u] = await app.deps.sql<{ id: string }[]>`SELECT id FROM users WHERE email = 'da@a.example'`;
  const daViewer: Viewer = { userId: u!.id, email: 'da@a.example', role: 'DOMAIN_ADMIN', allDomains: false, domains: ['a.example'], via: 'session', credentialHash: '' };
  const theirs = makeLoaders(app.deps, daViewer);
  assert.equal(await getJob(app.deps, daViewer, 'domain.activity-report', 'b.example', { loaders: theirs, executions: [{ first: 2 }] }), null);
  assert.equal(theirs.rowExecutionPages.size, 0);
  // A bad cursor is not read ahead: the field answers it (BAD_USER_INPUT, after).
  const bad = makeLoaders(app.deps, me);
  await getJob(app.deps, me, 'domain.activity-report', 'a.example', { loaders: bad, executions: [{ first: 2, after: 'not-a-cursor' }] });
  assert.equal(bad.rowExecutionPages.size, 0);
  const r = await admin.query(`{ job(jobId: "domain.activity-report", domain: "a.example") { executions(after: "not-a-cursor") { totalCount } } }`);
  assert.deepEqual(r.errors?.map((e) => [e.extensions?.code, e.extensions?.field]), [['BAD_USER_INPUT', 'after']]);
});
