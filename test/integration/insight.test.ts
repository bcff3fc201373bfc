/**
 * The dashboard's numbers against the data, a row's statistics against known runs, and upcoming
 * occurrences in time order (paged, DST-correct, in scope) against every row's own sequence.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { nextOccurrences } from '../../jobs/plan';
import { Gql, startTestApp, twoDomainsAndTheirAdmin, type TestApp } from '../helpers/app';

let app: TestApp;
let admin: Gql;
let da: Gql;
const codes = (r: { errors?: { extensions?: { code?: string; field?: string } }[] }) => (r.errors ?? []).map((e) => [e.extensions?.code, e.extensions?.field]);

async function rowId(jobId: string, domain: string) {
  const [r] = await app.deps.sql<{ id: string }[]>`SELECT id FROM job_rows WHERE job_id = ${jobId} AND domain = ${domain}`;
  return r!.id;
}
/** An ended run `secondsAgo` ago lasting `durationS`, written as a worker would leave it. */
async function run(jobId: string, domain: string, status: string, secondsAgo: number, durationS: number) {
  const id = await rowId(jobId, domain);
  const [e] = await app.deps.sql<{ id: number }[]>`
    INSERT INTO executions (row_id, job_id, domain, trigger, status, started_at, ended_at)
    VALUES (${id}, ${jobId}, ${domain}, 'MANUAL', ${status}, now() - make_interval(secs => ${secondsAgo}), now() - make_interval(secs => ${secondsAgo - durationS}))
    RETURNING id::int AS id`;
  await app.deps.sql`UPDATE job_rows SET last_execution_id = ${e!.id}, last_status = ${status} WHERE id = ${id}`;
  return e!.id;
}

before(async () => {
  app = await startTestApp();
  admin = await new Gql(app.url).login();
  da = await twoDomainsAndTheirAdmin(app, admin);
  await run('domain.activity-report', 'a.example', 'SUCCESS', 3600, 2);
  await run('domain.activity-report', 'b.example', 'FAILURE', 7200, 3);
  await run('domain.activity-report', 'b.example', 'WARNING', 1800, 3);
  await run('system.self-test', 'global', 'SUCCESS', 3 * 86400, 1); // older than a day
});
after(() => app.stop());

const OVERVIEW = 'query($d: String) { overview(domain: $d) { running waiting succeededLast24h warningsLast24h failedLast24h openAlerts rowsByStatus { status count } } }';

test('overview: counts of the last 24 hours and rows by last status, in scope; one domain when asked', async () => {
  const all = (await admin.ok(OVERVIEW)).overview;
  assert.deepEqual([all.succeededLast24h, all.warningsLast24h, all.failedLast24h, all.running, all.waiting, all.openAlerts], [1, 1, 1, 0, 0, 0]);
  const table = await app.deps.sql<{ status: string | null; count: number }[]>`
    SELECT last_status AS status, count(*)::int AS count FROM job_rows WHERE in_catalog GROUP BY 1 ORDER BY 1 NULLS FIRST`;
  assert.deepEqual(all.rowsByStatus, table.map((r) => ({ ...r })));
  const mine = (await da.ok(OVERVIEW)).overview;
  assert.deepEqual([mine.succeededLast24h, mine.warningsLast24h, mine.failedLast24h], [1, 0, 0]);
  assert.ok(mine.rowsByStatus.every((s: { status: string | null }) => s.status !== 'WARNING'), 'b.example rows are not counted');
  const narrowed = (await admin.ok(OVERVIEW, { d: 'b.example' })).overview;
  assert.deepEqual([narrowed.succeededLast24h, narrowed.warningsLast24h, narrowed.failedLast24h], [0, 1, 1]);
  const outOfScope = (await da.ok(OVERVIEW, { d: 'b.example' })).overview;
  assert.deepEqual(outOfScope, (await da.ok(OVERVIEW, { d: 'nope.example' })).overview, 'like a domain that does not exist');
  assert.deepEqual([outOfScope.warningsLast24h, outOfScope.failedLast24h, outOfScope.rowsByStatus], [0, 0, []]);
});

test('Job.stats: runs, success rate, p50 and p95 of known durations, points oldest first; bounded', async () => {
  // 10 runs of 1..10 s on one row, the 3rd and 7th failed.
  for (let i = 1; i <= 10; i++) await run('system.retention', 'global', i === 3 || i === 7 ? 'FAILURE' : 'SUCCESS', 1000 - i * 10, i);
  const q = 'query($n: Int) { job(jobId: "system.retention", domain: "global") { stats(last: $n) { runs successRate durationP50Ms durationP95Ms points { durationMs status } } } }';
  const s = (await admin.ok(q, { n: 10 })).job.stats;
  assert.equal(s.runs, 10);
  assert.equal(s.successRate, 0.8);
  assert.equal(s.durationP50Ms, 5000);
  assert.equal(s.durationP95Ms, 10000);
  assert.deepEqual(s.points.map((p: { durationMs: number }) => p.durationMs / 1000), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal((await admin.ok(q, { n: 3 })).job.stats.runs, 3);
  for (const n of [0, 501]) assert.deepEqual(codes(await admin.query(q, { n })), [['BAD_USER_INPUT', 'last']]);
});

test('upcoming: every occurrence of every row in the window, in time order, paged without gap or duplicate; DST-correct; in scope', async () => {
  const plan = (jobId: string, domain: string, rule: string) =>
    admin.ok(`mutation { updateJob(jobId: "${jobId}", domain: "${domain}", input: { plan: { kind: SCHEDULED, rule: ${rule} } }) { id } }`);
  await plan('domain.activity-report', 'a.example', '{ kind: DAILY, days: [MON, TUE, WED, THU, FRI, SAT, SUN], times: ["02:30"], timeZone: "Europe/Paris" }');
  await plan('domain.activity-report', 'b.example', '{ kind: EVERY_HOURS, every: 6, timeZone: "UTC" }');
  await plan('system.retention', 'global', '{ kind: CRON, cron: "15 */8 * * *", timeZone: "America/New_York" }');
  // Around the night Paris moves to summer time (02:30 does not exist on 2027-03-28).
  const from = '2027-03-27T00:00:00.000Z';
  const to = '2027-03-30T00:00:00.000Z';
  const Q = 'query($f: DateTime, $t: DateTime, $n: Int, $a: String) { upcoming(from: $f, to: $t, first: $n, after: $a) { nodes { at job { jobId domain } } pageInfo { endCursor hasNextPage } } }';
  const all: { at: string; key: string }[] = [];
  let after: string | null = null;
  do {
    const page: any = (await admin.ok(Q, { f: from, t: to, n: 7, a: after })).upcoming;
    all.push(...page.nodes.map((n: any) => ({ at: n.at, key: `${n.job.jobId}@${n.job.domain}` })));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  // Expected: each row's own occurrences, merged.
  const rows = await app.deps.sql<{ jobId: string; domain: string; rule: any; planKind: string }[]>`
    SELECT job_id AS "jobId", domain, rule, plan_kind AS "planKind" FROM job_rows WHERE in_catalog AND plan_kind = 'SCHEDULED'`;
  const expected = rows
    .flatMap((r) => nextOccurrences(r.rule, new Date(Date.parse(from) - 1), 100).filter((d) => d.toISOString() < to).map((d) => ({ at: d.toISOString(), key: `${r.jobId}@${r.domain}` })))
    .sort((x, y) => x.at.localeCompare(y.at) || x.key.localeCompare(y.key));
  const automatic = all.filter((o) => !rows.some((r) => `${r.jobId}@${r.domain}` === o.key));
  assert.deepEqual(all.filter((o) => !automatic.includes(o)).map((o) => `${o.at} ${o.key}`), expected.map((o) => `${o.at} ${o.key}`));
  assert.deepEqual(all.map((o) => o.at), [...all.map((o) => o.at)].sort(), 'time order across pages');
  assert.equal(new Set(all.map((o) => `${o.at} ${o.key}`)).size, all.length, 'no duplicate');
  const paris = all.filter((o) => o.key === 'domain.activity-report@a.example').map((o) => o.at);
  assert.deepEqual(paris, ['2027-03-27T01:30:00.000Z', '2027-03-28T01:00:00.000Z', '2027-03-29T00:30:00.000Z']);
  // A domain administrator sees only his rows' occurrences.
  const his = (await da.ok(Q, { f: from, t: to, n: 500, a: null })).upcoming.nodes;
  assert.ok(his.length >= 3);
  assert.ok(his.every((n: any) => n.job.domain === 'a.example'));
  assert.deepEqual(codes(await admin.query(Q, { f: to, t: from })), [['BAD_USER_INPUT', 'to']]);
  assert.deepEqual(codes(await admin.query(Q, { f: from, t: '2027-04-27T00:00:00Z' })), [['BAD_USER_INPUT', 'to']]);
  assert.deepEqual(codes(await admin.query(Q, { f: from, t: to, a: 'forged' })), [['BAD_USER_INPUT', 'after']]);
});

test("overview: a supervisor of every domain reads hourly counts that agree with the executions, through inserts, status changes, deletes and the window's edge", async () => {
  const sql = app.deps.sql;
  const counted = async () => {
    const [c] = await sql<{ s: number; w: number; f: number }[]>`
      SELECT count(*) FILTER (WHERE status = 'SUCCESS')::int AS s, count(*) FILTER (WHERE status = 'WARNING')::int AS w,
             count(*) FILTER (WHERE status IN ('FAILURE', 'INTERRUPTED'))::int AS f
      FROM executions WHERE started_at > now() - interval '24 hours'`;
    const o = (await admin.ok(OVERVIEW)).overview;
    return { api: [o.succeededLast24h, o.warningsLast24h, o.failedLast24h], table: [c!.s, c!.w, c!.f] };
  };
  // Around the window's edge (24 h ago) and in the hour it starts in, in domains and in global.
  const ids: number[] = [];
  for (const [domain, status, ago] of [
    ['a.example', 'SUCCESS', 86400 - 60], ['b.example', 'FAILURE', 86400 - 3000], ['a.example', 'WARNING', 86400 + 60],
    ['global', 'SUCCESS', 86400 - 120], ['global', 'INTERRUPTED', 600], ['b.example', 'SUCCESS', 86400 + 5000],
  ] as const) ids.push(await run(domain === 'global' ? 'system.self-test' : 'domain.activity-report', domain, status, ago, 1));
  let c = await counted();
  assert.deepEqual(c.api, c.table);
  // A run that ends, a status corrected, a run deleted: the counts follow.
  const rid = await rowId('domain.activity-report', 'a.example');
  const [open] = await sql<{ id: number }[]>`INSERT INTO executions (row_id, job_id, domain, trigger) VALUES (${rid}, 'domain.activity-report', 'a.example', 'MANUAL') RETURNING id::int AS id`;
  c = await counted();
  assert.deepEqual(c.api, c.table, 'a run in progress is not counted');
  await sql`UPDATE executions SET status = 'SUCCESS', ended_at = now() WHERE id = ${open!.id}`;
  await sql`UPDATE executions SET status = 'WARNING' WHERE id = ${ids[1]!}`;
  await sql`DELETE FROM executions WHERE id = ANY(${[ids[0]!, ids[3]!]}::bigint[])`;
  c = await counted();
  assert.deepEqual(c.api, c.table);
  const [h] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM execution_hour_counts WHERE n <> 0`;
  assert.ok(h!.n > 0, 'the hourly counts are what was read');
});
