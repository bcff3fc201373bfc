/**
 * The Upcoming and Search pages in a real browser (issue #17), against the server started as the
 * README says. Upcoming: occurrences in time order under a heading per hour of the viewer's zone
 * (UTC and Asia/Kolkata, half an hour off), filters in the URL narrow them, "Load later occurrences"
 * appends pages without duplicates. Search: exactly the lines that contain a text (any case), a
 * line of a run that is still going, the level filter, a domain administrator who never sees
 * another domain's lines, the server's BAD_USER_INPUT message, the empty state, and a hit that opens
 * the log viewer at its line. Phone and desktop in dark mode, axe on both pages. Waits are on
 * selectors, URLs and page state; API polls only set things up.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page, Request } from 'playwright-core';
import { axe, blocking, countByImpact } from '../helpers/a11y';
import { ADMIN, Gql } from '../helpers/app';
import { MODES, closeBrowserTest, launchBrowser, screenshotPath, tid, openPage, type PageOptions, signInThrough } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
const DOMAIN_ADMIN = { email: 'da@a.example', password: 'domain-admin-password-1' };

let server: ServerProcess;
let browser: Browser;
let gql: Gql;
let tmp: string;
const pageErrors: string[] = [];
/** Executions of find.needle by domain. */
const needleRuns = new Map<string, string>();

async function execute(jobId: string, domain = 'global') {
  const r = await gql.ok<{ executeNow: { execution: { id: string } | null; reason: string | null }[] }>(
    'mutation($j: [JobRef!]!) { executeNow(jobs: $j) { reason execution { id } } }', { j: [{ jobId, domain }] });
  const id = r.executeNow[0]?.execution?.id;
  assert.ok(id, JSON.stringify(r));
  return id;
}

const newPage = (o: PageOptions = {}) => openPage(browser, pageErrors, { timeout: T, ...o });

const signedIn = (p: Page, path: string, email = ADMIN.email, password = ADMIN.password) => signInThrough(p, server.url, path, email, password);

/** Mantine puts data-testid on the hidden <input> of a Chip: click its label, as a user does. */
async function clickChip(p: Page, testId: string) {
  const id = await p.locator(tid(testId)).getAttribute('id');
  await p.locator(`label[for="${id}"]`).click();
}

async function settled(p: Page) {
  await p.waitForFunction(() => document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity || a.playState !== 'running'));
}

// ------------------------------------------------------------------ upcoming

type Occ = { at: string; job: string; domain: string; status: string; hour: string };

/** The occurrences on screen, in order, each with its hour heading. */
async function occurrences(p: Page): Promise<Occ[]> {
  return p.locator(tid('upcoming-hour')).evaluateAll((sections) =>
    sections.flatMap((s) =>
      [...s.querySelectorAll('[data-testid="occurrence"]')].map((o) => ({
        at: o.getAttribute('data-at')!,
        job: o.getAttribute('data-job')!,
        domain: o.querySelector('[data-testid="occurrence-domain"]')!.textContent!,
        status: o.querySelector('[data-testid="status-icon"]')!.getAttribute('data-status')!,
        hour: s.getAttribute('data-hour')!,
      })),
    ),
  );
}

/** What the list must show: exactly `count` rows, every row of `job`, in `domain` or with `status`, `has` among them or not. */
type Want = { count?: number; job?: string; domain?: string; status?: string; has?: string; hasNot?: string };

/** Waits until the list is no longer loading and shows what `want` says (at least one row). */
async function waitList(p: Page, want: Want = {}) {
  await p.waitForFunction((w: Want) => {
    const list = document.querySelector('[data-testid="upcoming-list"]');
    if (!list || list.getAttribute('aria-busy') === 'true') return false;
    const occ = [...document.querySelectorAll('[data-testid="occurrence"]')].map((o) => ({
      job: o.getAttribute('data-job'),
      status: o.querySelector('[data-testid="status-icon"]')?.getAttribute('data-status'),
    }));
    return occ.length > 0
      && (w.count === undefined || occ.length === w.count)
      && (w.job === undefined || occ.every((o) => o.job === w.job))
      && (w.domain === undefined || occ.every((o) => o.job?.endsWith(`@${w.domain}`)))
      && (w.status === undefined || occ.every((o) => o.status === w.status))
      && (w.has === undefined || occ.some((o) => o.job === w.has))
      && (w.hasNot === undefined || !occ.some((o) => o.job === w.hasNot));
  }, want);
}

function assertInOrderByHour(list: Occ[], offsetMinutes: number) {
  assert.ok(list.length > 0, 'some occurrences');
  for (let i = 1; i < list.length; i++) assert.ok(list[i - 1]!.at <= list[i]!.at, `in time order at ${i}: ${list[i - 1]!.at} then ${list[i]!.at}`);
  for (const o of list) {
    const hour = Date.parse(o.hour);
    const at = Date.parse(o.at);
    assert.ok(at >= hour && at < hour + 3600_000, `${o.at} under the heading of ${o.hour}`);
    // The heading is a whole hour of the viewer's clock.
    assert.equal(((hour / 60_000 + offsetMinutes) % 60 + 60) % 60, 0, `${o.hour} starts an hour in a zone ${offsetMinutes} min off UTC`);
  }
  assert.equal(new Set(list.map((o) => `${o.job}|${o.at}`)).size, list.length, 'no occurrence twice');
}

// ------------------------------------------------------------------ setup

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-upsearch-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(
    jobsFile,
    JSON.stringify({
      jobs: [
        // Scheduled by default: occurrences to list (each run is instant and prints no needle).
        { id: 'up.quarter', description: 'Every quarter of an hour', kind: 'GLOBAL', command: ['true'], automatic: { kind: 'EVERY_MINUTES', every: 15 } },
        { id: 'up.half', description: 'Every half hour, per domain', kind: 'PER_DOMAIN', command: ['true'], automatic: { kind: 'EVERY_MINUTES', every: 30 } },
        // No default plan: they only run when asked to.
        { id: 'find.needle', description: 'Prints a needle among other lines', kind: 'PER_DOMAIN',
          command: ['sh', '-c', 'echo before-1; echo before-2; echo "needle-123 in $JOBDECK_DOMAIN"; echo after-1; echo "::error::needle-123 failed in $JOBDECK_DOMAIN"; echo after-2'] },
        { id: 'find.upper', description: 'Prints the needle in capitals', kind: 'GLOBAL', command: ['sh', '-c', 'echo NEEDLE-123 shouted; echo needle-12 is not it'] },
        { id: 'find.hay', description: 'Prints no needle', kind: 'GLOBAL', command: ['sh', '-c', 'echo haystack only; echo needle 123 with a space'] },
        { id: 'find.live', description: 'Prints a line, then waits', kind: 'GLOBAL', command: ['sh', '-c', 'echo live-needle-777 written; sleep 20; echo done'] },
      ],
    }),
  );
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  await gql.ok('mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }');
  await gql.ok('mutation($e: String!, $p: String!) { createUser(email: $e, password: $p, role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }', {
    e: DOMAIN_ADMIN.email,
    p: DOMAIN_ADMIN.password,
  });
  for (const d of ['a.example', 'b.example']) needleRuns.set(d, await execute('find.needle', d));
  const others = [await execute('find.upper'), await execute('find.hay'), await execute('up.half', 'b.example')];
  for (const id of [...needleRuns.values(), ...others]) await gql.ended(id);
  // The scheduler has given every planned row its next run.
  const deadline = Date.now() + T;
  for (;;) {
    const r = await gql.ok<{ upcoming: { nodes: { job: { jobId: string; domain: string } }[] } }>('{ upcoming(first: 500) { nodes { job { jobId domain } } } }');
    const rows = new Set(r.upcoming.nodes.map((n) => `${n.job.jobId}@${n.job.domain}`));
    if (['up.quarter@global', 'up.half@a.example', 'up.half@b.example'].every((k) => rows.has(k))) break;
    assert.ok(Date.now() < deadline, `planned rows: ${[...rows].join(', ')}`);
    await new Promise((res) => setTimeout(res, 100)); // API poll (setup only)
  }
  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

// ------------------------------------------------------------------ tests

test('upcoming: occurrences in time order under a heading per hour of the viewer\'s zone', async () => {
  const page = await newPage();
  await signedIn(page, '/upcoming?window=6h');
  await waitList(page);
  const list = await occurrences(page);
  assertInOrderByHour(list, 0);
  // 6 hours: every quarter hour for one row, every half hour for two (each boundary of the window may add one).
  const quarter = list.filter((o) => o.job === 'up.quarter@global').length;
  const half = list.filter((o) => o.job.startsWith('up.half@')).length;
  assert.ok(quarter >= 23 && quarter <= 25, `up.quarter: ${quarter}`);
  assert.ok(half >= 22 && half <= 26, `up.half: ${half}`);
  assert.equal(list.filter((o) => o.job.startsWith('find.')).length, 0, 'rows without a plan have no occurrence');
  // The hour's count is written next to its heading.
  const first = page.locator(tid('upcoming-hour')).first();
  const inFirst = await first.locator(tid('occurrence')).count(); // 1 when the page opens after the hour's last quarter
  assert.equal(await first.locator(tid('upcoming-hour-count')).textContent(), inFirst === 1 ? '1 run' : `${inFirst} runs`);
  // Each occurrence links to its row in the jobs list.
  assert.equal(await page.locator(`${tid('occurrence')}[data-job="up.half@b.example"] ${tid('occurrence-job')}`).first().getAttribute('href'), '/jobs?job=up.half@b.example');
  assert.match(await page.locator(tid('upcoming-count')).innerText(), /^\d+ occurrences in this window\.$/);
  // The chart: one bar per hour of the window (6 hours from a minute that is rarely :00 touch 7), its peak the busiest hour's count.
  const chart = page.locator(tid('upcoming-chart'));
  const byHour = new Map<string, number>();
  for (const o of list) byHour.set(o.hour, (byHour.get(o.hour) ?? 0) + 1);
  assert.ok(['6', '7'].includes((await chart.getAttribute('data-hours'))!), `hours: ${await chart.getAttribute('data-hours')}`);
  assert.equal(Number(await chart.getAttribute('data-peak')), Math.max(...byHour.values()));
  assert.ok((await chart.locator('.recharts-bar-rectangle').count()) >= byHour.size - 1, 'a bar per hour that has runs');
  await page.context().close();

  // India is 5 h 30 min off UTC: its hours start at :30 UTC.
  const kolkata = await newPage({ timezoneId: 'Asia/Kolkata' });
  await signedIn(kolkata, '/upcoming?window=6h');
  await waitList(kolkata);
  assertInOrderByHour(await occurrences(kolkata), 330);
  await kolkata.context().close();
});

test('upcoming: the window, status, text and domain filters narrow the list and live in the URL', async () => {
  const page = await newPage();
  await signedIn(page, '/upcoming');
  await waitList(page);
  const all = await occurrences(page);
  assert.ok(all.some((o) => o.domain === 'b.example') && all.some((o) => o.domain === 'global'));

  // Domain, with the shared picker (searched on the server).
  const picker = page.locator(tid('upcoming-domain'));
  await picker.click();
  await picker.fill('a.ex');
  await page.getByRole('option', { name: 'a.example' }).click();
  await page.waitForURL((u) => u.searchParams.get('domain') === 'a.example');
  await waitList(page, { domain: 'a.example', has: 'up.half@a.example' });
  const onlyA = await occurrences(page);
  assert.ok(onlyA.length < all.length, `${onlyA.length} < ${all.length}`);
  // The built-in per-domain job is planned too (daily): rows of a.example only, none of b.example or global.
  assert.ok(onlyA.every((o) => o.domain === 'a.example'));
  assertInOrderByHour(onlyA, 0);

  // Text, then back to every domain.
  await page.getByRole('button', { name: 'All domains' }).click();
  await page.waitForURL((u) => !u.searchParams.has('domain'));
  await page.locator(tid('upcoming-search')).fill('quarter');
  await page.waitForURL((u) => u.searchParams.get('q') === 'quarter');
  await waitList(page, { job: 'up.quarter@global' });
  await page.locator(tid('upcoming-search')).fill('');
  await page.waitForURL((u) => !u.searchParams.has('q'));

  // Status of the row's last run: up.half@b.example ran once (SUCCESS).
  await clickChip(page, 'status-filter-SUCCESS');
  await page.waitForURL((u) => u.searchParams.get('status') === 'SUCCESS');
  await waitList(page, { status: 'SUCCESS', has: 'up.half@b.example' });
  await clickChip(page, 'status-filter-SUCCESS');
  await page.waitForURL((u) => !u.searchParams.has('status'));
  await clickChip(page, 'status-filter-NEVER_RUN');
  await page.waitForURL((u) => u.searchParams.get('status') === 'NEVER_RUN');
  await waitList(page, { status: 'NEVER_RUN', hasNot: 'up.half@b.example' });

  // Nothing matches: the empty state offers to clear the filters.
  await page.locator(tid('upcoming-search')).fill('no-such-job');
  await page.locator(tid('upcoming-empty')).getByText('No occurrence matches these filters in this window.').waitFor();
  await page.locator(tid('upcoming-empty')).getByRole('button', { name: 'Clear the filters' }).click();
  await page.waitForURL((u) => u.search === '');
  await waitList(page);

  // The window.
  await page.locator(tid('window-3d')).click();
  await page.waitForURL((u) => u.searchParams.get('window') === '3d');
  await page.locator(tid('upcoming-count')).getByText(/^The first 200 occurrences, up to /).waitFor();
  // Back returns to the previous view.
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.has('window'));
  await page.context().close();
});

/**
 * A finished request's body, for the figures a test prints; null when the test closed its page
 * first (an unhandled rejection of that read failed the whole file once). Any other failure throws.
 */
const bodyOf = (page: Page, r: Request) => r.response().then((res) => res?.body()).catch((e: unknown) => (page.isClosed() ? null : Promise.reject(e)));

test('upcoming: "Load later occurrences" appends the next page, in order, without duplicates', async () => {
  const page = await newPage();
  // What one page costs: its size on the wire and the time to answer (measured, printed).
  const pages: { bytes: number; ms: number }[] = [];
  page.on('requestfinished', async (r) => {
    if (!r.url().endsWith('/graphql') || !r.postData()?.includes('query Upcoming')) return;
    const body = await bodyOf(page, r);
    if (body === null) return;
    pages.push({ bytes: body?.length ?? 0, ms: Math.round(r.timing().responseEnd - r.timing().requestStart) });
  });
  await signedIn(page, '/upcoming?window=7d');
  await waitList(page, { count: 200 });
  const more = page.getByRole('button', { name: 'Load later occurrences' });
  await more.click();
  await waitList(page, { count: 400 });
  await more.click();
  await waitList(page, { count: 600 });
  const list = await occurrences(page);
  assertInOrderByHour(list, 0);
  assert.match(await page.locator(tid('upcoming-count')).innerText(), /^The first 600 occurrences, up to /);
  // While pages remain, the chart stops at the last hour loaded and says so.
  await page.locator(tid('upcoming-chart')).getByText(/^The occurrences loaded so far, up to /).waitFor();
  // One bar per hour from the window's start to the last hour loaded, empty hours included: the
  // hours of the loaded occurrences, plus the window's first hour when its runs were already past
  // (every row runs hourly, so the first occurrence is in the start hour or the next).
  const hourMs = (o: Occ) => Math.floor(Date.parse(o.at) / 3_600_000);
  const span = hourMs(list[list.length - 1]!) - hourMs(list[0]!) + 1;
  const bars = Number(await page.locator(tid('upcoming-chart')).getAttribute('data-hours'));
  assert.ok(bars === span || bars === span + 1, `${bars} bars for occurrences spanning ${span} hours`);
  console.log(`upcoming pages of 200 (7 days, ${list.length} loaded): ${pages.map((p) => `${(p.bytes / 1024).toFixed(1)} KB in ${p.ms} ms`).join(', ')}`);
  await page.mouse.move(0, 0);
  await page.locator(tid('upcoming-chart')).screenshot({ path: screenshotPath('upcoming-chart-600-loaded') });
  // The same 600 from the API, read in one go, in the same order.
  const from = new Date(Date.parse(list[0]!.at) - 60_000);
  const api = await gql.ok<{ upcoming: { nodes: { at: string; job: { jobId: string; domain: string } }[] } }>(
    'query($from: DateTime, $to: DateTime) { upcoming(from: $from, to: $to, first: 500) { nodes { at job { jobId domain } } } }',
    { from: from.toISOString(), to: new Date(from.getTime() + 7 * 24 * 3600_000).toISOString() },
  );
  const head = api.upcoming.nodes.slice(0, 200).map((n) => `${n.job.jobId}@${n.job.domain}|${n.at}`);
  assert.deepEqual(list.slice(0, 200).map((o) => `${o.job}|${new Date(o.at).toISOString()}`), head.map((k) => k.replace(/\|(.*)$/, (_, at: string) => `|${new Date(at).toISOString()}`)));
  await page.context().close();
});

// ------------------------------------------------------------------ search

type HitRow = { job: string; domain: string; level: string; line: string; execution: string; seq: string };

async function hits(p: Page): Promise<HitRow[]> {
  return p.locator(tid('search-hit')).evaluateAll((ls) =>
    ls.map((l) => ({
      job: l.querySelector('[data-testid="search-hit-job"]')!.textContent!,
      domain: l.getAttribute('data-domain')!,
      level: l.getAttribute('data-level')!,
      line: l.querySelector('[data-testid="search-hit-line"]')!.textContent!,
      execution: l.getAttribute('data-execution')!,
      seq: l.getAttribute('data-seq')!,
    })),
  );
}

/** Waits until the results are in (or the empty state) and not loading. */
async function searched(p: Page) {
  await p.waitForFunction(() => {
    if (document.querySelector('[data-testid="search-empty"]')) return true;
    const list = document.querySelector('[data-testid="search-results"]');
    return list !== null && list.getAttribute('aria-busy') !== 'true';
  });
}

const sortRows = (rows: { job: string; domain: string; level: string; line: string }[]) =>
  rows.map((h) => `${h.job}@${h.domain} ${h.level} ${h.line}`).sort();

test('search: exactly the lines that contain the text, any case, highlighted, with the lines around; Enter searches, not each key', async () => {
  const page = await newPage();
  await signedIn(page, '/search');
  await page.locator(tid('search-idle')).waitFor();
  let requests = 0;
  page.on('request', (r) => {
    if (r.url().endsWith('/graphql') && r.postData()?.includes('SearchLogs')) requests++;
  });
  page.on('requestfinished', async (r) => {
    if (!r.url().endsWith('/graphql') || !r.postData()?.includes('query SearchLogs')) return;
    const body = await bodyOf(page, r);
    if (body === null) return;
    console.log(`searchLogs answer: ${body?.length ?? 0} bytes in ${Math.round(r.timing().responseEnd - r.timing().requestStart)} ms`);
  });
  // One character: said on the field, nothing sent.
  await page.locator(tid('search-text')).fill('n');
  await page.locator(tid('search-text')).press('Enter');
  await page.getByText('Type at least 2 characters.').waitFor();
  assert.equal(await page.locator(tid('search-text')).getAttribute('aria-invalid'), 'true');
  await page.locator(tid('search-text')).fill('needle-123');
  assert.equal(requests, 0, 'typing sends nothing');
  await page.locator(tid('search-text')).press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === 'needle-123');
  await searched(page);
  assert.equal(requests, 1);

  assert.deepEqual(sortRows(await hits(page)), sortRows([
    { job: 'find.needle', domain: 'a.example', level: 'INFO', line: 'needle-123 in a.example' },
    { job: 'find.needle', domain: 'a.example', level: 'ERROR', line: 'needle-123 failed in a.example' },
    { job: 'find.needle', domain: 'b.example', level: 'INFO', line: 'needle-123 in b.example' },
    { job: 'find.needle', domain: 'b.example', level: 'ERROR', line: 'needle-123 failed in b.example' },
    { job: 'find.upper', domain: 'global', level: 'INFO', line: 'NEEDLE-123 shouted' },
  ]));
  assert.equal(await page.locator(tid('search-count')).innerText(), '5 lines found.');
  // Newest runs first: find.upper ran after find.needle.
  assert.equal((await hits(page))[0]!.job, 'find.upper');
  const marks = await page.locator(`${tid('search-hit')} ${tid('search-match')}`).allInnerTexts();
  assert.deepEqual([...new Set(marks.map((m) => m.toLowerCase()))], ['needle-123'], 'the match is marked, as written in the line');

  // The first hits come with the lines around them (two before, two after), the match marked among them.
  const [, , third] = await hits(page);
  assert.deepEqual(third && [third.domain, third.level], ['b.example', 'INFO'], 'newest run first, its lines from the last');
  const needleB = page.locator(tid('search-hit')).nth(2);
  await needleB.locator(tid('search-context-line')).first().waitFor();
  const text = (l: string) => l.replace(/^\d+\s*/, '');
  assert.deepEqual((await needleB.locator(tid('search-context-line')).allInnerTexts()).map(text),
    ['before-1', 'before-2', 'needle-123 in b.example', 'after-1', 'needle-123 failed in b.example']);
  assert.equal(text(await needleB.locator(`${tid('search-context-line')}[data-hit="true"]`).innerText()), 'needle-123 in b.example');
  // Later hits read theirs when asked.
  const last = page.locator(tid('search-hit')).last();
  assert.equal(await last.locator(tid('search-context')).count(), 0);
  await last.locator(tid('search-hit-context-toggle')).click();
  await last.locator(tid('search-context')).waitFor();
  assert.equal(await last.locator(tid('search-hit-context-toggle')).getAttribute('aria-expanded'), 'true');
  assert.deepEqual((await last.locator(tid('search-context-line')).allInnerTexts()).map(text),
    ['before-1', 'before-2', 'needle-123 in a.example', 'after-1', 'needle-123 failed in a.example']);

  // A text that is nowhere: the empty state.
  await page.locator(tid('search-text')).fill('no-such-text-anywhere');
  await page.locator(tid('search-submit')).click();
  await page.locator(tid('search-empty')).getByText('No log line contains “no-such-text-anywhere”.').waitFor();
  await page.context().close();
});

test('search: the level filter, and a line written by a run that is still going', async () => {
  const page = await newPage();
  await signedIn(page, '/search?q=needle-123');
  await searched(page);
  await clickChip(page, 'level-filter-ERROR');
  await page.waitForURL((u) => u.searchParams.get('levels') === 'ERROR');
  await page.waitForFunction(() => {
    const ls = [...document.querySelectorAll('[data-testid="search-hit"]')];
    return ls.length === 2 && ls.every((l) => l.getAttribute('data-level') === 'ERROR');
  });
  assert.deepEqual((await hits(page)).map((h) => h.line).sort(), ['needle-123 failed in a.example', 'needle-123 failed in b.example']);

  // A run that printed its line and then waits: its line is found while it runs.
  const live = await execute('find.live');
  const deadline = Date.now() + T;
  for (;;) {
    const r = await gql.ok<{ execution: { lastSeq: number } }>('query($id: ID!) { execution(id: $id) { lastSeq } }', { id: live });
    if (r.execution.lastSeq >= 1) break;
    assert.ok(Date.now() < deadline, 'the live run wrote its line');
    await new Promise((res) => setTimeout(res, 100)); // API poll (setup only)
  }
  await page.goto(`${server.url}/search?q=LIVE-needle`);
  await searched(page);
  const hit = page.locator(tid('search-hit'));
  assert.equal(await hit.count(), 1);
  assert.equal(await hit.getAttribute('data-execution'), live);
  assert.equal(await hit.locator(tid('search-hit-line')).innerText(), 'live-needle-777 written');
  assert.equal(await hit.locator(tid('status-icon')).getAttribute('data-status'), 'IN_PROGRESS');
  await gql.ok('mutation($id: ID!) { cancelExecution(id: $id) { id } }', { id: live });
  assert.equal(await gql.ended(live), 'CANCELLED');
  await page.context().close();
});

test('search: a hit opens the log viewer at its line; the server\'s refusal is shown as it says', async () => {
  const page = await newPage();
  await signedIn(page, '/search?q=needle-123&domain=b.example&levels=INFO');
  await searched(page);
  const [h] = await hits(page);
  assert.ok(h);
  assert.equal(h.execution, needleRuns.get('b.example'));
  await page.locator(tid('search-hit-open')).first().click();
  await page.waitForURL((u) => u.pathname === '/jobs');
  const u = new URL(page.url());
  assert.equal(u.searchParams.get('job'), 'find.needle@b.example');
  assert.equal(u.searchParams.get('log'), h.execution);
  assert.equal(u.searchParams.get('line'), h.seq);
  assert.equal(h.seq, '3', 'the third line of that run');

  // Days the wrong way round: the API answers BAD_USER_INPUT and its message is shown.
  await page.goto(`${server.url}/search?q=needle-123&from=2026-03-10&to=2026-03-01`);
  const alert = page.locator(tid('search-error'));
  await alert.getByText('This search cannot be run').waitFor();
  await alert.getByText('startedBefore must be after startedAfter.').waitFor();
  await page.context().close();
});

test('search: a domain administrator never sees another domain\'s lines', async () => {
  const page = await newPage();
  await signedIn(page, '/search?q=needle-123', DOMAIN_ADMIN.email, DOMAIN_ADMIN.password);
  await searched(page);
  assert.deepEqual(sortRows(await hits(page)), sortRows([
    { job: 'find.needle', domain: 'a.example', level: 'INFO', line: 'needle-123 in a.example' },
    { job: 'find.needle', domain: 'a.example', level: 'ERROR', line: 'needle-123 failed in a.example' },
  ]));
  // Asking for the other domain by URL answers nothing, not its lines.
  await page.goto(`${server.url}/search?q=needle-123&domain=b.example`);
  await page.locator(tid('search-empty')).waitFor();
  assert.equal(await page.locator(tid('search-hit')).count(), 0);
  // Nor does the upcoming list show another domain's rows.
  await page.goto(`${server.url}/upcoming?window=6h`);
  await waitList(page);
  assert.deepEqual([...new Set((await occurrences(page)).map((o) => o.domain))], ['a.example']);
  await page.context().close();
});

test('both pages on desktop and phone in dark mode, with no serious accessibility violation', async () => {
  for (const mode of MODES.filter((m) => m.colorScheme === 'dark')) {
    const page = await newPage({ viewport: mode.viewport, colorScheme: mode.colorScheme });
    await signedIn(page, '/upcoming?window=6h');
    await waitList(page);
    // The pointer stays where "Sign in" was: off the chart, or it shows a tooltip in the screenshot.
    await page.mouse.move(0, 0);
    await page.waitForFunction(() => /Upcoming/.test(document.title));
    await settled(page);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${mode.name}: no horizontal scroll on /upcoming`);
    await page.screenshot({ path: screenshotPath(`upcoming-${mode.name}`) });
    let findings = await axe(page);
    console.log(`/upcoming ${mode.name}: ${JSON.stringify(countByImpact(findings))}`);
    assert.deepEqual(blocking(findings), [], `${mode.name}: ${JSON.stringify(blocking(findings), null, 1)}`);

    await page.goto(`${server.url}/search?q=needle-123`);
    await searched(page);
    await page.locator(tid('search-context')).first().waitFor();
    await page.waitForFunction(() => /Search logs/.test(document.title));
    await settled(page);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${mode.name}: no horizontal scroll on /search`);
    await page.screenshot({ path: screenshotPath(`search-${mode.name}`) });
    findings = await axe(page);
    console.log(`/search ${mode.name}: ${JSON.stringify(countByImpact(findings))}`);
    assert.deepEqual(blocking(findings), [], `${mode.name}: ${JSON.stringify(blocking(findings), null, 1)}`);
    await page.context().close();
  }
});
