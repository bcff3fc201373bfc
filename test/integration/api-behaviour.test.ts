/**
 * How the API behaves for an integration: masking, bounded queries, stable pagination, the jobs
 * filters, real clients (@apollo/client, graphql-ws), the audit trail, and the jobs query latency.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { defineJob } from '../../jobs/types';
import { ADMIN, Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';
import { codesOf } from '../helpers/matrix';
import { waitFor } from '../helpers/worker';

const zebra = defineJob({ id: 'test.zebra', description: 'Rotates the ZEBRA keys', kind: 'GLOBAL', async run(ctx) {
  for (let i = 1; i <= 5; i++) {
    ctx.log.info(`step ${i}`);
    ctx.progress(i * 20);
    await new Promise((r) => setTimeout(r, 50));
  }
  ctx.log.warn('done with a warning');
} });

const DOMAINS = 1000;
const dname = (i: number) => `d${String(i).padStart(4, '0')}.example`;
let app: TestApp;
let admin: Gql;
let token: string;
let sql: TestApp['deps']['sql'];

before(async () => {
  app = await startTestApp({}, { extraJobs: [zebra] });
  sql = app.deps.sql;
  admin = await new Gql(app.url).login();
  token = (await admin.ok('mutation { createApiToken(name: "integration") { token } }')).createApiToken.token;
  // 1000 domains, each with its domain.activity-report row: the engine creates the first 20 (as it
  // does for a new domain), SQL the rest alike (syncDomain takes ~50 ms a domain: a minute for 1000).
  await sql`INSERT INTO domains (name) SELECT 'd' || lpad(i::text, 4, '0') || '.example' FROM generate_series(1, ${DOMAINS}) i`;
  for (let i = 1; i <= 20; i++) await app.deps.engine.syncDomain(dname(i));
  await sql`INSERT INTO job_rows (job_id, domain, kind, next_run_at)
    SELECT 'domain.activity-report', name, 'PER_DOMAIN', date_trunc('day', now()) + interval '1 day 6 hours' FROM domains
    WHERE NOT EXISTS (SELECT 1 FROM job_rows r WHERE r.job_id = 'domain.activity-report' AND r.domain = domains.name)`;
  assert.equal(Number((await sql`SELECT count(*)::int AS n FROM job_rows WHERE job_id = 'domain.activity-report'`)[0]!.n), DOMAINS);
  // A finished last execution for 3 rows in 4: SUCCESS, or FAILURE every 5th; the rest never ran.
  await sql`
    WITH picked AS (
      SELECT id, job_id, domain, row_number() OVER (ORDER BY domain) AS n FROM job_rows WHERE job_id = 'domain.activity-report'
    ), ins AS (
      INSERT INTO executions (row_id, job_id, domain, status, trigger, started_at, ended_at, last_seq)
      SELECT id, job_id, domain, (CASE WHEN n % 5 = 0 THEN 'FAILURE' ELSE 'SUCCESS' END)::execution_status, 'SCHEDULE', now() - interval '1 hour', now() - interval '59 minutes', 3
      FROM picked WHERE n % 4 <> 0
      RETURNING id, row_id, status
    )
    UPDATE job_rows r SET last_execution_id = ins.id, last_status = ins.status FROM ins WHERE r.id = ins.row_id`;
});
after(async () => {
  await app?.stop();
});

const JOBS = `query($f: JobFilter, $n: Int, $after: String) {
  jobs(filter: $f, first: $n, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    nodes { jobId domain kind lastExecution { status } nextRunAt running hasUnreadLogs plan { summary } }
  }
}`;

/** Every row of a filter, paging by 500. */
async function allRows(g: Gql, f: Record<string, unknown> = {}) {
  const out: any[] = [];
  let after: string | null = null;
  let total = -1;
  for (;;) {
    const r: any = (await g.ok(JOBS, { f, n: 500, after })).jobs;
    total = r.totalCount;
    out.push(...r.nodes);
    if (!r.pageInfo.hasNextPage) break;
    after = r.pageInfo.endCursor;
  }
  assert.equal(out.length, total, 'totalCount matches the rows paged through');
  return out;
}

test('masking: a database error becomes INTERNAL_SERVER_ERROR with a correlation id, no SQL in sight', async () => {
  const logged: string[] = [];
  await sql`ALTER TABLE job_rows RENAME COLUMN plan_kind TO plan_kind_x`;
  try {
    const r = await admin.raw(JOBS, { n: 5 });
    assert.deepEqual(codesOf(r.body), ['INTERNAL_SERVER_ERROR'], JSON.stringify(r.body));
    const e = r.body.errors![0]! as any;
    assert.match(e.extensions.correlationId, /^[0-9a-f-]{36}$/);
    assert.ok(e.message.includes(e.extensions.correlationId));
    const text = JSON.stringify(r.body);
    for (const leak of ['plan_kind', 'column', 'SELECT', 'job_rows', 'postgres', 'stack', '.ts:']) assert.ok(!text.includes(leak), `${leak} leaked: ${text}`);
    logged.push(text);
  } finally {
    await sql`ALTER TABLE job_rows RENAME COLUMN plan_kind_x TO plan_kind`;
  }
  assert.deepEqual(codesOf(await admin.query(JOBS, { n: 5 })), []);
});

test('malformed ids answer NOT_FOUND (or null), never an internal error', async () => {
  assert.equal((await admin.ok('{ execution(id: "abc") { id } }')).execution, null);
  assert.deepEqual(codesOf(await admin.query('mutation { cancelExecution(id: "-1") { id } }')), ['NOT_FOUND']);
  assert.deepEqual(codesOf(await admin.query('mutation { retryReport(id: "x") { id } }')), ['NOT_FOUND']);
  assert.deepEqual(codesOf(await admin.query('mutation { revokeApiToken(id: "999999") }')), ['NOT_FOUND']);
});

test('queries run compiled (graphql-jit); a literal carrying its code marker stays a string', async () => {
  const g = globalThis as { __jitInjected?: number };
  // graphql-jit writes literals into generated code and turns "__MAGIC_DATE__<uuid>X" into `new Date(X)`.
  const text = '__MAGIC_DATE__33a9e76d_02e0_4128_8e92_3530ad3da74d0)+(globalThis.__jitInjected = 1)+(0';
  const r = await admin.ok(`{ jobs(filter: { text: ${JSON.stringify(text)} }) { totalCount } }`);
  assert.equal(r.jobs.totalCount, 0);
  assert.equal(g.__jitInjected, undefined);
  // The same document without the marker is compiled, and answers alike.
  assert.equal((await admin.ok(`{ jobs(filter: { text: "0)+(1" }) { totalCount } }`)).jobs.totalCount, 0);
});

test('no N+1: 500 rows with last execution, next run, running, unread and plan cost a bounded number of queries', async () => {
  // Count the queries the server sends: every statement goes through deps.sql (a tagged template
  // that is awaited); fragments built with it are never awaited, so only executed statements count.
  const real = app.deps.sql;
  let statements = 0;
  const counted = new WeakSet<object>();
  const wrap = (q: any) => {
    if (q && typeof q.then === 'function') {
      const then = q.then;
      q.then = function (this: any, ...args: any[]) {
        if (!counted.has(q)) {
          counted.add(q);
          statements++;
          if (process.env.DEBUG_COUNT) console.log('Q', String(q.strings?.join('?') ?? '').replace(/\s+/g, ' ').slice(0, 100));
        }
        return then.apply(this, args);
      };
    }
    return q;
  };
  // Transactions (sql.begin, e.g. the row-level-security scope) count their statements too, plus BEGIN and COMMIT.
  const counting = (target: any): any =>
    new Proxy(target, {
      apply: (t, self, args) => wrap(Reflect.apply(t, self, args)),
      get: (t, p, r) => {
        if (p === 'unsafe') return (...a: any[]) => wrap(t.unsafe(...a));
        if (p === 'begin' || p === 'savepoint')
          return (...a: any[]) => {
            statements += 2;
            const fn = a.pop();
            return t[p](...a, (tx: any) => fn(counting(tx)));
          };
        const v = Reflect.get(t, p, r);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  const proxy = counting(real);
  (app.deps as any).sql = proxy;
  try {
    await admin.ok(JOBS, { f: { text: 'activity' }, n: 10 }); // warm: session bookkeeping is not what is measured
    statements = 0;
    const small = await admin.ok(JOBS, { f: { text: 'activity' }, n: 10 });
    const smallCount = statements;
    statements = 0;
    const big = await admin.ok(JOBS, { f: { text: 'activity' }, n: 500 });
    const bigCount = statements;
    assert.equal(small.jobs.nodes.length, 10);
    assert.equal(big.jobs.nodes.length, 500);
    assert.ok(big.jobs.nodes.filter((n: any) => n.lastExecution).length > 300, 'most rows have a last execution');
    console.log(`queries: first 10 → ${smallCount}, first 500 → ${bigCount}`);
    assert.ok(bigCount <= 10, `500 rows took ${bigCount} queries`);
    assert.ok(Math.abs(bigCount - smallCount) <= 1, `the number of queries does not grow with the page (${smallCount} → ${bigCount})`);
    // The counter does see per-row queries: Job.executions is one list per row (not batched).
    statements = 0;
    await admin.ok('query($n: Int) { jobs(filter: { text: "activity" }, first: $n) { nodes { executions(first: 1) { nodes { id } } } } }', { n: 100 });
    console.log(`queries: first 100 with executions per row → ${statements}`);
    assert.ok(statements >= 100);
  } finally {
    (app.deps as any).sql = real;
  }
});

test('jobs filters, order and totalCount agree with the database', async () => {
  const truth = async (where: ReturnType<typeof sql>) =>
    (await sql<{ jobId: string; domain: string }[]>`
      SELECT r.job_id AS "jobId", r.domain FROM job_rows r LEFT JOIN executions e ON e.id = r.last_execution_id
      WHERE r.in_catalog AND ${where} ORDER BY r.job_id COLLATE "C", r.domain COLLATE "C"`).map((r) => `${r.jobId}@${r.domain}`);
  const keys = (rows: any[]) => rows.map((r) => `${r.jobId}@${r.domain}`);
  const cases: [Record<string, unknown>, ReturnType<typeof sql>][] = [
    [{}, sql`true`],
    [{ statuses: ['FAILURE'] }, sql`e.status = 'FAILURE'`],
    [{ statuses: ['SUCCESS', 'FAILURE'] }, sql`e.status IN ('SUCCESS', 'FAILURE')`],
    [{ neverRun: true }, sql`r.last_execution_id IS NULL`],
    [{ statuses: ['FAILURE'], neverRun: true }, sql`(e.status = 'FAILURE' OR r.last_execution_id IS NULL)`],
    [{ text: 'ACTIVITY-Rep' }, sql`r.job_id = 'domain.activity-report'`],
    [{ text: 'zebra KEYS' }, sql`r.job_id = 'test.zebra'`],
    [{ domain: dname(7) }, sql`r.domain = ${dname(7)}`],
    [{ kind: 'GLOBAL' }, sql`r.kind = 'GLOBAL'`],
    [{ kind: 'PER_DOMAIN', statuses: ['FAILURE'], domain: dname(10) }, sql`r.kind = 'PER_DOMAIN' AND e.status = 'FAILURE' AND r.domain = ${dname(10)}`],
  ];
  for (const [f, where] of cases) {
    const rows = await allRows(admin, f);
    assert.deepEqual(keys(rows), await truth(where), JSON.stringify(f));
  }
  const all = keys(await allRows(admin));
  assert.ok(all.length > DOMAINS);
  const sorted = [...all].sort((a, b) => { const [ja, da] = a.split('@'); const [jb, db] = b.split('@'); return ja! < jb! ? -1 : ja! > jb! ? 1 : da! < db! ? -1 : da! > db! ? 1 : 0; });
  assert.deepEqual(all, sorted, 'sorted by job id, then domain');
  // totalCount does not depend on the page size.
  assert.equal((await admin.ok(JOBS, { f: { neverRun: true }, n: 1 })).jobs.totalCount, (await truth(sql`r.last_execution_id IS NULL`)).length);
});

test('job.executions pagination is stable while executions are being added', async () => {
  const domain = dname(3);
  const [row] = await sql<{ id: string }[]>`SELECT id FROM job_rows WHERE job_id = 'domain.activity-report' AND domain = ${domain}`;
  await sql`INSERT INTO executions (row_id, job_id, domain, status, trigger, started_at, ended_at)
    SELECT ${row!.id}, 'domain.activity-report', ${domain}, 'SUCCESS', 'SCHEDULE', now() - (g || ' minutes')::interval, now() FROM generate_series(1, 60) g`;
  const initial = (await sql<{ id: string }[]>`SELECT id::text FROM executions WHERE row_id = ${row!.id}`).map((r) => r.id);
  let adding = true;
  let added = 0;
  const inserter = (async () => {
    while (adding) {
      await sql`INSERT INTO executions (row_id, job_id, domain, status, trigger, started_at, ended_at) VALUES (${row!.id}, 'domain.activity-report', ${domain}, 'SUCCESS', 'MANUAL', now(), now())`;
      added++;
    }
  })();
  const seen: string[] = [];
  try {
    let after: string | null = null;
    for (;;) {
      const r: any = (await admin.ok(`query($d: String!, $after: String) { job(jobId: "domain.activity-report", domain: $d) {
        executions(first: 5, after: $after) { nodes { id } pageInfo { endCursor hasNextPage } } } }`, { d: domain, after })).job.executions;
      seen.push(...r.nodes.map((n: any) => n.id));
      // Let the inserter interleave between pages.
      await waitFor('an insert between pages', async () => added > 0, 2000, 1);
      const before = added;
      await waitFor('another insert', async () => added > before, 2000, 1);
      if (!r.pageInfo.hasNextPage) break;
      after = r.pageInfo.endCursor;
    }
  } finally {
    adding = false;
    await inserter;
  }
  assert.ok(added > 10, `executions were added meanwhile (${added})`);
  assert.equal(new Set(seen).size, seen.length, 'no duplicates');
  const missing = initial.filter((id) => !seen.includes(id));
  assert.deepEqual(missing, [], 'no gaps among the executions that existed at the start');
  const nums = seen.map(Number);
  assert.deepEqual(nums, [...nums].sort((a, b) => b - a), 'newest first');
});

test('an integration: @apollo/client over HTTP with a token, graphql-ws following a live log', async () => {
  const client = new ApolloClient({
    link: new HttpLink({ uri: `${app.url}/graphql`, fetch, headers: { authorization: `Bearer ${token}` } }),
    cache: new InMemoryCache(),
  });
  const list = await client.query<any>({ query: gql`query { jobs(filter: { text: "zebra" }) { totalCount nodes { id jobId domain plan { kind } } } }` });
  assert.equal(list.data!.jobs.totalCount, 1);
  const started = await client.mutate<any>({ mutation: gql`mutation { executeNow(jobs: [{ jobId: "test.zebra", domain: "global" }]) { reason execution { id status trigger } } }` });
  const ex = started.data!.executeNow[0].execution;
  assert.equal(ex.trigger, 'API');
  // A plain graphql-ws client, as an integration script would write it.
  const ws = createClient({ url: app.url.replace(/^http/, 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  try {
    const entries: any[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.subscribe<any>({ query: 'subscription($id: ID!) { executionLog(executionId: $id) { seq level message } }', variables: { id: ex.id } }, {
        next: (v) => (v.errors ? reject(new Error(JSON.stringify(v.errors))) : entries.push(v.data!.executionLog)),
        error: reject,
        complete: resolve,
      });
    });
    const seqs = entries.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, seqs.length);
    assert.deepEqual(entries.filter((e) => e.level === 'INFO').map((e) => e.message), ['step 1', 'step 2', 'step 3', 'step 4', 'step 5']);
    assert.equal(entries.at(-1)!.message, 'done with a warning');
  } finally {
    await ws.dispose();
  }
  const done = await client.query<any>({ query: gql`query($id: ID!) { execution(id: $id) { id status progress warningCount } }`, variables: { id: ex.id }, fetchPolicy: 'network-only' });
  assert.equal(done.data!.execution.status, 'WARNING');
  // Errors reach an Apollo client with their codes.
  await assert.rejects(
    client.mutate({ mutation: gql`mutation { updateJob(jobId: "test.zebra", domain: "global", input: { plan: { kind: SCHEDULED } }) { id } }` }),
    (e: any) => JSON.stringify(e).includes('BAD_USER_INPUT'),
  );
});

test('audit trail: updateJob, executeNow, createDomain with actor and address, for system administrators only', async () => {
  await admin.ok('mutation { updateJob(jobId: "test.zebra", domain: "global", input: { report: { send: true, recipients: ["ops@example.com"] } }) { id } }');
  await admin.ok('mutation { executeNow(jobs: [{ jobId: "domain.activity-report", domain: "d0001.example" }]) { reason } }');
  await admin.ok('mutation { createDomain(name: "audited.example") { name } }');
  const log = (await admin.ok('{ auditLog(first: 20) { nodes { at actor action target domain details address } } }')).auditLog.nodes;
  for (const action of ['updateJob', 'executeNow', 'createDomain']) {
    const e = log.find((x: any) => x.action === action);
    assert.ok(e, `${action} is in the audit trail`);
    assert.equal(e.actor, ADMIN.email);
    assert.match(e.address, /127\.0\.0\.1/);
    assert.ok(Date.now() - Date.parse(e.at) < 60_000);
  }
  assert.match(log.find((x: any) => x.action === 'updateJob').target, /test\.zebra@global/);
  assert.match(log.find((x: any) => x.action === 'createDomain').target, /audited\.example/);
  // A domain administrator cannot read it, by session or token.
  await admin.ok('mutation { createUser(email: "da@d0001.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["d0001.example"]) { id } }');
  const da = await new Gql(app.url).login('da@d0001.example', 'domain-admin-pass');
  assert.deepEqual(codesOf(await da.query('{ auditLog { nodes { action } } }')), ['FORBIDDEN']);
  const daToken = (await da.ok('mutation { createApiToken(name: "t") { token } }')).createApiToken.token;
  assert.deepEqual(codesOf(await new Gql(app.url, daToken).query('{ auditLog { nodes { action } } }')), ['FORBIDDEN']);
  // His changes are recorded under his name.
  await new Gql(app.url, daToken).ok('mutation { updateJob(jobId: "domain.activity-report", domain: "d0001.example", input: { plan: { kind: DISABLED } }) { id } }');
  const mine = (await admin.ok('{ auditLog(first: 5) { nodes { actor action domain } } }')).auditLog.nodes;
  assert.ok(mine.some((x: any) => x.actor === 'da@d0001.example' && x.action === 'updateJob' && x.domain === 'd0001.example'), JSON.stringify(mine));
});

test('latency of the jobs query over 1,000+ rows (p50/p95 of 200 requests)', async () => {
  const total = (await admin.ok(JOBS, { n: 1 })).jobs.totalCount;
  assert.ok(total >= 1000);
  const g = new Gql(app.url, token);
  const q = (ms: number[], p: number) => [...ms].sort((a, b) => a - b)[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)]!;
  for (const n of [50, 500]) {
    await g.ok(JOBS, { n }); // warm
    const ms: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const r = await g.ok(JOBS, { n });
      ms.push(performance.now() - t0);
      assert.equal(r.jobs.nodes.length, n);
    }
    console.log(`jobs(first: ${n}) over ${total} rows: p50 ${q(ms, 50).toFixed(1)} ms, p95 ${q(ms, 95).toFixed(1)} ms`);
  }
  // The page size cap: more than 500 is refused with BAD_USER_INPUT.
  assert.deepEqual(codesOf(await g.query(JOBS, { n: 1000 })), ['BAD_USER_INPUT']);
});
