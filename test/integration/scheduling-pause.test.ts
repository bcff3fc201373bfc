/**
 * Pausing and resuming scheduling (issue #15) with real worker processes: a paused occurrence is
 * consumed but opens no execution (the row remembers the first one it missed), manual runs still
 * start and running ones go on; resume RUN_ONCE runs each row that missed once (late), SKIP runs
 * none; a domain's pause and the pause of everything are independent; the state lives in the
 * database (new workers and a new web process see it); who may pause what, and the `scheduler`
 * answer never names a domain outside the viewer's scope.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startJobdeck } from '../../lib/app';
import { Gql, startTestApp, subscribe, testConfig, type TestApp } from '../helpers/app';
import { codesOf, normalizeIds } from '../helpers/matrix';
import { reapWorkers, startWorker, waitFor, type WorkerProc } from '../helpers/worker';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-pause-'));
const release = path.join(dir, 'release');
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(jobsFile, JSON.stringify({ jobs: [
  { id: 'cmd.tick', description: 'Per domain tick', kind: 'PER_DOMAIN', command: ['sh', '-c', 'echo "tick $JOBDECK_DOMAIN"'] },
  { id: 'cmd.gtick', description: 'Global tick', kind: 'GLOBAL', command: ['sh', '-c', 'echo gtick'] },
  { id: 'cmd.hold', description: 'Runs until released', kind: 'GLOBAL', command: ['sh', '-c', `while [ ! -f ${release} ]; do sleep 0.05; done; echo released`] },
] }));

let app: TestApp;
let admin: Gql;
let da: Gql;
let sa: Gql;
let tok: Gql;
let workers: WorkerProc[] = [];
const rowIds = new Map<string, string>();

const STATE = 'paused since by reason pausedDomains';
const SCHEDULER = `{ scheduler { ${STATE} } }`;
const PAUSE = `mutation($d: String, $r: String) { pauseScheduling(domain: $d, reason: $r) { ${STATE} } }`;
const RESUME = `mutation($d: String, $m: MissedPolicy) { resumeScheduling(domain: $d, missed: $m) { ${STATE} } }`;
const RUNS = `query($j: String!, $d: String!) { job(jobId: $j, domain: $d) { nextRunAt executions(first: 50) { nodes { id status trigger scheduledFor late } } } }`;

const sql = () => app.deps.sql;
const row = (jobId: string, domain: string) => rowIds.get(`${jobId}@${domain}`)!;
const TICKS = [['cmd.tick', 'a.example'], ['cmd.tick', 'b.example'], ['cmd.gtick', 'global']] as const;

before(async () => {
  app = await startTestApp({ ROLE: 'web', JOBS_FILE: jobsFile });
  admin = await new Gql(app.url).login();
  await admin.ok('mutation { createDomains(names: ["a.example", "b.example"]) { name } }');
  await admin.ok('mutation { createUser(email: "da@a.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }');
  await admin.ok('mutation { createUser(email: "sa@a.example", password: "subset-admin-pass", role: SYSTEM_ADMIN, domains: ["a.example"]) { id } }');
  da = await new Gql(app.url).login('da@a.example', 'domain-admin-pass');
  sa = await new Gql(app.url).login('sa@a.example', 'subset-admin-pass');
  tok = new Gql(app.url, (await da.ok('mutation { createApiToken(name: "pause") { token } }')).createApiToken.token);
  for (const r of await sql()<{ id: string; jobId: string; domain: string }[]>`SELECT id, job_id AS "jobId", domain FROM job_rows WHERE job_id LIKE 'cmd.%'`)
    rowIds.set(`${r.jobId}@${r.domain}`, r.id);
  // Once a year: during the test a row only runs when the test makes an occurrence due.
  await sql()`UPDATE job_rows SET plan_kind = 'SCHEDULED', rule = ${sql().json({ kind: 'CRON', cron: '0 0 1 1 *', timeZone: 'UTC' })} WHERE job_id LIKE 'cmd.%'`;
  workers = await Promise.all([startWorker(app.databaseUrl, { JOBS_FILE: jobsFile }), startWorker(app.databaseUrl, { JOBS_FILE: jobsFile })]);
});
after(async () => {
  await reapWorkers();
  await (app?.deps.engine as any)?.agenda.backend.disconnect().catch(() => {});
  await app?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Makes an occurrence of each row due `agoSeconds` ago (past: a worker takes it at once); answers it.
 * An occurrence a row already ran (an earlier test's that fell on the same second) would not run
 * again — one execution per row and occurrence — so the time steps back to a second none of them had.
 */
async function makeDue(rows: readonly (readonly [string, string])[], agoSeconds: number) {
  const ids = rows.map(([j, d]) => row(j, d));
  const [free] = await sql()<{ at: Date }[]>`
    SELECT max(c) AS at FROM generate_series(date_trunc('second', now()) - make_interval(secs => ${agoSeconds + 30}),
      date_trunc('second', now()) - make_interval(secs => ${agoSeconds}), interval '1 second') c
    WHERE NOT EXISTS (SELECT 1 FROM executions e WHERE e.row_id = ANY(${ids}::uuid[]) AND e.occurrence_at = c)`;
  const due = await sql()<{ id: string; at: Date }[]>`
    UPDATE job_rows SET next_run_at = ${free!.at} WHERE id = ANY(${ids}::uuid[]) RETURNING id, next_run_at AS at`;
  for (const r of due) await app.deps.engine.scheduleRow(r.id, r.at);
  return due[0]!.at;
}

/** Waits until a worker has consumed the occurrence of each row (its next run is in the future). */
async function consumed(rows: readonly (readonly [string, string])[]) {
  const ids = rows.map(([j, d]) => row(j, d));
  await waitFor('the occurrences consumed', async () => {
    const [c] = await sql()<{ n: number }[]>`SELECT count(*)::int AS n FROM job_rows WHERE id = ANY(${ids}::uuid[]) AND next_run_at > now()`;
    return c!.n === ids.length;
  }, 30_000, 50);
}

const missedAt = async (jobId: string, domain: string) =>
  (await sql()<{ at: Date | null }[]>`SELECT missed_at AS at FROM job_rows WHERE id = ${row(jobId, domain)}`)[0]!.at;

const scheduled = async (jobId: string, domain: string) => [
  ...(await sql()<{ id: number; status: string; occurrenceAt: Date }[]>`
    SELECT id::int AS id, status, occurrence_at AS "occurrenceAt" FROM executions WHERE row_id = ${row(jobId, domain)} AND trigger = 'SCHEDULE' ORDER BY id`),
];

/** Waits for the SCHEDULE executions of a row to end; answers them as the API shows them. */
async function scheduledRuns(jobId: string, domain: string, n: number) {
  return waitFor(`${n} finished scheduled run(s) of ${jobId}@${domain}`, async () => {
    const { job } = await admin.ok(RUNS, { j: jobId, d: domain });
    const runs = job.executions.nodes.filter((e: any) => e.trigger === 'SCHEDULE');
    return runs.length === n && runs.every((e: any) => e.status !== 'IN_PROGRESS') ? runs : undefined;
  }, 30_000, 100);
}

const resetAll = async () => {
  await admin.ok(RESUME, { m: 'SKIP' });
  for (const d of ['a.example', 'b.example']) await admin.ok(RESUME, { d, m: 'SKIP' });
};

test('pause all: due occurrences do not start (the first missed is kept), a manual run does, a running run goes on', async () => {
  rmSync(release, { force: true });
  const hold = (await admin.ok('mutation { executeNow(jobs: [{jobId: "cmd.hold", domain: "global"}]) { execution { id } } }')).executeNow[0].execution.id;
  await waitFor('the held run to be running', async () => (await sql()`SELECT 1 FROM executions WHERE id = ${hold} AND owner IS NOT NULL`).length > 0);

  const before = Date.now();
  const s = (await admin.ok(PAUSE, { r: '  upgrading the mail store  ' })).pauseScheduling;
  assert.equal(s.paused, true);
  assert.equal(s.by, 'admin@example.com');
  assert.equal(s.reason, 'upgrading the mail store');
  assert.ok(Math.abs(new Date(s.since).getTime() - before) < 5000, s.since);
  assert.deepEqual(s.pausedDomains, []);

  const first = await makeDue(TICKS, 120);
  await consumed(TICKS);
  for (const [j, d] of TICKS) {
    assert.equal((await missedAt(j, d))?.getTime(), first.getTime(), `${j}@${d} missed its occurrence`);
    assert.deepEqual(await scheduled(j, d), [], `${j}@${d} did not start`);
  }
  // A second occurrence missed: the first one is the one kept.
  await makeDue([TICKS[0]], 60);
  await consumed([TICKS[0]]);
  assert.equal((await missedAt('cmd.tick', 'a.example'))?.getTime(), first.getTime());
  assert.deepEqual(await scheduled('cmd.tick', 'a.example'), []);

  // Manual runs still start while paused; the run that was going on goes on.
  const manual = (await admin.ok('mutation { executeNow(jobs: [{jobId: "cmd.tick", domain: "a.example"}]) { execution { id } } }')).executeNow[0].execution.id;
  assert.equal(await admin.ended(manual), 'SUCCESS');
  writeFileSync(release, '');
  assert.equal(await admin.ended(hold), 'SUCCESS');
  // Every viewer affected sees it: the domain administrator too.
  const seen = (await da.ok(SCHEDULER)).scheduler;
  assert.deepEqual({ ...seen, since: new Date(seen.since).getTime() }, { ...s, since: new Date(s.since).getTime() });
});

test('resume RUN_ONCE: each row that missed runs once, late, for its first missed occurrence', async () => {
  const missed = new Map<string, number>();
  for (const [j, d] of TICKS) missed.set(`${j}@${d}`, (await missedAt(j, d))!.getTime());
  const s = (await admin.ok(RESUME, {})).resumeScheduling;
  assert.deepEqual(s, { paused: false, since: null, by: null, reason: null, pausedDomains: [] });
  for (const [j, d] of TICKS) {
    const runs = await scheduledRuns(j, d, 1);
    assert.equal(runs[0].status, 'SUCCESS');
    assert.equal(runs[0].late, true, `${j}@${d} says it started late`);
    assert.equal(new Date(runs[0].scheduledFor).getTime(), missed.get(`${j}@${d}`));
    assert.equal(await missedAt(j, d), null);
  }
  // Only once: the row's next run is its next occurrence (next year), nothing else is queued.
  const [q] = await sql()<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE job_id LIKE 'cmd.%' AND status = 'IN_PROGRESS'`;
  assert.equal(q!.n, 0);
});

test('resume SKIP: nothing runs, missed occurrences are forgotten, the next occurrence stays scheduled', async () => {
  await admin.ok(PAUSE, { r: 'skip test' });
  const rows = [TICKS[0], TICKS[1]];
  await makeDue(rows, 90);
  await consumed(rows);
  const s = (await admin.ok(RESUME, { m: 'SKIP' })).resumeScheduling;
  assert.equal(s.paused, false);
  for (const [j, d] of rows) {
    assert.equal(await missedAt(j, d), null);
    // Nothing was opened by the resume (runs are opened by its transaction, so none can come later).
    assert.equal((await scheduled(j, d)).length, 1, 'only the run of the previous test');
    const { job } = await admin.ok(RUNS, { j, d });
    assert.ok(new Date(job.nextRunAt).getTime() > Date.now());
    const pending = await sql()<{ at: string }[]>`SELECT data->>'at' AS at FROM agenda_jobs WHERE name = 'jobdeck:occurrence' AND data->>'rowId' = ${row(j, d)}`;
    assert.deepEqual(pending.map((p) => new Date(p.at).getTime()), [new Date(job.nextRunAt).getTime()]);
  }
});

test('a domain pause stops only that domain; resuming all leaves it paused, and its rows run when it is resumed', async () => {
  const p = (await admin.ok(PAUSE, { d: 'B.example ', r: 'moving b' })).pauseScheduling;
  assert.equal(p.paused, false, 'the system administrator still has every other domain');
  assert.deepEqual(p.pausedDomains, ['b.example']);
  // b alone paused: a and global run on time, b misses.
  const at = await makeDue(TICKS, 45);
  await consumed(TICKS);
  assert.equal((await scheduledRuns('cmd.tick', 'a.example', 2)).length, 2);
  await scheduledRuns('cmd.gtick', 'global', 2);
  assert.equal((await missedAt('cmd.tick', 'b.example'))?.getTime(), at.getTime());
  assert.equal((await scheduled('cmd.tick', 'b.example')).length, 1);

  // All paused as well, then all resumed: a's missed occurrence runs, b's waits for b's own resume.
  await admin.ok(PAUSE, { r: 'both' });
  const at2 = await makeDue([TICKS[0], TICKS[1]], 40);
  await consumed([TICKS[0], TICKS[1]]);
  assert.equal((await missedAt('cmd.tick', 'a.example'))?.getTime(), at2.getTime());
  const s = (await admin.ok(RESUME, { m: 'RUN_ONCE' })).resumeScheduling;
  assert.deepEqual([s.paused, s.pausedDomains], [false, ['b.example']]);
  const a = await scheduledRuns('cmd.tick', 'a.example', 3);
  assert.equal(new Date(a[0].scheduledFor).getTime(), at2.getTime());
  assert.equal((await missedAt('cmd.tick', 'b.example'))?.getTime(), at.getTime(), 'b keeps its first missed occurrence');
  assert.equal((await scheduled('cmd.tick', 'b.example')).length, 1);

  // Resuming b while all is paused again: b's own pause goes, its rows wait for the end of the other.
  await admin.ok(PAUSE, {});
  await admin.ok(RESUME, { d: 'b.example' });
  assert.equal((await missedAt('cmd.tick', 'b.example'))?.getTime(), at.getTime(), 'still paused by the pause of everything');
  assert.equal((await scheduled('cmd.tick', 'b.example')).length, 1);
  await admin.ok(RESUME, {});
  const b = await scheduledRuns('cmd.tick', 'b.example', 2);
  assert.equal(new Date(b[0].scheduledFor).getTime(), at.getTime());
  assert.equal(b[0].late, true);
  assert.equal(await missedAt('cmd.tick', 'b.example'), null);
});

test('a resume racing two workers that consume 150 occurrences: every row runs its occurrence exactly once, none is left missed', async () => {
  const names = Array.from({ length: 150 }, (_, i) => `race${String(i).padStart(3, '0')}.example`);
  await admin.ok('mutation($n: [String!]!) { createDomains(names: $n) { name } }', { n: names });
  await admin.ok(PAUSE, { r: 'race' });
  const due = await sql()<{ id: string; at: Date }[]>`
    UPDATE job_rows SET plan_kind = 'SCHEDULED', rule = ${sql().json({ kind: 'CRON', cron: '0 0 1 1 *', timeZone: 'UTC' })},
      next_run_at = date_trunc('second', now()) - interval '40 seconds'
    WHERE job_id = 'cmd.tick' AND domain = ANY(${names}::text[]) RETURNING id, next_run_at AS at`;
  const ids = due.map((r) => r.id);
  for (const r of due) await app.deps.engine.scheduleRow(r.id, r.at);
  // The moment the workers start consuming, resume: some occurrences are consumed before, some
  // during, some after the resume's transaction.
  await waitFor('a fifth of the occurrences consumed', async () =>
    (await sql()<{ n: number }[]>`SELECT count(*)::int AS n FROM job_rows WHERE id = ANY(${ids}::uuid[]) AND missed_at IS NOT NULL`)[0]!.n >= ids.length / 5, 30_000, 5);
  await admin.ok(RESUME, { m: 'RUN_ONCE' });
  const [byResume] = await sql()<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE row_id = ANY(${ids}::uuid[])`;
  console.log(`race: ${byResume!.n} of ${ids.length} runs existed right after the resume (opened by it for the occurrences missed before); the others came from occurrences consumed after it`);
  await waitFor('every occurrence consumed', async () =>
    (await sql()<{ n: number }[]>`SELECT count(*)::int AS n FROM job_rows WHERE id = ANY(${ids}::uuid[]) AND next_run_at > now()`)[0]!.n === ids.length, 60_000, 50);
  await waitFor('every run ended', async () =>
    (await sql()<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE row_id = ANY(${ids}::uuid[]) AND status <> 'IN_PROGRESS'`)[0]!.n >= ids.length, 60_000, 100);
  const per = await sql()<{ n: number; ok: number; missed: boolean }[]>`
    SELECT count(e.id)::int AS n, count(e.id) FILTER (WHERE e.status = 'SUCCESS' AND e.occurrence_at = ${due[0]!.at})::int AS ok, r.missed_at IS NOT NULL AS missed
    FROM job_rows r LEFT JOIN executions e ON e.row_id = r.id AND e.trigger = 'SCHEDULE'
    WHERE r.id = ANY(${ids}::uuid[]) GROUP BY r.id, r.missed_at`;
  assert.equal(per.length, ids.length);
  assert.deepEqual(per.filter((p) => p.n !== 1 || p.ok !== 1 || p.missed), [], 'each row ran its occurrence once and nothing is left missed');
});

test('who may pause what: a domain administrator his own domain only; others answer NOT_FOUND like a missing domain; all is FORBIDDEN', async () => {
  for (const g of [da, tok]) {
    const s = (await g.ok(PAUSE, { d: 'a.example', r: 'our maintenance' })).pauseScheduling;
    assert.equal(s.paused, true, 'his every domain is paused');
    assert.equal(s.by, 'da@a.example');
    assert.equal(s.reason, 'our maintenance');
    assert.deepEqual(s.pausedDomains, ['a.example']);
    for (const q of [PAUSE, RESUME]) {
      assert.deepEqual(codesOf(await g.query(q, {})), ['FORBIDDEN']);
      const out = await g.query(q, { d: 'b.example' });
      const missing = await g.query(q, { d: 'nope.example' });
      assert.deepEqual(codesOf(out), ['NOT_FOUND']);
      assert.deepEqual(normalizeIds(out, ['b.example', 'nope.example']), normalizeIds(missing, ['b.example', 'nope.example']));
      assert.deepEqual(codesOf(await g.query(q, { d: 'global' })), ['NOT_FOUND']);
    }
    const r = (await g.ok(RESUME, { d: 'a.example' })).resumeScheduling;
    assert.deepEqual(r, { paused: false, since: null, by: null, reason: null, pausedDomains: [] });
  }
  // A system administrator of a.example: his domain yes, all no, b.example is not there for him.
  assert.deepEqual(codesOf(await sa.query(PAUSE, {})), ['FORBIDDEN']);
  assert.deepEqual(codesOf(await sa.query(PAUSE, { d: 'b.example' })), ['NOT_FOUND']);
  const own = (await sa.ok(PAUSE, { d: 'a.example' })).pauseScheduling;
  assert.deepEqual([own.paused, own.pausedDomains], [false, ['a.example']], 'his global rows still run');
  await sa.ok(RESUME, { d: 'a.example' });
  // Nothing of it reached b.example.
  assert.deepEqual((await admin.ok(SCHEDULER)).scheduler.pausedDomains, []);
});

test('the scheduler answer never names a domain outside the viewer\'s scope', async () => {
  await admin.ok(PAUSE, { d: 'b.example', r: 'b only' });
  for (const g of [da, tok, sa]) {
    const s = (await g.ok(SCHEDULER)).scheduler;
    assert.deepEqual(s, { paused: false, since: null, by: null, reason: null, pausedDomains: [] });
    assert.ok(!JSON.stringify(s).includes('b.example'));
  }
  await admin.ok(PAUSE, { d: 'a.example', r: 'a too' });
  assert.deepEqual((await admin.ok(SCHEDULER)).scheduler.pausedDomains, ['a.example', 'b.example']);
  for (const g of [da, tok, sa]) {
    const s = (await g.ok(SCHEDULER)).scheduler;
    assert.deepEqual(s.pausedDomains, ['a.example']);
    assert.ok(!JSON.stringify(s).includes('b.example'));
  }
  assert.equal((await da.ok(SCHEDULER)).scheduler.reason, 'a too');
  // Over the WebSocket the same.
  const ws = da.ws();
  try {
    const [got] = await subscribe(ws, SCHEDULER, {}).done;
    assert.deepEqual(got.scheduler.pausedDomains, ['a.example']);
  } finally {
    await ws.dispose();
  }
  await resetAll();
});

test('a paused domain that is deleted takes its pause with it: created again, it starts unpaused', async () => {
  await admin.ok('mutation { createDomain(name: "gone.example") { name } }');
  await admin.ok(PAUSE, { d: 'gone.example', r: 'about to go' });
  assert.deepEqual((await admin.ok(SCHEDULER)).scheduler.pausedDomains.filter((d: string) => d === 'gone.example'), ['gone.example']);
  await admin.ok('mutation { deleteDomain(name: "gone.example") }');
  assert.deepEqual(codesOf(await admin.query(PAUSE, { d: 'gone.example' })), ['NOT_FOUND']);
  await admin.ok('mutation { createDomain(name: "gone.example") { name } }');
  assert.ok(!(await admin.ok(SCHEDULER)).scheduler.pausedDomains.includes('gone.example'));
});

test('bad input changes nothing; pausing twice keeps since and takes the new reason; everything is audited', async () => {
  const long = await admin.query(PAUSE, { r: 'x'.repeat(501) });
  assert.deepEqual(long.errors?.map((e) => [e.extensions?.code, e.extensions?.field]), [['BAD_USER_INPUT', 'reason']]);
  const twoLines = await admin.query(PAUSE, { d: 'a.example', r: 'one\ntwo' });
  assert.deepEqual(twoLines.errors?.map((e) => [e.extensions?.code, e.extensions?.field]), [['BAD_USER_INPUT', 'reason']]);
  const badPolicy = await admin.query('mutation { resumeScheduling(missed: LATER) { paused } }');
  assert.ok(badPolicy.errors?.length);
  assert.deepEqual((await admin.ok(SCHEDULER)).scheduler, { paused: false, since: null, by: null, reason: null, pausedDomains: [] });

  const atMost = (await admin.ok(PAUSE, { d: 'a.example', r: `  ${'y'.repeat(500)}  ` })).pauseScheduling;
  assert.deepEqual(atMost.pausedDomains, ['a.example']);
  const firstSince = (await da.ok(SCHEDULER)).scheduler.since;
  const again = (await da.ok(PAUSE, { d: 'a.example', r: 'second reason' })).pauseScheduling;
  assert.deepEqual([again.since, again.by, again.reason], [firstSince, 'da@a.example', 'second reason']);
  const blank = (await da.ok(PAUSE, { d: 'a.example', r: '   ' })).pauseScheduling;
  assert.deepEqual([blank.since, blank.by, blank.reason], [firstSince, 'da@a.example', 'second reason']);
  // Resuming what is not paused is harmless.
  await admin.ok(RESUME, { d: 'b.example' });
  await admin.ok(RESUME, { d: 'a.example', m: 'SKIP' });

  const { auditLog } = await admin.ok('{ auditLog(first: 200) { nodes { actor action target domain details } } }');
  const mine = auditLog.nodes.filter((n: any) => /Scheduling$/.test(n.action));
  assert.ok(mine.some((n: any) => n.action === 'pauseScheduling' && n.actor === 'da@a.example' && n.domain === 'a.example' && JSON.parse(n.details).reason === 'second reason'));
  const resumedAll = mine.find((n: any) => n.action === 'resumeScheduling' && n.target === 'all domains' && JSON.parse(n.details).started >= 1);
  assert.ok(resumedAll, JSON.stringify(mine.slice(0, 5)));
  // The domain administrator's trail shows his own entries, never b.example's.
  const daAudit = await da.query('{ auditLog(first: 200) { nodes { action domain } } }');
  assert.deepEqual(codesOf(daAudit), ['FORBIDDEN']);
});

test('the pause survives a restart: new workers miss the occurrence, a new web process answers paused, and resumes it', async () => {
  // Runs started by the tests before (their resumes) end first: one killed mid-run would hold its
  // row IN_PROGRESS until swept, and the resume below would find the row busy.
  await waitFor('no run in progress', async () => (await sql()<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE status = 'IN_PROGRESS'`)[0]!.n === 0, 30_000, 50);
  const s = (await admin.ok(PAUSE, { r: 'restart test' })).pauseScheduling;
  for (const w of workers) await w.kill('SIGKILL');
  workers = await Promise.all([startWorker(app.databaseUrl, { JOBS_FILE: jobsFile }), startWorker(app.databaseUrl, { JOBS_FILE: jobsFile })]);
  const runsBefore = (await scheduled('cmd.tick', 'a.example')).length;
  const at = await makeDue([TICKS[0]], 50);
  await consumed([TICKS[0]]);
  assert.equal((await missedAt('cmd.tick', 'a.example'))?.getTime(), at.getTime());
  assert.equal((await scheduled('cmd.tick', 'a.example')).length, runsBefore);

  const web = await startJobdeck(testConfig({ DATABASE_URL: app.databaseUrl, ROLE: 'web', JOBS_FILE: jobsFile }), { console: false, log: () => {} });
  try {
    const g = await new Gql(web.url!).login();
    const seen = (await g.ok(SCHEDULER)).scheduler;
    assert.deepEqual([seen.paused, seen.since, seen.reason], [true, s.since, 'restart test']);
    await g.ok(RESUME, { m: 'RUN_ONCE' });
    const runs = await scheduledRuns('cmd.tick', 'a.example', runsBefore + 1);
    assert.equal(new Date(runs[0].scheduledFor).getTime(), at.getTime());
    assert.equal(runs[0].late, true);
  } finally {
    await (web.deps.engine as any).agenda.backend.disconnect().catch(() => {});
    await web.close();
  }
});
