/**
 * The jobs list's sort orders (orderBy) and the domain picker's list (domainList): every order paged
 * through in small pages gives each visible row once, in order, with rows that have no value last;
 * a bad order or a cursor from another order answers BAD_USER_INPUT naming the field; the page query
 * stays cheap at 10,000 rows; domainList is scoped, searched and paged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Gql, startTestApp, type TestApp } from '../helpers/app';

type Err = { errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
const codeField = (r: Err) => [r.errors?.[0]?.extensions?.code, r.errors?.[0]?.extensions?.field];

const PAGE = `query($o: JobOrder, $f: JobFilter, $n: Int, $a: String) {
  jobs(orderBy: $o, filter: $f, first: $n, after: $a) { totalCount pageInfo { endCursor hasNextPage } nodes { id jobId domain nextRunAt } }
}`;
type Node = { id: string; jobId: string; domain: string; nextRunAt: string | null };
const DOMAINS = `query($t: String, $n: Int, $a: String) { domainList(text: $t, first: $n, after: $a) { totalCount pageInfo { endCursor hasNextPage } nodes { name } } }`;
const CREATE_USER = `mutation($e: String!, $r: Role!, $d: [String!]!) { createUser(email: $e, password: "a-long-enough-password", role: $r, domains: $d) { id } }`;

let app: TestApp;
let admin: Gql;
const NAMES = Array.from({ length: 24 }, (_, i) => `d${String(i).padStart(2, '0')}.example`);

before(async () => {
  app = await startTestApp();
  admin = await new Gql(app.url).login();
  // The server allows 15 aliases per document.
  for (let i = 0; i < NAMES.length; i += 12)
    await admin.ok(`mutation { ${NAMES.slice(i, i + 12).map((n, j) => `c${j}: createDomain(name: "${n}") { name }`).join(' ')} }`);
  // Values with ties and NULLs, so that the tie-break and "NULLs last" are exercised: four distinct
  // next runs (one in three rows has none) and five distinct last executions (one in four never ran).
  await app.deps.sql`
    UPDATE job_rows r SET
      plan_kind = CASE WHEN s.n % 3 = 0 THEN 'DISABLED' ELSE r.plan_kind END,
      next_run_at = CASE WHEN s.n % 3 = 0 THEN NULL ELSE '2030-01-01T00:00:00Z'::timestamptz + (s.n % 4) * interval '1 hour' END,
      last_execution_id = CASE WHEN s.n % 4 = 0 THEN NULL ELSE 900000 + s.n % 5 END
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM job_rows) s
    WHERE s.id = r.id`;
});
after(async () => app?.stop());

async function pageThrough(g: Gql, o: unknown, n: number, f?: unknown) {
  const out: Node[] = [];
  let a: string | null = null;
  let total = -1;
  for (let i = 0; i < 1000; i++) {
    const r: { jobs: { totalCount: number; pageInfo: { endCursor: string | null; hasNextPage: boolean }; nodes: Node[] } } = await g.ok(PAGE, { o, f, n, a });
    total = r.jobs.totalCount;
    out.push(...r.jobs.nodes);
    if (!r.jobs.pageInfo.hasNextPage) break;
    a = r.jobs.pageInfo.endCursor;
  }
  return { rows: out, total };
}

describe('jobs(orderBy)', () => {
  const ORDERS = ['JOB', 'DOMAIN', 'LAST_EXECUTION', 'NEXT_RUN'].flatMap((field) => ['ASC', 'DESC'].map((direction) => ({ field, direction })));

  test('every order, paged 7 at a time: each row once, no gaps, in order, NULLs last', async () => {
    const all = (await admin.ok(PAGE, { n: 500 })).jobs as { totalCount: number; nodes: Node[] };
    assert.ok(all.totalCount > 25, `enough rows to page: ${all.totalCount}`);
    const keys = new Map(
      (await app.deps.sql<{ id: string; last: string | null; next: Date | null }[]>`SELECT id, last_execution_id::text AS last, next_run_at AS next FROM job_rows`)
        .map((r) => [r.id, r]),
    );
    for (const o of ORDERS) {
      const label = `${o.field} ${o.direction}`;
      const { rows, total } = await pageThrough(admin, o, 7);
      assert.equal(total, all.totalCount, label);
      assert.equal(rows.length, all.totalCount, `${label}: no duplicates or gaps by count`);
      assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, `${label}: no duplicates`);
      assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(all.nodes.map((r) => r.id)), `${label}: the same rows`);
      // Paged equals one big page in the same order (the tie-break makes the order total).
      const big = (await admin.ok(PAGE, { o, n: 500 })).jobs.nodes as Node[];
      assert.deepEqual(rows.map((r) => r.id), big.map((r) => r.id), `${label}: pages line up with one big page`);
      const sign = o.direction === 'ASC' ? 1 : -1;
      for (let i = 1; i < rows.length; i++) {
        const [p, c] = [rows[i - 1]!, rows[i]!];
        const cmp = (x: number | null, y: number | null) => {
          if (x === null) assert.equal(y, null, `${label}: NULLs last (${i})`);
          else if (y !== null) assert.ok(sign * (y - x) >= 0, `${label}: in order at ${i}: ${x} then ${y}`);
        };
        if (o.field === 'NEXT_RUN') {
          const [x, y] = [p.nextRunAt, c.nextRunAt].map((v) => (v ? Date.parse(v) : null)) as [number | null, number | null];
          cmp(x, y);
          if (x === y) assert.ok(sign * (c.id < p.id ? -1 : 1) > 0, `${label}: ties by row id`);
        } else if (o.field === 'LAST_EXECUTION') {
          const [x, y] = [p.id, c.id].map((id) => { const v = keys.get(id)!.last; return v === null ? null : Number(v); }) as [number | null, number | null];
          cmp(x, y);
        } else {
          // Text orders follow the database's collation: the primary key's groups are contiguous.
          const k = (r: Node) => (o.field === 'JOB' ? r.jobId : r.domain);
          if (k(p) !== k(c)) assert.ok(!rows.slice(0, i - 1).some((r) => k(r) === k(c)), `${label}: ${k(c)} comes back after ${k(p)}`);
        }
      }
      // NULLs are really at the end, whichever the direction.
      if (o.field === 'NEXT_RUN') assert.equal(rows[rows.length - 1]!.nextRunAt, null, label);
    }
  });

  test('the default order is the one it always was, and orderBy combines with the filter', async () => {
    const def = await pageThrough(admin, undefined, 9);
    const job = await pageThrough(admin, { field: 'JOB', direction: 'ASC' }, 9);
    assert.deepEqual(def.rows.map((r) => r.id), job.rows.map((r) => r.id));
    const f = { kind: 'PER_DOMAIN', text: 'd1' };
    const filtered = await pageThrough(admin, { field: 'NEXT_RUN', direction: 'DESC' }, 3, f);
    assert.ok(filtered.rows.length > 0 && filtered.rows.length === filtered.total);
    assert.ok(filtered.rows.every((r) => r.domain.startsWith('d1')), 'text matches the domain');
  });

  test('a status filter in job order (one ordered read per status, merged) pages like the database sorts, both ways', async () => {
    // Statuses spread over the rows so that each status's rows interleave in job order.
    await app.deps.sql`
      UPDATE job_rows r SET last_status = (ARRAY['SUCCESS', 'FAILURE', 'WARNING', NULL]::execution_status[])[1 + s.n % 4]
      FROM (SELECT id, row_number() OVER (ORDER BY domain, job_id) AS n FROM job_rows) s WHERE s.id = r.id`;
    for (const statuses of [['FAILURE'], ['FAILURE', 'WARNING'], ['WARNING', 'SUCCESS', 'FAILURE']]) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const label = `${statuses} ${direction}`;
        const truth = (await app.deps.sql<{ id: string }[]>`
          SELECT id FROM job_rows WHERE in_catalog AND last_status = ANY(${statuses}::execution_status[])
          ORDER BY job_id ${direction === 'ASC' ? app.deps.sql`ASC` : app.deps.sql`DESC`}, domain ${direction === 'ASC' ? app.deps.sql`ASC` : app.deps.sql`DESC`}`).map((r) => r.id);
        assert.ok(truth.length > 4, `${label}: ${truth.length} rows, more than two pages`);
        const paged = await pageThrough(admin, { field: 'JOB', direction }, 2, { statuses });
        assert.equal(paged.total, truth.length, label);
        assert.deepEqual(paged.rows.map((r) => r.id), truth, label);
      }
    }
  });

  test('text search matches the domain too', async () => {
    const r = (await admin.ok(PAGE, { f: { text: 'D07.EXAM' }, n: 100 })).jobs as { totalCount: number; nodes: Node[] };
    assert.ok(r.totalCount > 0);
    assert.deepEqual([...new Set(r.nodes.map((n) => n.domain))], ['d07.example']);
  });

  test('bad input: unknown field or direction, and a cursor of another order, answer BAD_USER_INPUT naming the field', async () => {
    assert.equal(codeField(await admin.query(PAGE, { o: { field: 'COLOUR', direction: 'ASC' } }))[0], 'BAD_USER_INPUT');
    assert.equal(codeField(await admin.query(PAGE, { o: { field: 'JOB', direction: 'SIDEWAYS' } }))[0], 'BAD_USER_INPUT');
    const r = await admin.query('{ jobs(orderBy: { field: COLOUR }) { totalCount } }');
    assert.ok(r.errors?.length, 'an inline unknown value is refused');
    const cursorOf = async (o: unknown) => (await admin.ok(PAGE, { o, n: 2 })).jobs.pageInfo.endCursor as string;
    const nextCursor = await cursorOf({ field: 'NEXT_RUN', direction: 'ASC' });
    assert.deepEqual(codeField(await admin.query(PAGE, { o: { field: 'NEXT_RUN', direction: 'DESC' }, a: nextCursor })), ['BAD_USER_INPUT', 'after']);
    assert.deepEqual(codeField(await admin.query(PAGE, { a: nextCursor })), ['BAD_USER_INPUT', 'after']);
    assert.deepEqual(codeField(await admin.query(PAGE, { o: { field: 'LAST_EXECUTION' }, a: await cursorOf(undefined) })), ['BAD_USER_INPUT', 'after']);
    // A forged key of the right order is refused before it reaches a cast in SQL.
    const forged = Buffer.from(JSON.stringify(['NEXT_RUN:ASC', 'yesterday', 'x'])).toString('base64url');
    assert.deepEqual(codeField(await admin.query(PAGE, { o: { field: 'NEXT_RUN' }, a: forged })), ['BAD_USER_INPUT', 'after']);
  });

  test('at 10,000 rows the page query under each order is cheap', async () => {
    const sql = app.deps.sql;
    await sql`INSERT INTO domains (name) SELECT 'bulk' || i || '.example' FROM generate_series(1, 10000) i`;
    await sql`
      INSERT INTO job_rows (job_id, domain, kind, plan_kind, next_run_at, last_execution_id)
      SELECT 'domain.activity-report', 'bulk' || i || '.example', 'PER_DOMAIN', CASE WHEN i % 3 = 0 THEN 'DISABLED' ELSE 'AUTOMATIC' END::plan_kind,
        CASE WHEN i % 3 = 0 THEN NULL ELSE '2031-01-01T00:00:00Z'::timestamptz + i * interval '1 minute' END, CASE WHEN i % 4 = 0 THEN NULL ELSE i END
      FROM generate_series(1, 10000) i`;
    await sql`ANALYZE job_rows`;
    for (const o of ORDERS) {
      const t0 = performance.now();
      const first = (await admin.ok(PAGE, { o, n: 50 })).jobs;
      await admin.ok(PAGE, { o, n: 50, a: first.pageInfo.endCursor });
      const ms = performance.now() - t0;
      assert.ok(first.totalCount >= 10_000);
      // Two pages over HTTP, count included; generous for a shared CI machine. (EXPLAIN at 10,000
      // rows: JOB and DOMAIN read an index in order; LAST_EXECUTION and NEXT_RUN a sequential scan with
      // a top-N heapsort, 4–12 ms, about what the count costs anyway.)
      assert.ok(ms < 1500, `${o.field} ${o.direction}: ${ms.toFixed(0)} ms`);
    }
  });
});

describe('domainList', () => {
  let da: Gql;
  let sup: Gql;
  before(async () => {
    await admin.ok(CREATE_USER, { e: 'da@d03.example', r: 'DOMAIN_ADMIN', d: ['d03.example'] });
    await admin.ok(CREATE_USER, { e: 'sup@example.com', r: 'SYSTEM_ADMIN', d: ['d05.example', 'd11.example', 'd12.example'] });
    da = await new Gql(app.url).login('da@d03.example', 'a-long-enough-password');
    sup = await new Gql(app.url).login('sup@example.com', 'a-long-enough-password');
  });

  const all = async (g: Gql, t: string | null, n: number) => {
    const names: string[] = [];
    let a: string | null = null;
    let total = -1;
    for (;;) {
      const r: any = await g.ok(DOMAINS, { t, n, a });
      total = r.domainList.totalCount;
      names.push(...r.domainList.nodes.map((d: { name: string }) => d.name));
      if (!r.domainList.pageInfo.hasNextPage) break;
      a = r.domainList.pageInfo.endCursor;
    }
    return { names, total };
  };

  test('searched and paged on the server, sorted by name, scoped to the viewer', async () => {
    const d1 = await all(admin, 'D1', 4);
    assert.deepEqual(d1.names, NAMES.filter((n) => n.includes('d1')));
    assert.equal(d1.total, d1.names.length);
    assert.deepEqual((await all(da, null, 50)).names, ['d03.example']);
    assert.deepEqual((await all(da, 'd05', 50)).names, []);
    assert.deepEqual((await all(sup, null, 2)).names, ['d05.example', 'd11.example', 'd12.example']);
    assert.deepEqual((await all(sup, '1', 1)).names, ['d11.example', 'd12.example']);
    const first = (await admin.ok(DOMAINS, { n: 3 })).domainList;
    assert.equal(first.nodes.length, 3);
    assert.ok(first.totalCount >= NAMES.length);
    assert.deepEqual(codeField(await admin.query(DOMAINS, { n: 501 })), ['BAD_USER_INPUT', 'first']);
    // createdAt, whichever way a domain is reached (domainList reads it with the page, the others on demand).
    const listed = (await da.ok('{ domainList { nodes { name createdAt } } }')).domainList.nodes;
    const [own] = (await app.deps.sql<{ at: Date }[]>`SELECT created_at AS at FROM domains WHERE name = 'd03.example'`);
    assert.deepEqual(listed, [{ name: 'd03.example', createdAt: own!.at.toISOString() }]);
    assert.deepEqual((await da.ok('{ domains { name createdAt } }')).domains, listed);
    const made = (await admin.ok('mutation { createDomain(name: "new.example") { name createdAt } }')).createDomain;
    assert.ok(Math.abs(Date.parse(made.createdAt) - Date.now()) < 60_000, made.createdAt);
    assert.deepEqual(codeField(await admin.query(DOMAINS, { a: 'nonsense' })), ['BAD_USER_INPUT', 'after']);
    assert.deepEqual(codeField(await admin.query(DOMAINS, { t: 'x'.repeat(300) })), ['BAD_USER_INPUT', 'text']);
  });
});
