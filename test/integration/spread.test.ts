/**
 * Spread against a real database, Agenda and worker: every row of a spread rule gets its own
 * steady next run (syncDomains, updateJob, the runner, upcoming, previewRule with a job), the same
 * after a restart of the whole app and after plan changes; bad spreads change nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RuleJson } from '../../db/schema/jobs';
import { startJobdeck, type Jobdeck } from '../../lib/app';
import { nextOccurrence } from '../../jobs/plan';
import { nextRunOf, spreadOffsetMs } from '../../jobs/spread';
import { defineJob } from '../../jobs/types';
import { ADMIN, Gql, testConfig } from '../helpers/app';
import { createTestDatabase } from '../helpers/db';
import { waitFor } from '../helpers/worker';

const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const purge = defineJob({
  id: 'acme.purge',
  description: 'Purges old mail (spread)',
  kind: 'PER_DOMAIN',
  automatic: { kind: 'DAILY', days: DAYS, times: ['01:00'], spreadMinutes: 180 },
  async run(ctx) {
    ctx.log.info('purged');
  },
});
const AUTO: RuleJson = { kind: 'DAILY', days: DAYS, times: ['01:00'], timeZone: 'UTC', spreadMinutes: 180 };
const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-spread-'));
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(jobsFile, JSON.stringify({ jobs: [
  { id: 'cmd.spread', description: 'A command job spread over two hours', kind: 'PER_DOMAIN', command: ['true'],
    automatic: { kind: 'EVERY_HOURS', every: 6, spreadMinutes: 120 } },
] }));
const CMD: RuleJson = { kind: 'EVERY_HOURS', every: 6, timeZone: 'UTC', spreadMinutes: 120 };

const DOMAINS = Array.from({ length: 200 }, (_, i) => `s${String(i).padStart(3, '0')}.example`);
let db: { url: string; drop(): Promise<void> };
let app: Jobdeck;
let g: Gql;
const start = () => startJobdeck(testConfig({ DATABASE_URL: db.url, JOBS_FILE: jobsFile }), { console: false, extraJobs: [purge], log: () => {} });

before(async () => {
  db = await createTestDatabase();
  app = await start();
  g = await new Gql(app.url!).login();
  await g.ok('mutation($n: [String!]!) { createDomains(names: $n) { name } }', { n: DOMAINS });
  await g.ok('mutation { createUser(email: "da@s001.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["s001.example"]) { id } }');
});
after(async () => {
  await app?.close();
  await db?.drop();
});

const rowsOf = async (jobId: string) =>
  app.deps.sql<{ id: string; jobId: string; domain: string; nextRunAt: Date | null }[]>`
    SELECT id, job_id AS "jobId", domain, next_run_at AS "nextRunAt" FROM job_rows WHERE job_id = ${jobId} ORDER BY domain`;
const pendingOf = async (jobId: string) =>
  new Map((await app.deps.sql<{ rowId: string; at: string }[]>`
    SELECT a.data->>'rowId' AS "rowId", a.data->>'at' AS at FROM agenda_jobs a JOIN job_rows r ON r.id::text = a.data->>'rowId'
    WHERE a.name = 'jobdeck:occurrence' AND r.job_id = ${jobId}`).map((p) => [p.rowId, p.at]));

/** The row's next run as computed at some instant between t0 and t1 (an occurrence may pass in between). */
function expectedBetween(rule: RuleJson, row: { jobId: string; domain: string }, t0: number, t1: number) {
  return [nextRunOf(rule, row, new Date(t0))?.getTime(), nextRunOf(rule, row, new Date(t1))?.getTime()];
}

test('new domains: each row of a spread rule runs at its own time inside [occurrence, occurrence + spread), in Agenda too', async () => {
  const now = Date.now();
  for (const [jobId, rule] of [['acme.purge', AUTO], ['cmd.spread', CMD]] as const) {
    const rows = await rowsOf(jobId);
    assert.equal(rows.length, DOMAINS.length);
    const pending = await pendingOf(jobId);
    for (const r of rows) {
      const base = r.nextRunAt!.getTime() - spreadOffsetMs(r, rule.spreadMinutes);
      assert.equal(nextOccurrence(rule, new Date(base - 1))?.getTime(), base, `${r.domain}: an occurrence of the rule plus its offset`);
      assert.ok(expectedBetween(rule, r, now - 120_000, now).includes(r.nextRunAt!.getTime()), `${jobId}@${r.domain}`);
      assert.equal(pending.get(r.id), r.nextRunAt!.toISOString(), 'Agenda holds that very time');
    }
    assert.ok(new Set(rows.map((r) => r.nextRunAt!.getTime())).size > DOMAINS.length * 0.9, 'rows do not share one instant');
  }
});

test('the API shows the spread: Rule.spreadMinutes, summaries, previewRule with a job gives that row\'s own times', async () => {
  const q = `query($d: String!) { job(jobId: "acme.purge", domain: $d) { nextRunAt plan { summary rule { spreadMinutes } } automaticRule { spreadMinutes summary } } }`;
  const { job } = await g.ok(q, { d: 's001.example' });
  assert.equal(job.plan.rule.spreadMinutes, 180);
  assert.equal(job.automaticRule.spreadMinutes, 180);
  assert.match(job.plan.summary, /spread over 3 hours/);
  const preview = `query($r: RuleInput!, $j: JobRef) { previewRule(rule: $r, count: 3, job: $j) { summary next } }`;
  const rule = { kind: 'DAILY', days: DAYS, times: ['01:00'], timeZone: 'UTC', spreadMinutes: 180 };
  const own = (await g.ok(preview, { r: rule, j: { jobId: 'acme.purge', domain: 's001.example' } })).previewRule;
  assert.equal(own.next[0], job.nextRunAt);
  assert.equal(own.summary, 'Every day at 01:00 (UTC), spread over 3 hours');
  assert.equal(Date.parse(own.next[1]) - Date.parse(own.next[0]), 86_400_000);
  const other = (await g.ok(preview, { r: rule, j: { jobId: 'acme.purge', domain: 's002.example' } })).previewRule;
  assert.notEqual(other.next[0], own.next[0], 'another row, another time');
  const plain = (await g.ok(preview, { r: rule })).previewRule;
  assert.equal(new Date(plain.next[0]).getUTCHours(), 1);
  assert.equal(new Date(plain.next[0]).getUTCMinutes(), 0, 'without a job: the rule\'s own occurrences');
  // Out of scope answers like a row that does not exist.
  const da = await new Gql(app.url!).login('da@s001.example', 'domain-admin-pass');
  assert.equal((await da.ok(preview, { r: rule, j: { jobId: 'acme.purge', domain: 's001.example' } })).previewRule.next[0], job.nextRunAt);
  const out = await da.query(preview, { r: rule, j: { jobId: 'acme.purge', domain: 's002.example' } });
  const missing = await da.query(preview, { r: rule, j: { jobId: 'acme.purge', domain: 'nope.example' } });
  assert.equal(out.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  assert.equal(out.errors?.[0]?.message.replace('s002', 'nope'), missing.errors?.[0]?.message);
});

test('upcoming lists each row at its own spread time', async () => {
  const rows = await rowsOf('cmd.spread');
  const first = rows.reduce((a, b) => (a.nextRunAt! < b.nextRunAt! ? a : b));
  const q = `query($f: JobFilter, $from: DateTime, $to: DateTime) { upcoming(filter: $f, from: $from, to: $to, first: 500) { nodes { at job { domain } } } }`;
  const from = new Date(Date.now());
  const to = new Date(first.nextRunAt!.getTime() + 6 * 3600_000);
  const { upcoming } = await g.ok(q, { f: { jobId: 'cmd.spread' }, from: from.toISOString(), to: to.toISOString() });
  const want = rows.flatMap((r) => {
    const out: string[] = [];
    for (let at = nextRunOf(CMD, r, new Date(from.getTime() - 1)); at && at < to; at = nextRunOf(CMD, r, at)) out.push(`${at.toISOString()} ${r.domain}`);
    return out;
  });
  const got = upcoming.nodes.map((n: { at: string; job: { domain: string } }) => `${n.at} ${n.job.domain}`);
  assert.deepEqual([...got].sort(), [...want].sort());
  assert.deepEqual(got.map((x: string) => x.slice(0, 24)), [...got].map((x: string) => x.slice(0, 24)).sort(), 'in time order');
});

test('a plan change keeps each row\'s place in the window; back to AUTOMATIC gives the very same times', async () => {
  const before = await rowsOf('acme.purge');
  const UPDATE = `mutation($d: String!, $i: JobUpdate!) { updateJob(jobId: "acme.purge", domain: $d, input: $i) { nextRunAt plan { summary } } }`;
  const rule = { kind: 'EVERY_HOURS', every: 6, timeZone: 'UTC', spreadMinutes: 300 };
  for (const r of before.slice(0, 20)) {
    const t0 = Date.now();
    const u = (await g.ok(UPDATE, { d: r.domain, i: { plan: { kind: 'SCHEDULED', rule } } })).updateJob;
    assert.ok(expectedBetween(rule as RuleJson, r, t0, Date.now()).includes(Date.parse(u.nextRunAt)), r.domain);
    // The same fraction of the window as under the 3-hour daily rule (offsets are whole seconds).
    const fraction = (spreadOffsetMs(r, 300) / 300) * 180;
    assert.ok(Math.abs(fraction - spreadOffsetMs(r, 180)) <= 1000, `${r.domain}: ${fraction} vs ${spreadOffsetMs(r, 180)}`);
    const back = (await g.ok(UPDATE, { d: r.domain, i: { plan: { kind: 'AUTOMATIC' } } })).updateJob;
    // Back at its time, unless that time came meanwhile (the suite ran inside 01:00-04:00 UTC).
    const want = r.nextRunAt!.getTime() > Date.now() ? [r.nextRunAt!.getTime()] : expectedBetween(AUTO, r, t0, Date.now());
    assert.ok(want.includes(Date.parse(back.nextRunAt)), `${r.domain} is back at its time`);
  }
});

test('bad spreads answer BAD_USER_INPUT on the field and change nothing', async () => {
  const UPDATE = `mutation($i: JobUpdate!) { updateJob(jobId: "acme.purge", domain: "s003.example", input: $i) { id } }`;
  const [before] = await app.deps.sql<{ n: Date; p: string }[]>`SELECT next_run_at AS n, plan_kind AS p FROM job_rows WHERE job_id = 'acme.purge' AND domain = 's003.example'`;
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ kind: 'EVERY_HOURS', every: 4, spreadMinutes: 240 }, /shortest gap .*4 hours/],
    [{ kind: 'EVERY_MINUTES', every: 30, spreadMinutes: 45 }, /30 minutes/],
    [{ kind: 'DAILY', days: ['MON'], times: ['01:00', '02:00'], spreadMinutes: 60 }, /1 hour/],
    [{ kind: 'EVERY_HOURS', every: 4, spreadMinutes: -5 }, /0 or more/],
  ];
  for (const [rule, message] of cases) {
    const r = await g.query(UPDATE, { i: { plan: { kind: 'SCHEDULED', rule } } });
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
    assert.equal(r.errors?.[0]?.extensions?.field, 'input.plan.rule.spreadMinutes');
    assert.match(r.errors![0]!.message, message);
    const p = await g.query('query($r: RuleInput!) { previewRule(rule: $r) { next } }', { r: rule });
    assert.equal(p.errors?.[0]?.extensions?.field, 'rule.spreadMinutes');
  }
  const [now] = await app.deps.sql<{ n: Date; p: string }[]>`SELECT next_run_at AS n, plan_kind AS p FROM job_rows WHERE job_id = 'acme.purge' AND domain = 's003.example'`;
  assert.deepEqual(now, before);
});

test('a scheduled run of a spread row: the runner computes its next run with the row\'s offset', async () => {
  const rule = { kind: 'EVERY_MINUTES', every: 2, timeZone: 'UTC', spreadMinutes: 1 };
  const row = (await rowsOf('acme.purge')).find((r) => spreadOffsetMs(r, 1) >= 5000)!;
  await g.ok(`mutation($d: String!, $i: JobUpdate!) { updateJob(jobId: "acme.purge", domain: $d, input: $i) { id } }`, { d: row.domain, i: { plan: { kind: 'SCHEDULED', rule } } });
  const [{ at }] = await app.deps.sql<[{ at: Date }]>`UPDATE job_rows SET next_run_at = date_trunc('milliseconds', now()) + interval '1 second' WHERE id = ${row.id} RETURNING next_run_at AS at`;
  await app.deps.engine.scheduleRow(row.id, at);
  const next = await waitFor('the scheduled run and the next one', async () => {
    const [r] = await app.deps.sql<{ n: Date }[]>`SELECT next_run_at AS n FROM job_rows WHERE id = ${row.id}`;
    return r!.n.getTime() !== at.getTime() && r!.n;
  });
  const offset = spreadOffsetMs(row, 1);
  assert.equal((next.getTime() - offset) % 120_000, 0, `${next.toISOString()} is a 2-minute occurrence plus ${offset} ms`);
  assert.ok(next.getTime() > at.getTime() && next.getTime() - at.getTime() <= 120_000 + offset);
  // Agenda drops the occurrence it ran once the run has ended: then only the next one is left.
  // (60 s: in a full suite on a slow machine this once took more than 20 s.)
  await waitFor('Agenda to hold only the next occurrence', async () => {
    const left = await app.deps.sql<{ at: string }[]>`SELECT data->>'at' AS at FROM agenda_jobs WHERE name = 'jobdeck:occurrence' AND data->>'rowId' = ${row.id}`;
    return left.length === 1 && left[0]!.at === next.toISOString();
  }, 60_000);
  await g.ok(`mutation($d: String!) { updateJob(jobId: "acme.purge", domain: $d, input: { plan: { kind: AUTOMATIC } }) { id } }`, { d: row.domain });
});

test('a restart computes the same next runs: a new app on the same database', async () => {
  const rules = new Map<string, RuleJson>([['acme.purge', AUTO], ['cmd.spread', CMD]]);
  const t0 = Date.now();
  const rows = [...(await rowsOf('acme.purge')), ...(await rowsOf('cmd.spread'))];
  const before = new Map(rows.map((r) => [r.id, r.nextRunAt!.toISOString()]));
  await app.close();
  // Forgotten by the database: the new process computes every one of them again (fillNextRuns).
  const down = (await import('postgres')).default(db.url, { max: 1, onnotice: () => {} });
  await down`UPDATE job_rows SET next_run_at = NULL WHERE job_id IN ('acme.purge', 'cmd.spread')`;
  await down`DELETE FROM agenda_jobs WHERE name = 'jobdeck:occurrence'`;
  await down.end();
  app = await start();
  g = await new Gql(app.url!).login(ADMIN.email, ADMIN.password);
  const after = new Map([...(await rowsOf('acme.purge')), ...(await rowsOf('cmd.spread'))].map((r) => [r.id, r.nextRunAt?.toISOString()]));
  const pending = new Map([...(await pendingOf('acme.purge')), ...(await pendingOf('cmd.spread'))]);
  const t1 = Date.now();
  // A row whose time came while the test ran (the suite may cross one of the rules' windows)
  // has moved on to its next occurrence: that one is what a computation between t0 and t1 gives.
  // Every other row has exactly the time it had before the restart.
  let steady = 0;
  for (const r of rows) {
    const was = before.get(r.id)!;
    if (Date.parse(was) > t1) {
      steady++;
      assert.equal(after.get(r.id), was, `${r.jobId}@${r.domain} after the restart`);
      assert.equal(pending.get(r.id), was, `${r.jobId}@${r.domain}: Agenda holds that very time`);
    } else {
      const [a, b] = expectedBetween(rules.get(r.jobId)!, r, t0, t1);
      assert.ok([a, b].includes(Date.parse(after.get(r.id)!)), `${r.jobId}@${r.domain} fell due during the test: its next occurrence`);
      assert.ok([a, b].includes(Date.parse(pending.get(r.id)!)), `${r.jobId}@${r.domain}: Agenda holds its next occurrence`);
    }
  }
  assert.ok(steady >= rows.length / 2, `${steady} of ${rows.length} rows kept their time`);
});
