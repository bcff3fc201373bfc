import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listRows } from '../../db/queries/job-list';
import { findExecutions } from '../../db/queries/executions';
import { readLogs } from '../../db/queries/logs';
import { rowSecurityAvailable, withScope } from '../../db/scope';
import { Gql, startTestApp, type TestApp } from '../helpers/app';

// Row-level security is the second, independent scope check: these tests call the queries
// directly, with no service-layer filter at all, and only PostgreSQL's policies stand in the way.

let app: TestApp;
const ids: Record<string, number> = {};

before(async () => {
  app = await startTestApp();
  const admin = await new Gql(app.url).login();
  for (const d of ['a.example', 'b.example']) await admin.ok(`mutation($d: String!) { createDomain(name: $d) { name } }`, { d });
  const sql = app.deps.sql;
  for (const domain of ['a.example', 'b.example', 'global']) {
    const jobId = domain === 'global' ? 'system.retention' : 'domain.activity-report';
    const [row] = await sql<{ id: string }[]>`SELECT id FROM job_rows WHERE job_id = ${jobId} AND domain = ${domain}`;
    const [e] = await sql<{ id: number }[]>`
      INSERT INTO executions (row_id, job_id, domain, trigger, status, ended_at, last_seq)
      VALUES (${row!.id}, ${jobId}, ${domain}, 'MANUAL', 'SUCCESS', now(), 1) RETURNING id::int AS id`;
    await sql`INSERT INTO log_entries (execution_id, seq, at, level, message) VALUES (${e!.id}, 1, now(), 'INFO', ${`secret of ${domain}`})`;
    await sql`UPDATE job_rows SET last_execution_id = ${e!.id} WHERE id = ${row!.id}`;
    await sql`
      INSERT INTO outbox (execution_id, message_id, recipients, subject, text, html, status)
      VALUES (${e!.id}, ${`<${e!.id}@rls>`}, ${[`ops@${domain}`]}::text[], ${`report of ${domain}`}, 'log', '<p>log</p>', 'FAILED')`;
    ids[domain] = e!.id;
  }
});
after(() => app.stop());

const domainAdminOfA = { global: false, all: false, domains: ['a.example'] };

test('the tenant role exists and this server may take it', async () => {
  assert.equal(await rowSecurityAvailable(app.deps.sql), true);
});

test('a list query with no scope condition still returns only the viewer\'s rows', async () => {
  const { nodes } = await withScope(app.deps.sql, domainAdminOfA, (tx) =>
    listRows(tx, tx`true` as never, '00000000-0000-0000-0000-000000000000', {}, { first: 500 }),
  );
  assert.ok(nodes.length > 0);
  assert.deepEqual([...new Set(nodes.map((n) => n.domain))], ['a.example']);
});

test('executions and log entries of other domains are invisible, even by id', async () => {
  const found = await withScope(app.deps.sql, domainAdminOfA, (tx) => findExecutions(tx, Object.values(ids)));
  assert.deepEqual(found.map((e) => e.domain), ['a.example']);
  for (const domain of ['b.example', 'global']) {
    const logs = await withScope(app.deps.sql, domainAdminOfA, (tx) => readLogs(tx, ids[domain]!, { afterSeq: 0, first: 10 }));
    assert.equal(logs.length, 0, `log of ${domain} leaked`);
  }
  const own = await withScope(app.deps.sql, domainAdminOfA, (tx) => readLogs(tx, ids['a.example']!, { afterSeq: 0, first: 10 }));
  assert.equal(own[0]?.message, 'secret of a.example');
});

test('reports of other domains are invisible and cannot be retried, whatever the query says', async () => {
  const seen = await withScope(app.deps.sql, domainAdminOfA, (tx) => tx<{ subject: string }[]>`SELECT subject FROM outbox ORDER BY id`);
  assert.deepEqual(seen.map((r) => r.subject), ['report of a.example']);
  const moved = await withScope(app.deps.sql, domainAdminOfA, (tx) => tx`UPDATE outbox SET status = 'PENDING' WHERE status = 'FAILED' RETURNING id`);
  assert.equal(moved.length, 1, 'only his own report');
  const [failed] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE status = 'FAILED'`;
  assert.equal(failed!.n, 2);
});

test('a system administrator of some domains sees global and those domains, nothing else', async () => {
  const rows = await withScope(app.deps.sql, { global: true, all: false, domains: ['b.example'] }, (tx) => tx<{ domain: string }[]>`SELECT DISTINCT domain FROM job_rows ORDER BY domain`);
  assert.deepEqual(rows.map((r) => r.domain), ['b.example', 'global']);
});

test('an empty scope sees nothing, and the owner (workers) is not restricted', async () => {
  const none = await withScope(app.deps.sql, { global: false, all: false, domains: [] }, (tx) => tx`SELECT 1 FROM executions`);
  assert.equal(none.length, 0);
  // The test's own three (scheduled built-in jobs may run on the hour meanwhile).
  const all = await app.deps.sql`SELECT 1 FROM executions WHERE trigger <> 'SCHEDULE'`;
  assert.equal(all.length, 3);
});

test('the tenant role cannot write', async () => {
  await assert.rejects(
    withScope(app.deps.sql, domainAdminOfA, (tx) => tx`DELETE FROM executions`),
    /permission denied/,
  );
  assert.equal((await app.deps.sql`SELECT 1 FROM executions WHERE trigger <> 'SCHEDULE'`).length, 3);
});
