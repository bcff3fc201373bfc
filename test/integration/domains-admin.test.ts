/**
 * Domain administration (API.md "Administration and identity"): createDomains is idempotent,
 * normalised and all-or-nothing, and 10,000 names go through set-based; deleteDomain takes rows,
 * executions, logs and domain administrators with it in one transaction, is refused while a run is
 * in progress, and is audited; domainImpact says beforehand what goes; the audit trail filters.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, type GqlResult, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/worker';

let release: () => void = () => {};
const gate = new Promise<void>((r) => (release = r));
const hold = defineJob({
  id: 'test.hold-domain',
  description: 'Holds until released (per domain)',
  kind: 'PER_DOMAIN',
  run: async (ctx) => {
    ctx.log.info('holding');
    await Promise.race([gate, new Promise((_, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('stopped'))))]);
  },
});

let app: TestApp;
let admin: Gql;
const codes = (r: GqlResult) => (r.errors ?? []).map((e) => [e.extensions?.code, e.extensions?.field ?? null]);
const CREATE = 'mutation($n: [String!]!) { createDomains(names: $n) { name created createdAt } }';
const DELETE = 'mutation($n: String!) { deleteDomain(name: $n) }';
const IMPACT = 'query($n: String!) { domainImpact(name: $n) { rows executions domainAdmins } }';
const EXEC = 'mutation($j: [JobRef!]!) { executeNow(jobs: $j) { reason execution { id } } }';
const count = async (q: string, name: string) => (await app.deps.sql.unsafe(q, [name]))[0]!.n as number;

async function runAndEnd(jobId: string, domain: string) {
  const id = (await admin.ok(EXEC, { j: [{ jobId, domain }] })).executeNow[0].execution.id as string;
  await waitFor(`execution ${id} to end`, async () => (await admin.ok('query($id: ID!) { execution(id: $id) { status } }', { id })).execution.status !== 'IN_PROGRESS');
  return id;
}

before(async () => {
  app = await startTestApp({}, { extraJobs: [hold] });
  admin = await new Gql(app.url).login();
  await admin.ok(CREATE, { n: ['a.example'] });
  await admin.ok('mutation { createUser(email: "sa@a.example", password: "subset-admin-pass", role: SYSTEM_ADMIN, domains: ["a.example"]) { id } }');
  await admin.ok('mutation { createUser(email: "da@a.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }');
});
after(async () => {
  release();
  await app?.stop();
});

test('createDomains: normalised, idempotent, answers which are new; rows and next runs exist at once', async () => {
  const r = (await admin.ok(CREATE, { n: ['  New-One.Example ', 'a.example', 'new-one.example', 'new-two.example'] })).createDomains;
  assert.deepEqual(r.map((d: any) => [d.name, d.created]), [['new-one.example', true], ['a.example', false], ['new-two.example', true]]);
  assert.ok(r.every((d: any) => typeof d.createdAt === 'string'));
  const again = (await admin.ok(CREATE, { n: ['NEW-ONE.example'] })).createDomains;
  assert.deepEqual(again.map((d: any) => [d.name, d.created]), [['new-one.example', false]]);
  const job = (await admin.ok('{ job(jobId: "domain.activity-report", domain: "new-two.example") { domain nextRunAt } }')).job;
  assert.equal(job.domain, 'new-two.example');
  assert.ok(job.nextRunAt, 'the new row has its next run');
  const [occ] = await app.deps.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM agenda_jobs a JOIN job_rows r ON r.id::text = a.data->>'rowId'
    WHERE a.name = 'jobdeck:occurrence' AND r.domain = 'new-two.example' AND (a.data->>'at')::timestamptz = r.next_run_at`;
  assert.ok(occ!.n >= 1, 'Agenda holds its occurrence');
  const audited = (await admin.ok('{ auditLog(filter: { action: "createDomains" }) { nodes { action target details } } }')).auditLog.nodes;
  assert.equal(audited[0].target, '2 domains');
  assert.deepEqual(JSON.parse(audited[0].details), { created: 2, existed: 1, names: ['new-one.example', 'new-two.example'], more: 0 });
  // Nothing new: no audit entry.
  assert.equal((await admin.ok('{ auditLog(filter: { action: "createDomains" }) { nodes { id } } }')).auditLog.nodes.length, audited.length);
});

test('createDomains: one bad name answers BAD_USER_INPUT on names[i] and creates none', async () => {
  for (const [bad, i] of [['bad name.example', 1], ['global', 1], ['127.0.0.1', 1], ['', 1], ['x'.repeat(300), 1]] as const) {
    const r = await admin.query(CREATE, { n: ['fine-1.example', bad, 'fine-2.example'] });
    assert.deepEqual(codes(r), [['BAD_USER_INPUT', `names[${i}]`]], bad.slice(0, 20));
  }
  assert.equal(await count("SELECT count(*)::int AS n FROM domains WHERE name LIKE $1", 'fine-%'), 0);
  assert.deepEqual((await admin.ok(CREATE, { n: [] })).createDomains, []);
});

test('createDomains: 10,000 names in one call, set-based', async () => {
  const names = Array.from({ length: 10_000 }, (_, i) => `bulk-${String(i).padStart(5, '0')}.example`);
  const t0 = performance.now();
  const r = (await admin.ok('mutation($n: [String!]!) { createDomains(names: $n) { name created } }', { n: names })).createDomains;
  const ms = Math.round(performance.now() - t0);
  console.log(`createDomains: 10,000 new names in ${ms} ms`);
  assert.equal(r.length, 10_000);
  assert.ok(r.every((d: any) => d.created));
  assert.equal(await count('SELECT count(*)::int AS n FROM job_rows WHERE domain LIKE $1', 'bulk-%'), 20_000, 'a row per per-domain job');
  // The activity report runs daily by itself; the held test job has no recurrence of its own.
  const scheduled = await count("SELECT count(*)::int AS n FROM job_rows WHERE domain LIKE $1 AND next_run_at IS NOT NULL AND job_id = 'domain.activity-report'", 'bulk-%');
  assert.equal(scheduled, 10_000);
  assert.equal(await count("SELECT count(*)::int AS n FROM agenda_jobs a JOIN job_rows r ON r.id::text = a.data->>'rowId' AND (a.data->>'at')::timestamptz = r.next_run_at WHERE r.domain LIKE $1", 'bulk-%'), 10_000);
  assert.ok(ms < 15_000, `took ${ms} ms`);
  const t1 = performance.now();
  const again = (await admin.ok('mutation($n: [String!]!) { createDomains(names: $n) { name created } }', { n: names })).createDomains;
  console.log(`createDomains: the same 10,000 again (all existing) in ${Math.round(performance.now() - t1)} ms`);
  assert.ok(again.every((d: any) => !d.created));
});

test('deleteDomain: impact first, then rows, executions, logs and domain administrators go in one transaction; audited', async () => {
  await admin.ok(CREATE, { n: ['gone.example'] });
  await admin.ok('mutation { createUser(email: "da@gone.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["gone.example"]) { id } }');
  const supervisor = (await admin.ok('mutation { createUser(email: "sa@gone.example", password: "subset-admin-pass", role: SYSTEM_ADMIN, domains: ["gone.example", "a.example"]) { id } }')).createUser.id;
  const exec = await runAndEnd('domain.activity-report', 'gone.example');
  const rowCount = await count('SELECT count(*)::int AS n FROM job_rows WHERE domain = $1', 'gone.example');
  assert.deepEqual((await admin.ok(IMPACT, { n: ' Gone.example ' })).domainImpact, { rows: rowCount, executions: 1, domainAdmins: 1 });
  assert.equal((await admin.ok(IMPACT, { n: 'nope.example' })).domainImpact, null);
  assert.ok((await count('SELECT count(*)::int AS n FROM log_entries WHERE execution_id = $1::bigint', exec)) > 0);

  const rowIds = (await app.deps.sql<{ id: string }[]>`SELECT id::text FROM job_rows WHERE domain = 'gone.example'`).map((r) => r.id);
  const pending = async () => (await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM agenda_jobs WHERE data->>'rowId' = ANY(${rowIds}::text[])`)[0]!.n;
  assert.ok((await pending()) > 0, 'its rows had pending occurrences');

  assert.equal((await admin.ok(DELETE, { n: 'gone.example' })).deleteDomain, true);
  assert.equal(await pending(), 0, 'no occurrence is left for a row that is gone');
  for (const [q, what] of [
    ['SELECT count(*)::int AS n FROM domains WHERE name = $1', 'domain'],
    ['SELECT count(*)::int AS n FROM job_rows WHERE domain = $1', 'rows'],
    ['SELECT count(*)::int AS n FROM executions WHERE domain = $1', 'executions'],
    ["SELECT count(*)::int AS n FROM users WHERE email = 'da@gone.example' AND $1 <> ''", 'domain administrator'],
  ] as const) assert.equal(await count(q, 'gone.example'), 0, what);
  assert.equal(await count('SELECT count(*)::int AS n FROM log_entries WHERE execution_id = $1::bigint', exec), 0, 'logs');
  // The supervisor stays, with his other domain.
  assert.deepEqual((await admin.ok('query($id: ID!) { user(id: $id) { email domains } }', { id: supervisor })).user, { email: 'sa@gone.example', domains: ['a.example'] });
  const entry = (await admin.ok('{ auditLog(filter: { action: "deleteDomain", domain: "gone.example" }) { nodes { actor target domain details } } }')).auditLog.nodes;
  assert.equal(entry.length, 1);
  assert.equal(entry[0].target, 'gone.example');
  assert.deepEqual(JSON.parse(entry[0].details), { rows: rowCount, executions: 1, domainAdmins: 1 });
  assert.deepEqual(codes(await admin.query(DELETE, { n: 'gone.example' })), [['NOT_FOUND', null]]);
  assert.deepEqual(codes(await admin.query(DELETE, { n: 'not a domain' })), [['BAD_USER_INPUT', 'name']]);
  // It can come back, fresh.
  assert.deepEqual((await admin.ok(CREATE, { n: ['gone.example'] })).createDomains.map((d: any) => d.created), [true]);
});

test('deleteDomain: ALREADY_RUNNING while one of its executions is in progress; nothing is deleted', async () => {
  await admin.ok(CREATE, { n: ['busy.example'] });
  const r = (await admin.ok(EXEC, { j: [{ jobId: 'test.hold-domain', domain: 'busy.example' }] })).executeNow[0];
  assert.equal(r.reason, null);
  const before = (await admin.ok(IMPACT, { n: 'busy.example' })).domainImpact;
  const refused = await admin.query(DELETE, { n: 'busy.example' });
  assert.deepEqual(codes(refused), [['ALREADY_RUNNING', null]]);
  assert.match(refused.errors![0]!.message, /cancel it or wait/);
  assert.deepEqual((await admin.ok(IMPACT, { n: 'busy.example' })).domainImpact, before);
  release();
  await waitFor('the held run to end', async () => (await admin.ok('query($id: ID!) { execution(id: $id) { status } }', { id: r.execution.id })).execution.status !== 'IN_PROGRESS');
  assert.equal((await admin.ok(DELETE, { n: 'busy.example' })).deleteDomain, true);
});

test('scope: only a system administrator of all domains creates and deletes; domainImpact within scope', async () => {
  const sa = await new Gql(app.url).login('sa@a.example', 'subset-admin-pass');
  const da = await new Gql(app.url).login('da@a.example', 'domain-admin-pass');
  for (const g of [sa, da]) {
    assert.deepEqual(codes(await g.query(CREATE, { n: ['x-scope.example'] })), [['FORBIDDEN', null]]);
    assert.deepEqual(codes(await g.query(DELETE, { n: 'a.example' })), [['FORBIDDEN', null]]);
  }
  assert.equal(await count('SELECT count(*)::int AS n FROM domains WHERE name = $1', 'x-scope.example'), 0);
  assert.ok((await sa.ok(IMPACT, { n: 'a.example' })).domainImpact);
  assert.equal((await sa.ok(IMPACT, { n: 'new-one.example' })).domainImpact, null, 'out of scope answers like unknown');
  assert.deepEqual(codes(await da.query(IMPACT, { n: 'a.example' })), [['FORBIDDEN', null]]);
  assert.deepEqual(codes(await new Gql(app.url).query(CREATE, { n: ['x.example'] })), [['UNAUTHENTICATED', null]]);
});

test('auditLog filters: actor, action, domain, period; start after end is refused', async () => {
  const q = 'query($f: AuditFilter) { auditLog(filter: $f, first: 500) { nodes { actor action domain at } } }';
  const byActor = (await admin.ok(q, { f: { actor: 'ADMIN@' } })).auditLog.nodes;
  assert.ok(byActor.length > 0 && byActor.every((n: any) => n.actor.includes('admin@')));
  const deletes = (await admin.ok(q, { f: { action: 'deleteDomain' } })).auditLog.nodes;
  assert.deepEqual(deletes.map((n: any) => n.domain), ['busy.example', 'gone.example']);
  const future = (await admin.ok(q, { f: { from: new Date(Date.now() + 3_600_000).toISOString() } })).auditLog.nodes;
  assert.deepEqual(future, []);
  const recent = (await admin.ok(q, { f: { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString(), action: 'deleteDomain' } })).auditLog.nodes;
  assert.equal(recent.length, 2);
  assert.deepEqual(codes(await admin.query(q, { f: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } })), [['BAD_USER_INPUT', 'filter.from']]);
  // Paged newest first with a filter.
  const p1 = (await admin.ok('{ auditLog(filter: { action: "deleteDomain" }, first: 1) { nodes { domain } pageInfo { endCursor hasNextPage } } }')).auditLog;
  const p2 = (await admin.ok('query($a: String) { auditLog(filter: { action: "deleteDomain" }, first: 1, after: $a) { nodes { domain } pageInfo { hasNextPage } } }', { a: p1.pageInfo.endCursor })).auditLog;
  assert.deepEqual([p1.nodes[0].domain, p2.nodes[0].domain, p2.pageInfo.hasNextPage], ['busy.example', 'gone.example', false]);
});
