import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { Gql, startTestApp, type TestApp } from '../helpers/app';

type Err = { errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
const code = (r: Err) => r.errors?.[0]?.extensions?.code;
const field = (r: Err) => r.errors?.[0]?.extensions?.field;

const CREATE_USER = `mutation($e: String!, $p: String!, $r: Role!, $d: [String!]!) { createUser(email: $e, password: $p, role: $r, domains: $d) { id email role domains } }`;
const JOBS = `{ jobs(first: 100) { totalCount nodes { jobId domain kind } } }`;
const JOB = `query($j: String!, $d: String!) { job(jobId: $j, domain: $d) { id jobId domain plan { kind } report { send recipients } } }`;
const UPDATE = `mutation($j: String!, $d: String!, $i: JobUpdate!) { updateJob(jobId: $j, domain: $d, input: $i) { id } }`;
const PW = 'domain-admin-password';

describe('access: one domain administrator, one supervisor of a set', () => {
  let app: TestApp;
  let admin: Gql;
  let da: Gql;
  let sup: Gql;
  before(async () => {
    app = await startTestApp();
    admin = await new Gql(app.url).login();
    for (const n of ['a.example', 'b.example']) await admin.ok(`mutation($n: String!) { createDomain(name: $n) { name } }`, { n });
    await admin.ok(CREATE_USER, { e: 'da@a.example', p: PW, r: 'DOMAIN_ADMIN', d: ['a.example'] });
    await admin.ok(CREATE_USER, { e: 'sup@example.com', p: PW, r: 'SYSTEM_ADMIN', d: ['a.example'] });
    da = await new Gql(app.url).login('da@a.example', PW);
    sup = await new Gql(app.url).login('sup@example.com', PW);
  });
  after(async () => app?.stop());

  test('the super administrator sees every domain and its rows', async () => {
    assert.deepEqual((await admin.ok('{ domains { name } }')).domains, [{ name: 'a.example' }, { name: 'b.example' }]);
    const rows = (await admin.ok(JOBS)).jobs.nodes as { jobId: string; domain: string }[];
    const domains = new Set(rows.map((r) => r.domain));
    assert.ok(domains.has('global'));
    assert.ok(domains.has('a.example'), `creating a domain creates its PER_DOMAIN rows; got ${[...domains]}`);
    assert.ok(domains.has('b.example'));
    assert.ok(rows.some((r) => r.jobId === 'domain.activity-report' && r.domain === 'b.example'));
  });

  test('a domain administrator sees only his domain', async () => {
    assert.deepEqual((await da.ok('{ viewer { role domains } }')).viewer, { role: 'DOMAIN_ADMIN', domains: ['a.example'] });
    assert.deepEqual((await da.ok('{ domains { name } }')).domains, [{ name: 'a.example' }]);
    const rows = (await da.ok(JOBS)).jobs.nodes as { jobId: string; domain: string; kind: string }[];
    assert.ok(rows.length > 0, 'his domain has rows');
    assert.ok(rows.every((r) => r.domain === 'a.example' && r.kind === 'PER_DOMAIN'), JSON.stringify(rows));
    // Filtering by another domain does not widen anything.
    const other = await da.ok(`{ jobs(filter: { domain: "b.example" }) { totalCount nodes { domain } } }`);
    assert.equal(other.jobs.totalCount, 0);
    const glob = await da.ok(`{ jobs(filter: { kind: GLOBAL }) { totalCount } }`);
    assert.equal(glob.jobs.totalCount, 0);
  });

  test('another domain answers exactly like a missing one', async () => {
    const own = await da.ok(JOB, { j: 'domain.activity-report', d: 'a.example' });
    assert.equal(own.job.domain, 'a.example');
    const foreign = await da.query(JOB, { j: 'domain.activity-report', d: 'b.example' });
    const missing = await da.query(JOB, { j: 'domain.activity-report', d: 'nowhere.example' });
    assert.deepEqual(foreign, { data: { job: null } });
    assert.deepEqual(foreign, missing);
    assert.deepEqual(await da.query(JOB, { j: 'system.retention', d: 'global' }), { data: { job: null } });

    const exec = `mutation($d: String!) { executeNow(jobs: [{ jobId: "domain.activity-report", domain: $d }]) { reason execution { id } } }`;
    const ex = await da.ok(exec, { d: 'b.example' });
    assert.deepEqual(ex.executeNow, [{ reason: 'NOT_FOUND', execution: null }]);
    assert.deepEqual((await da.ok(exec, { d: 'nowhere.example' })).executeNow, ex.executeNow);

    const upd = await da.query(UPDATE, { j: 'domain.activity-report', d: 'b.example', i: { plan: { kind: 'DISABLED' } } });
    const updMissing = await da.query(UPDATE, { j: 'domain.activity-report', d: 'nowhere.example', i: { plan: { kind: 'DISABLED' } } });
    assert.equal(code(upd), 'NOT_FOUND');
    assert.equal(upd.errors?.[0]?.message.replace('b.example', 'X'), updMissing.errors?.[0]?.message.replace('nowhere.example', 'X'));
    // and nothing changed on b.example
    const b = await admin.ok(JOB, { j: 'domain.activity-report', d: 'b.example' });
    assert.notEqual(b.job.plan.kind, 'DISABLED');
  });

  test('a domain administrator cannot create domains or users', async () => {
    assert.equal(code(await da.query(`mutation { createDomain(name: "c.example") { name } }`)), 'FORBIDDEN');
    assert.equal(code(await da.query(CREATE_USER, { e: 'x@a.example', p: PW, r: 'DOMAIN_ADMIN', d: ['a.example'] })), 'FORBIDDEN');
    assert.deepEqual((await admin.ok('{ domains { name } }')).domains.map((d: { name: string }) => d.name), ['a.example', 'b.example']);
  });

  test('a system administrator supervising a.example sees global and a.example only', async () => {
    assert.deepEqual((await sup.ok('{ domains { name } }')).domains, [{ name: 'a.example' }]);
    assert.deepEqual((await sup.ok('{ viewer { domains } }')).viewer.domains, ['a.example']);
    const rows = (await sup.ok(JOBS)).jobs.nodes as { domain: string }[];
    const domains = new Set(rows.map((r) => r.domain));
    assert.deepEqual([...domains].sort(), ['a.example', 'global']);
    assert.equal((await sup.ok(JOB, { j: 'domain.activity-report', d: 'b.example' })).job, null);
    assert.ok((await sup.ok(JOB, { j: 'system.retention', d: 'global' })).job);
    // He cannot hand out a domain he does not supervise, nor create domains.
    const r = await sup.query(CREATE_USER, { e: 'y@b.example', p: PW, r: 'DOMAIN_ADMIN', d: ['b.example'] });
    assert.equal(code(r), 'BAD_USER_INPUT');
    assert.equal(field(r), 'domains');
    assert.equal(code(await sup.query(`mutation { createDomain(name: "c.example") { name } }`)), 'FORBIDDEN');
  });
});

describe('bad input to every mutation is BAD_USER_INPUT with the field', () => {
  let app: TestApp;
  let admin: Gql;
  let sql: postgres.Sql;
  before(async () => {
    app = await startTestApp();
    admin = await new Gql(app.url).login();
    await admin.ok(`mutation { createDomain(name: "a.example") { name } }`);
    sql = postgres(app.databaseUrl, { max: 1, onnotice: () => {} });
  });
  after(async () => {
    await sql?.end();
    await app?.stop();
  });

  const expectBad = (r: Err, f: string | RegExp, what: string) => {
    assert.equal(code(r), 'BAD_USER_INPUT', `${what}: ${JSON.stringify(r)}`);
    if (typeof f === 'string') assert.equal(field(r), f, what);
    else assert.match(field(r) ?? '', f, what);
  };

  test('login', async () => {
    const g = new Gql(app.url);
    expectBad(await g.query(`mutation { login(email: "", password: "x") { id } }`), 'email', 'empty email');
    expectBad(await g.query(`mutation { login(email: "a@b.c", password: "") { id } }`), 'password', 'empty password');
  });

  test('createDomain', async () => {
    for (const n of ['', 'Bad Name', 'global', 'GLOBAL', '-a.example', 'a..example', 'a_b.example', 'x'.repeat(254)]) {
      expectBad(await admin.query(`mutation($n: String!) { createDomain(name: $n) { name } }`, { n }), 'name', JSON.stringify(n));
    }
    assert.deepEqual((await admin.ok('{ domains { name } }')).domains, [{ name: 'a.example' }]);
  });

  test('createUser', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ e: 'not-an-email', p: PW, r: 'SYSTEM_ADMIN', d: [] }, 'email', 'bad email'],
      [{ e: 'A <a@b.c>', p: PW, r: 'SYSTEM_ADMIN', d: [] }, 'email', 'display name'],
      [{ e: 'ok@example.com', p: 'short', r: 'SYSTEM_ADMIN', d: [] }, 'password', 'short password'],
      [{ e: 'ok@example.com', p: PW, r: 'DOMAIN_ADMIN', d: [] }, 'domains', 'domain admin with 0 domains'],
      [{ e: 'ok@example.com', p: PW, r: 'DOMAIN_ADMIN', d: ['a.example', 'b.example'] }, 'domains', 'domain admin with 2 domains'],
      [{ e: 'ok@example.com', p: PW, r: 'DOMAIN_ADMIN', d: ['zzz.example'] }, 'domains', 'unknown domain'],
      [{ e: 'ok@example.com', p: PW, r: 'SYSTEM_ADMIN', d: ['zzz.example'] }, 'domains', 'supervisor of an unknown domain'],
    ];
    for (const [vars, f, what] of cases) expectBad(await admin.query(CREATE_USER, vars), f, what);
    assert.equal((await sql`SELECT count(*)::int AS n FROM users`)[0]!.n, 1);
    await admin.ok(CREATE_USER, { e: 'dup@example.com', p: PW, r: 'DOMAIN_ADMIN', d: ['a.example'] });
    expectBad(await admin.query(CREATE_USER, { e: 'Dup@Example.com', p: PW, r: 'SYSTEM_ADMIN', d: [] }), 'email', 'duplicate email');
  });

  test('createApiToken', async () => {
    expectBad(await admin.query(`mutation { createApiToken(name: "") { id } }`), 'name', 'empty name');
    expectBad(await admin.query(`mutation { createApiToken(name: "   ") { id } }`), 'name', 'blank name');
    expectBad(await admin.query(`mutation($n: String!) { createApiToken(name: $n) { id } }`, { n: 'x'.repeat(101) }), 'name', '101 chars');
    await admin.ok(`mutation($n: String!) { createApiToken(name: $n) { id } }`, { n: 'x'.repeat(100) });
    assert.equal((await sql`SELECT count(*)::int AS n FROM api_tokens`)[0]!.n, 1);
  });

  test('updateJob: every refused input leaves the row unchanged', async () => {
    const ref = { j: 'domain.activity-report', d: 'a.example' };
    const snapshot = async () =>
      JSON.stringify(await sql`SELECT * FROM job_rows WHERE job_id = ${ref.j} AND domain = ${ref.d}`.catch(async () => (await admin.ok(JOB, ref)).job));
    const before = await snapshot();
    assert.ok((await admin.ok(JOB, ref)).job, 'the row exists');
    const daily = (x: Record<string, unknown>) => ({ plan: { kind: 'SCHEDULED', rule: { kind: 'DAILY', days: ['MON'], times: ['03:00'], ...x } } });
    const okPlan = { kind: 'SCHEDULED', rule: { kind: 'EVERY_HOURS', every: 2 } };
    const report = (recipients: string[], send = true) => ({ plan: okPlan, report: { send, recipients } });
    const cases: [Record<string, unknown>, RegExp, string][] = [
      [{ plan: { kind: 'SCHEDULED' } }, /^input\.plan\.rule/, 'SCHEDULED without rule'],
      [{ plan: { kind: 'SCHEDULED', rule: { kind: 'EVERY_MINUTES', every: 7 } } }, /^input\.plan\.rule\.every$/, 'EVERY_MINUTES 7'],
      [{ plan: { kind: 'SCHEDULED', rule: { kind: 'EVERY_MINUTES', every: 60 } } }, /^input\.plan\.rule\.every$/, 'EVERY_MINUTES 60'],
      [{ plan: { kind: 'SCHEDULED', rule: { kind: 'EVERY_MINUTES' } } }, /^input\.plan\.rule\.every$/, 'EVERY_MINUTES without every'],
      [{ plan: { kind: 'SCHEDULED', rule: { kind: 'EVERY_HOURS', every: 5 } } }, /^input\.plan\.rule\.every$/, 'EVERY_HOURS 5'],
      [{ plan: { kind: 'SCHEDULED', rule: { kind: 'EVERY_HOURS', every: 24 } } }, /^input\.plan\.rule\.every$/, 'EVERY_HOURS 24'],
      [daily({ days: [] }), /^input\.plan\.rule\.days/, 'DAILY without days'],
      [daily({ times: [] }), /^input\.plan\.rule\.times/, 'DAILY without times'],
      [daily({ times: ['24:00'] }), /^input\.plan\.rule\.times/, 'DAILY 24:00'],
      [daily({ times: ['3:00'] }), /^input\.plan\.rule\.times/, 'DAILY 3:00'],
      [daily({ timeZone: 'Mars/Base' }), /^input\.plan\.rule\.timeZone$/, 'unknown zone'],
      [{ plan: { kind: 'SCHEDULED', rule: { kind: 'CRON', cron: 'not a cron' } } }, /^input\.plan\.rule\.cron$/, 'bad cron'],
      [{ plan: { kind: 'SCHEDULED', rule: { kind: 'CRON', cron: '* * * *' } } }, /^input\.plan\.rule\.cron$/, '4-field cron'],
      [{ plan: { kind: 'SCHEDULED', rule: { kind: 'CRON', cron: '0 0 30 2 *' } } }, /^input\.plan\.rule\.cron$/, 'cron never fires'],
      [{ plan: { kind: 'SCHEDULED', rule: { kind: 'CRON' } } }, /^input\.plan\.rule\.cron$/, 'CRON without expression'],
      [report(['a@b.c\r\nBcc: x@y.z']), /^input\.report\.recipients\[0\]$/, 'CRLF'],
      [report(['ok@b.c', 'a@b.c\nx']), /^input\.report\.recipients\[1\]$/, 'LF'],
      [report(['a@b.c, d@e.f']), /^input\.report\.recipients\[0\]$/, 'comma'],
      [report(['"a"@b.c']), /^input\.report\.recipients\[0\]$/, 'quotes'],
      [report(['A <a@b.c>']), /^input\.report\.recipients\[0\]$/, 'display name'],
      [report(Array.from({ length: 51 }, (_, i) => `u${i}@example.com`)), /^input\.report\.recipients$/, '51 recipients'],
      [report([], true), /^input\.report\.recipients$/, 'send without recipients'],
    ];
    for (const [i, f, what] of cases) {
      expectBad(await admin.query(UPDATE, { ...ref, i }), f, what);
      assert.equal(await snapshot(), before, `row changed after refused ${what}`);
    }
    // and a valid update does change it (the snapshot can tell).
    await admin.ok(UPDATE, { ...ref, i: report(['ops@example.com']) });
    assert.notEqual(await snapshot(), before);
    const j = (await admin.ok(JOB, ref)).job;
    assert.deepEqual(j.report, { send: true, recipients: ['ops@example.com'] });
    assert.equal(j.plan.kind, 'SCHEDULED');
  });
});
