/**
 * The dashboard (/dashboard) and the job window's Statistics tab in a real browser (Chromium,
 * built `.next`), on executions seeded through the API: small command jobs that succeed, warn
 * (print to stderr) and fail (exit 1) in a.example and b.example. The dashboard's numbers must
 * equal what was seeded; a status leads to the filtered jobs list; a run finishing elsewhere moves
 * the numbers with no reload; a system administrator narrows it to one domain, a domain
 * administrator only ever sees his own. The Statistics tab draws one point per run, says the right
 * p50 and p95, and a point opens its run's log. Phone dark and desktop screenshots, axe.
 * Waits are on selectors, URLs and attributes, never sleeps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axe, blocking, countByImpact } from '../helpers/a11y';
import { ADMIN, Gql } from '../helpers/app';
import { MODES, closeBrowserTest, launchBrowser, screenshotPath, tid, openPage, type PageOptions } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
const DOMAIN_ADMIN = { email: 'da@a.example', password: 'domain-admin-password-1' };
const STATUSES = ['SUCCESS', 'WARNING', 'FAILURE', 'INTERRUPTED', 'CANCELLED', 'IN_PROGRESS', 'NEVER_RUN'] as const;
type Status = (typeof STATUSES)[number];

let server: ServerProcess;
let browser: Browser;
let gql: Gql;
let tmp: string;
let gate: string;
const pageErrors: string[] = [];
/** Every execution seeded, in order: its row and how it ended. */
const runs: { jobId: string; domain: string; id: string; status: string }[] = [];
/** The rows each viewer may see (from the API's own jobs list): the never-run rows are the rest. */
const rowsTotal = { all: 0, 'a.example': 0, 'b.example': 0, domainAdmin: 0 };

type Scope = 'all' | 'a.example' | 'b.example';

/** What the dashboard must say for a scope, from the runs seeded (rows by last status; the last 24 hours). */
function expected(scope: Scope, total: number) {
  const mine = runs.filter((r) => scope === 'all' || r.domain === scope);
  const last = new Map<string, string>();
  for (const r of mine) last.set(`${r.jobId}@${r.domain}`, r.status);
  const rows: Record<Status, number> = { SUCCESS: 0, WARNING: 0, FAILURE: 0, INTERRUPTED: 0, CANCELLED: 0, IN_PROGRESS: 0, NEVER_RUN: total - last.size };
  for (const s of last.values()) rows[s as Status]++;
  const count = (...s: string[]) => mine.filter((r) => s.includes(r.status)).length;
  // A FAILED alert (issue #16; one failure is enough by default) is open on each row whose last
  // run that counts (cancelled and running ones do not) failed.
  const lastCounted = new Map<string, string>();
  for (const r of mine) if (r.status !== 'CANCELLED' && r.status !== 'IN_PROGRESS') lastCounted.set(`${r.jobId}@${r.domain}`, r.status);
  const alerts = [...lastCounted.values()].filter((s) => s === 'FAILURE' || s === 'INTERRUPTED').length;
  return {
    alerts,
    rows,
    running: count('IN_PROGRESS'),
    succeeded: count('SUCCESS'),
    warnings: count('WARNING'),
    failed: count('FAILURE', 'INTERRUPTED'),
  };
}

async function run(jobId: string, domain: string, client = gql) {
  const r = await client.ok<{ executeNow: { execution: { id: string } | null; reason: string | null }[] }>(
    `mutation($jobs: [JobRef!]!) { executeNow(jobs: $jobs) { execution { id } reason } }`,
    { jobs: [{ jobId, domain }] },
  );
  const id = r.executeNow[0]?.execution?.id;
  assert.ok(id, `executeNow ${jobId}@${domain}: ${JSON.stringify(r)}`);
  return id;
}

async function seed(jobId: string, domain: string, want: string) {
  const id = await run(jobId, domain);
  const status = await gql.ended(id);
  assert.equal(status, want, `${jobId}@${domain} ended ${status}`);
  runs.push({ jobId, domain, id, status });
}

const newPage = (o: PageOptions = {}) => openPage(browser, pageErrors, { timeout: T, viewport: { width: 1280, height: 900 }, ...o });

/** Signs in from /login with no `next`: sign-in lands on the dashboard. */
async function signIn(p: Page, email: string, password: string) {
  await p.goto(`${server.url}/login`);
  await p.locator(tid('login-email')).fill(email);
  await p.locator(tid('login-password')).fill(password);
  await p.locator(tid('login-submit')).click();
  await p.waitForURL((u) => u.pathname === '/dashboard');
  await ready(p);
}

/** The dashboard's answer for the current URL is on screen (not the previous domain's). */
async function ready(p: Page) {
  await p.locator(`${tid('dashboard-body')}[data-ready="true"]`).waitFor();
}

/** The dashboard's numbers as the page shows them (the counts' data attributes and their text). */
async function shown(p: Page) {
  const tile = async (key: string) => {
    const el = p.locator(tid(`dash-${key}`));
    const count = Number(await el.getAttribute('data-count'));
    assert.equal((await p.locator(tid(`dash-${key}-count`)).innerText()).trim(), String(count), `${key}: text and data differ`);
    return count;
  };
  const rows = {} as Record<Status, number>;
  for (const s of STATUSES) {
    const link = p.locator(tid(`dash-status-${s}`));
    rows[s] = Number(await link.getAttribute('data-count'));
    // The count is also in the link's words, for a screen reader.
    assert.match(await link.innerText(), new RegExp(`: ${rows[s]} jobs?$`), `${s}: ${await link.innerText()}`);
  }
  return {
    rows,
    running: await tile('running'),
    waiting: await tile('waiting'),
    succeeded: await tile('succeeded'),
    warnings: await tile('warnings'),
    failed: await tile('failed'),
    alerts: await tile('alerts'),
  };
}

async function assertNumbers(p: Page, scope: Scope, total: number) {
  const want = expected(scope, total);
  const got = await shown(p);
  assert.deepEqual(got.rows, want.rows, `${scope}: rows by last status`);
  assert.deepEqual(
    { running: got.running, waiting: got.waiting, succeeded: got.succeeded, warnings: got.warnings, failed: got.failed, alerts: got.alerts },
    { running: want.running, waiting: 0, succeeded: want.succeeded, warnings: want.warnings, failed: want.failed, alerts: want.alerts },
    `${scope}: now and the last 24 hours`,
  );
}

async function assertNoBlockingA11y(p: Page, what: string) {
  const findings = await axe(p);
  console.log(`axe ${what}: ${JSON.stringify(countByImpact(findings))} ${findings.map((f) => `${f.impact} ${f.id}: ${f.targets.join(', ')}`).join('; ')}`);
  assert.deepEqual(blocking(findings), [], `${what}: serious or critical accessibility findings`);
}

/** "HH:MM" in UTC, `hours` from now: a daily time that falls inside the next 24 hours, far from the test. */
function utcTimeIn(hours: number) {
  const d = new Date(Date.now() + hours * 3600_000);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-dashboard-'));
  gate = path.join(tmp, 'gate');
  const counter = path.join(tmp, 'stat-runs');
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(jobsFile, JSON.stringify({ jobs: [
    { id: 'demo.ok', description: 'Says ok', kind: 'PER_DOMAIN', command: ['echo', 'ok'] },
    { id: 'demo.warn', description: 'Warns', kind: 'PER_DOMAIN', command: ['sh', '-c', 'echo careful >&2'] },
    { id: 'demo.fail', description: 'Fails', kind: 'PER_DOMAIN', command: ['sh', '-c', 'echo boom; exit 1'] },
    // Waits for a file the test writes: a run that is on screen while it runs, then ends on cue.
    { id: 'demo.gate', description: 'Waits for its gate', kind: 'GLOBAL', command: ['sh', '-c', `while [ ! -f '${gate}' ]; do sleep 0.05; done; echo through`] },
    // Its runs last about 1 s, 3 s (and fail), then 2 s: p50 is the 2 s run, p95 the 3 s one.
    { id: 'demo.stat', description: 'Known durations', kind: 'GLOBAL', command: ['sh', '-c',
      `n=$(cat '${counter}' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '${counter}'; case $n in 1) sleep 1;; 2) sleep 3; exit 1;; *) sleep 2;; esac`] },
  ] }));
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  await gql.ok(`mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }`);
  await gql.ok(`mutation($e: String!, $p: String!) { createUser(email: $e, password: $p, role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }`,
    { e: DOMAIN_ADMIN.email, p: DOMAIN_ADMIN.password });

  // The built-in jobs run on their own (some hourly): switched off, so that only the seeded runs
  // count. Two rows get a daily run a few hours from now: the next runs, one per domain.
  const all = await gql.ok<{ jobs: { totalCount: number; nodes: { jobId: string; domain: string }[] } }>(`{ jobs(first: 100) { totalCount nodes { jobId domain } } }`);
  for (const r of all.jobs.nodes) {
    const plan = r.jobId === 'demo.ok' && r.domain !== 'global'
      ? `{ kind: SCHEDULED, rule: { kind: DAILY, days: [MON, TUE, WED, THU, FRI, SAT, SUN], times: ["${utcTimeIn(r.domain === 'a.example' ? 6 : 7)}"], timeZone: "UTC" } }`
      : '{ kind: DISABLED }';
    await gql.ok(`mutation($j: String!, $d: String!) { updateJob(jobId: $j, domain: $d, input: { plan: ${plan} }) { id } }`, { j: r.jobId, d: r.domain });
  }
  rowsTotal.all = all.jobs.totalCount;
  for (const d of ['a.example', 'b.example'] as const) {
    rowsTotal[d] = (await gql.ok<{ jobs: { totalCount: number } }>(`query($d: String) { jobs(filter: { domain: $d }) { totalCount } }`, { d })).jobs.totalCount;
  }
  const da = await new Gql(server.url).login(DOMAIN_ADMIN.email, DOMAIN_ADMIN.password);
  rowsTotal.domainAdmin = (await da.ok<{ jobs: { totalCount: number } }>(`{ jobs { totalCount } }`)).jobs.totalCount;
  assert.equal(rowsTotal.domainAdmin, rowsTotal['a.example'], 'a domain administrator sees exactly his domain');

  await seed('demo.ok', 'a.example', 'SUCCESS');
  await seed('demo.ok', 'a.example', 'SUCCESS');
  await seed('demo.warn', 'a.example', 'WARNING');
  await seed('demo.fail', 'a.example', 'FAILURE');
  await seed('demo.ok', 'b.example', 'SUCCESS');
  await seed('demo.fail', 'b.example', 'FAILURE');
  await seed('demo.fail', 'b.example', 'FAILURE');
  await seed('demo.stat', 'global', 'SUCCESS');
  await seed('demo.stat', 'global', 'FAILURE');
  await seed('demo.stat', 'global', 'SUCCESS');

  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

test('sign-in lands on the dashboard, whose numbers equal the seeded runs; its next runs are the two scheduled rows', async () => {
  const page = await newPage();
  await signIn(page, ADMIN.email, ADMIN.password);
  assert.equal(await page.locator(`${tid('nav-dashboard')}[aria-current="page"]`).count(), 1, 'the menu marks the dashboard');
  await assertNumbers(page, 'all', rowsTotal.all);
  assert.equal(Number(await page.locator(tid('dash-by-status')).getAttribute('data-total')), rowsTotal.all);

  const next = page.locator(tid('dash-next-item'));
  assert.deepEqual(await next.evaluateAll((ls) => ls.map((l) => l.getAttribute('data-job'))), ['demo.ok@a.example', 'demo.ok@b.example']);
  assert.equal(await page.locator(tid('dash-upcoming-link')).getAttribute('href'), '/upcoming');
  await page.screenshot({ path: screenshotPath('dashboard-desktop-light'), fullPage: true });
  await assertNoBlockingA11y(page, 'dashboard desktop light');

  // A next run opens its job's window.
  await next.first().click();
  await page.waitForURL((u) => u.pathname === '/jobs' && u.searchParams.get('job') === 'demo.ok@a.example');
  await page.locator(tid('job-window-body')).waitFor();

  // "/" is the dashboard now.
  await page.goto(server.url);
  await page.waitForURL((u) => u.pathname === '/dashboard');
  await ready(page);
  await page.context().close();
});

test('a status, a tile and a bar each lead to the jobs list filtered by it', async () => {
  const page = await newPage();
  await signIn(page, ADMIN.email, ADMIN.password);
  const want = expected('all', rowsTotal.all);

  await page.locator(tid('dash-status-FAILURE')).click();
  await page.waitForURL((u) => u.pathname === '/jobs' && u.search === '?status=FAILURE');
  await page.locator(tid('jobs-table')).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="job-row-"]').length === n, want.rows.FAILURE);
  const keys = await page.locator('[data-testid^="job-row-"]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-testid')!.slice(8)).sort());
  assert.deepEqual(keys, ['demo.fail@a.example', 'demo.fail@b.example']);

  await page.goBack();
  await ready(page);
  await page.locator(tid('dash-failed-link')).click();
  await page.waitForURL((u) => u.pathname === '/jobs' && u.searchParams.get('status') === 'FAILURE,INTERRUPTED');

  // The bar chart repeats the links for the mouse: its WARNING bar lists the warned rows.
  await page.goBack();
  await ready(page);
  await page.locator(`${tid('dash-bar')}[data-status="WARNING"]`).click();
  await page.waitForURL((u) => u.pathname === '/jobs' && u.search === '?status=WARNING');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="job-row-"]').length === n, want.rows.WARNING);

  // Never run is a status of its own.
  await page.goBack();
  await ready(page);
  assert.equal(await page.locator(tid('dash-status-NEVER_RUN')).getAttribute('href'), '/jobs?status=NEVER_RUN');
  await page.context().close();
});

test('a run starting and finishing elsewhere moves the numbers live, with no reload', async () => {
  const page = await newPage();
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.evaluate(() => ((window as unknown as { __same: boolean }).__same = true));
  const before = expected('all', rowsTotal.all);

  const id = await run('demo.gate', 'global', await new Gql(server.url).login());
  await page.locator(`${tid('dash-running')}[data-count="${before.running + 1}"]`).waitFor();
  await page.locator(`${tid('dash-status-IN_PROGRESS')}[data-count="1"]`).waitFor();
  await page.screenshot({ path: screenshotPath('dashboard-desktop-running') });

  writeFileSync(gate, 'open');
  assert.equal(await gql.ended(id), 'SUCCESS');
  runs.push({ jobId: 'demo.gate', domain: 'global', id, status: 'SUCCESS' });
  const after = expected('all', rowsTotal.all);
  await page.locator(`${tid('dash-succeeded')}[data-count="${after.succeeded}"]`).waitFor();
  await page.locator(`${tid('dash-running')}[data-count="0"]`).waitFor();
  await page.locator(`${tid('dash-status-NEVER_RUN')}[data-count="${after.rows.NEVER_RUN}"]`).waitFor();
  await assertNumbers(page, 'all', rowsTotal.all);
  assert.equal(await page.evaluate(() => (window as unknown as { __same?: boolean }).__same), true, 'the page was not reloaded');
  await page.context().close();
});

test('a system administrator narrows the dashboard to one domain; the URL keeps it', async () => {
  const page = await newPage();
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.locator(tid('dash-domain')).click();
  await page.locator(tid('dash-domain')).fill('b.ex');
  await page.locator(tid('dash-domain-options')).getByRole('option', { name: 'b.example', exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/dashboard' && u.searchParams.get('domain') === 'b.example');
  await ready(page);
  await page.locator(`${tid('dashboard')}[data-domain="b.example"]`).waitFor();
  await assertNumbers(page, 'b.example', rowsTotal['b.example']);
  const next = page.locator(tid('dash-next-item'));
  assert.deepEqual(await next.evaluateAll((ls) => ls.map((l) => l.getAttribute('data-job'))), ['demo.ok@b.example']);
  // Its links keep the domain.
  assert.equal(await page.locator(tid('dash-status-FAILURE')).getAttribute('href'), '/jobs?status=FAILURE&domain=b.example');

  // A link to the narrowed dashboard opens it narrowed; a reload keeps it.
  await page.goto(`${server.url}/dashboard?domain=a.example`);
  await ready(page);
  await assertNumbers(page, 'a.example', rowsTotal['a.example']);
  assert.equal(await page.locator(tid('dash-domain')).inputValue(), 'a.example');
  await page.context().close();
});

test('a domain administrator sees only his domain’s numbers, with no domain picker', async () => {
  const page = await newPage();
  await signIn(page, DOMAIN_ADMIN.email, DOMAIN_ADMIN.password);
  await assertNumbers(page, 'a.example', rowsTotal.domainAdmin);
  assert.equal(await page.locator(tid('dash-domain')).count(), 0);
  // Asking for another domain in the URL changes nothing: his scope is his domain.
  await page.goto(`${server.url}/dashboard?domain=b.example`);
  await ready(page);
  await assertNumbers(page, 'a.example', rowsTotal.domainAdmin);
  await page.context().close();
});

test('the dashboard on a phone in dark mode and on a dark desktop: screenshots and axe', async () => {
  for (const mode of [MODES[3], MODES[1]]) {
    const page = await newPage({ viewport: mode.viewport, colorScheme: mode.colorScheme });
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.locator(`${tid('dash-bar')}[data-status="SUCCESS"]`).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${mode.name}: the page scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: screenshotPath(`dashboard-${mode.name}`), fullPage: true });
    await assertNoBlockingA11y(page, `dashboard ${mode.name}`);
    await page.context().close();
  }
});

test('the Statistics tab: one point per run coloured by status, success rate, p50 and p95; a point opens its log', async () => {
  const stat = runs.filter((r) => r.jobId === 'demo.stat');
  const durations = await Promise.all(stat.map(async (r) =>
    (await gql.ok<{ execution: { durationMs: number } }>(`query($id: ID!) { execution(id: $id) { durationMs } }`, { id: r.id })).execution.durationMs));
  const sorted = [...durations].sort((a, b) => a - b);
  // Nearest rank: the smallest duration at or above p percent of the runs.
  const rank = (p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  assert.deepEqual([seconds(rank(50)), seconds(rank(95))], ['2 s', '3 s'], `durations ${durations}`);

  const page = await newPage();
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto(`${server.url}/jobs?job=demo.stat@global&tab=statistics`);
  const tab = page.locator(tid('tab-statistics'));
  await page.locator(`${tid('tab-statistics')}[data-runs="3"]`).waitFor();
  const points = tab.locator(tid('stats-point'));
  await points.nth(2).waitFor();
  assert.equal(await points.count(), 3, 'one point per run');
  // Read once the chart has settled: a point the chart has just replaced is out of the document, and
  // its computed fill reads '' (two empty fills once made "a failure in another colour" fail).
  const drawn = (await (
    await page.waitForFunction((sel) => {
      const ls = Array.from(document.querySelectorAll(sel));
      const d = ls.map((l) => [l.getAttribute('data-execution-id'), l.getAttribute('data-status'), getComputedStyle(l).fill]);
      return d.length === 3 && d.every((x) => x[2]) ? d : null;
    }, `${tid('tab-statistics')} ${tid('stats-point')}`)
  ).jsonValue()) as [string, string, string][];
  assert.deepEqual(drawn.map(([id, s]) => [id, s]).sort(), stat.map((r) => [r.id, r.status]).sort());
  const fills = new Map(drawn.map(([, s, fill]) => [s, fill]));
  assert.notEqual(fills.get('SUCCESS'), fills.get('FAILURE'), 'a failure is drawn in another colour than a success');
  assert.equal((await tab.locator(tid('stats-runs')).innerText()).trim(), '3');
  assert.equal((await tab.locator(tid('stats-success-rate')).innerText()).trim(), '67%');
  assert.equal((await tab.locator(tid('stats-p50')).innerText()).trim(), seconds(rank(50)));
  assert.equal((await tab.locator(tid('stats-p95')).innerText()).trim(), seconds(rank(95)));
  // Its tooltip names the run.
  await tab.locator(`${tid('stats-point')}[data-status="FAILURE"]`).hover();
  await page.getByText(/Run 2 · .* · Failed · 3 s/).waitFor();
  await page.screenshot({ path: screenshotPath('statistics-desktop-light') });

  // The failed run's point opens its log.
  const failed = stat.find((r) => r.status === 'FAILURE')!;
  await tab.locator(`${tid('stats-point')}[data-execution-id="${failed.id}"]`).click();
  await page.waitForURL((u) => u.searchParams.get('log') === failed.id);
  await page.locator(`${tid('log-viewer')}[data-execution-id="${failed.id}"]`).waitFor();
  await page.locator(`${tid('log-status')}[data-status="FAILURE"]`).waitFor();
  await page.keyboard.press('Escape');
  await page.locator(tid('log-viewer')).waitFor({ state: 'detached' });

  // Another choice of N reads again (the same three runs here).
  await tab.locator(tid('stats-last')).getByText('500', { exact: true }).click();
  await page.locator(`${tid('tab-statistics')}[data-runs="3"]`).waitFor();

  // A row that never ran says so.
  await page.goto(`${server.url}/jobs?job=demo.warn@b.example&tab=statistics`);
  await page.locator(tid('stats-empty')).waitFor();
  assert.equal((await page.locator(tid('stats-success-rate')).innerText()).trim(), '—');
  await page.context().close();

  const phone = await newPage({ viewport: MODES[3].viewport, colorScheme: 'dark' });
  await signIn(phone, ADMIN.email, ADMIN.password);
  await phone.goto(`${server.url}/jobs?job=demo.stat@global&tab=statistics`);
  await phone.locator(tid('stats-point')).nth(2).waitFor();
  await phone.screenshot({ path: screenshotPath('statistics-phone-dark') });
  await assertNoBlockingA11y(phone, 'statistics phone dark');
  await phone.context().close();
});
