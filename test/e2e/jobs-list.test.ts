/**
 * The jobs list's data in a real browser (issue #13): a filtered list follows executionUpdated (rows
 * come and go, the count follows) while another session starts and cancels runs through the API;
 * filter and sort changes are history entries (Back restores the previous view); the domain picker
 * searches the server; the sort is kept in the URL. Waits are on selectors, URLs and page state.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, Gql } from '../helpers/app';
import { closeBrowserTest, launchBrowser, screenshotPath, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
let server: ServerProcess;
let browser: Browser;
let gql: Gql;
let tmp: string;
let flag: string;
let page: Page;
const pageErrors: string[] = [];
const row = (key: string) => tid(`job-row-${key}`);

async function execute(jobId: string, domain = 'global') {
  const r = await gql.ok<{ executeNow: { execution: { id: string } | null; reason: string | null }[] }>(
    'mutation($j: [JobRef!]!) { executeNow(jobs: $j) { reason execution { id } } }', { j: [{ jobId, domain }] });
  const id = r.executeNow[0]?.execution?.id;
  assert.ok(id, JSON.stringify(r));
  return id;
}

async function ended(id: string) {
  const deadline = Date.now() + T;
  for (;;) {
    const e = await gql.ok<{ execution: { status: string } }>('query($id: ID!) { execution(id: $id) { status } }', { id });
    if (e.execution.status !== 'IN_PROGRESS') return e.execution.status;
    if (Date.now() > deadline) throw new Error(`execution ${id} did not end`);
    await new Promise((res) => setTimeout(res, 100)); // API poll (setup only, not the browser)
  }
}

/** The count the page shows ("3 jobs · 2 loaded" → 3). */
async function waitCount(n: number) {
  await page.waitForFunction(
    ([sel, want]) => {
      const m = document.querySelector(sel as string)?.textContent?.match(/^([\d,]+) jobs?/);
      return m ? Number(m[1]!.replace(/,/g, '')) === want : false;
    },
    [tid('jobs-count'), n],
  );
}
/** The page's live updates flow (its socket is connected): a change made now reaches it. */
const live = () => page.locator('html[data-live="connected"]').waitFor({ state: 'attached' });
/**
 * The page's socket is connected and the server holds its subscription (its gauge counts it): a
 * change from now on reaches the page. Connected alone left a window in which the subscription was
 * still on its way, and a run that failed within it was pushed to nobody (seen once in CI).
 */
async function subscribed() {
  await live();
  while (!/^jobdeck_subscriptions [1-9]/m.test(await (await fetch(`${server.url}/metrics`)).text())) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function count() {
  const m = (await page.locator(tid('jobs-count')).innerText()).match(/^([\d,]+) jobs?/);
  return Number(m?.[1]?.replace(/,/g, '') ?? NaN);
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-list-'));
  flag = path.join(tmp, 'healthy');
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(jobsFile, JSON.stringify({
    jobs: [
      { id: 'demo.long', description: 'Runs until cancelled', kind: 'GLOBAL', command: ['sh', '-c', 'for i in $(seq 1 600); do echo tick $i; sleep 0.1; done'] },
      // Fails until the flag file exists, then succeeds: a row that enters and then leaves "Failure".
      { id: 'demo.flaky', description: 'Fails until healthy', kind: 'GLOBAL', command: ['sh', '-c', `test -f '${flag}' || { echo broken >&2; exit 3; }`] },
    ],
  }));
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  // 60 domains: more than the picker's first page (50).
  for (let i = 0; i < 60; i += 12) {
    const names = Array.from({ length: 12 }, (_, j) => `d${String(i + j).padStart(2, '0')}.example`);
    await gql.ok(`mutation { ${names.map((n, j) => `c${j}: createDomain(name: "${n}") { name }`).join(' ')} }`);
  }
  browser = await launchBrowser();
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC', locale: 'en-GB' });
  page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.url}/jobs`);
  await page.waitForURL(/\/login/);
  await page.locator(tid('login-email')).fill(ADMIN.email);
  await page.locator(tid('login-password')).fill(ADMIN.password);
  await page.locator(tid('login-submit')).click();
  await page.waitForURL(/\/jobs/);
  await page.locator(tid('jobs-table')).waitFor();
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

test('In progress: a run started elsewhere appears, and leaves when it is cancelled; the count follows', async () => {
  await page.goto(`${server.url}/jobs?status=IN_PROGRESS`);
  await page.locator(tid('jobs-count')).filter({ hasText: /job/ }).waitFor();
  await subscribed();
  const before = await count();
  assert.equal(await page.locator(row('demo.long@global')).count(), 0);

  const id = await execute('demo.long');
  await page.locator(row('demo.long@global')).waitFor();
  await waitCount(before + 1);

  await gql.ok('mutation($id: ID!) { cancelExecution(id: $id) { id } }', { id });
  await page.locator(row('demo.long@global')).waitFor({ state: 'detached' });
  await waitCount(before);
  assert.equal(await ended(id), 'CANCELLED');
});

test('Failure: a failed run appears, and leaves when its next run succeeds', async () => {
  await page.goto(`${server.url}/jobs?status=FAILURE`);
  await page.locator(tid('jobs-count')).filter({ hasText: /job/ }).waitFor();
  await subscribed();
  const before = await count();
  assert.equal(await ended(await execute('demo.flaky')), 'FAILURE');
  await page.locator(row('demo.flaky@global')).waitFor();
  await waitCount(before + 1);

  writeFileSync(flag, 'ok');
  assert.equal(await ended(await execute('demo.flaky')), 'SUCCESS');
  await page.locator(row('demo.flaky@global')).waitFor({ state: 'detached' });
  await waitCount(before);
});

test('filter and sort changes are history entries: Back restores the previous view', async () => {
  await page.goto(`${server.url}/jobs`);
  await page.locator(tid('jobs-table')).waitFor();
  // Mantine puts the test id on the Chip's hidden <input>: click its label, as a user does.
  const chipId = await page.locator(tid('status-filter-SUCCESS')).getAttribute('id');
  await page.locator(`label[for="${chipId}"]`).click();
  await page.waitForURL((u) => u.searchParams.get('status') === 'SUCCESS');
  await page.locator(tid('jobs-sort')).click();
  await page.getByRole('option', { name: 'Next execution, soonest' }).click();
  await page.waitForURL((u) => u.searchParams.get('sort') === 'next' && u.searchParams.get('status') === 'SUCCESS');

  await page.goBack();
  await page.waitForURL((u) => u.searchParams.get('status') === 'SUCCESS' && !u.searchParams.has('sort'));
  assert.equal(await page.locator(tid('jobs-sort')).inputValue(), 'Job');
  await page.goBack();
  await page.waitForURL((u) => u.pathname === '/jobs' && !u.searchParams.has('status'));
  await page.locator(tid('jobs-table')).waitFor();
  assert.equal(await page.locator(`${tid('status-filter-SUCCESS')}`).isChecked(), false);
  await page.goForward();
  await page.waitForURL((u) => u.searchParams.get('status') === 'SUCCESS');
  assert.equal(await page.locator(`${tid('status-filter-SUCCESS')}`).isChecked(), true);
});

test('the sort is server-side and kept in the URL', async () => {
  await page.goto(`${server.url}/jobs?sort=-domain`);
  await page.locator(tid('jobs-table')).waitFor();
  assert.equal(await page.locator(tid('jobs-sort')).inputValue(), 'Domain, Z to A');
  const firstRow = () => page.locator('[data-testid^="job-row-"]').first().getAttribute('data-testid');
  // Descending by domain: "global" comes before every d…example.
  assert.match((await firstRow())!, /@global$/);
  await page.locator(tid('jobs-sort')).click();
  await page.getByRole('option', { name: 'Domain', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get('sort') === 'domain');
  await page.waitForFunction(() => document.querySelector('[data-testid^="job-row-"]')?.getAttribute('data-testid')?.endsWith('@d00.example'));
});

test('the domain picker searches the server and filters the list', async () => {
  await page.goto(`${server.url}/jobs`);
  await page.locator(tid('jobs-table')).waitFor();
  const picker = page.locator(tid('domain-filter'));
  await picker.click();
  const options = page.locator(`${tid('domain-filter-options')} [role="option"]`);
  await page.getByRole('option', { name: /Show more \(10 left\)/ }).waitFor();
  assert.equal(await options.count(), 51);
  await page.getByRole('option', { name: /Show more/ }).click();
  await page.getByRole('option', { name: 'd59.example' }).waitFor();
  assert.equal(await page.getByRole('option', { name: /Show more/ }).count(), 0);

  await picker.fill('d05');
  await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, `${tid('domain-filter-options')} [role="option"]`);
  await shots('domain-picker');
  await page.getByRole('option', { name: 'd05.example' }).click();
  await page.waitForURL((u) => u.searchParams.get('domain') === 'd05.example');
  // The unfiltered list has that row too: wait for the list to hold nothing else.
  await onlyRowsOf('d05.example');
  await page.locator(row('domain.activity-report@d05.example')).waitFor();
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.has('domain'));
  assert.equal(await picker.inputValue(), '');

  // The search box matches the domain too.
  await page.locator(tid('jobs-search')).fill('d07.exa');
  await page.waitForURL((u) => u.searchParams.get('q') === 'd07.exa');
  await onlyRowsOf('d07.example');
  await page.locator(row('domain.activity-report@d07.example')).waitFor();
});

async function onlyRowsOf(domain: string) {
  await page.waitForFunction((d) => {
    const keys = [...document.querySelectorAll('[data-testid^="job-row-"]')].map((e) => e.getAttribute('data-testid')!);
    return keys.length > 0 && keys.every((k) => k.endsWith(`@${d}`));
  }, domain);
}

/** Desktop and phone, light and dark: the domain picker open on "d05", then the sort open. */
async function shots(name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    for (const [label, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
      const ctx = await browser.newContext({ viewport, colorScheme: scheme, timezoneId: 'UTC', locale: 'en-GB', storageState: await page.context().storageState() });
      const p = await ctx.newPage();
      p.setDefaultTimeout(T);
      await p.goto(`${server.url}/jobs?sort=next&status=SUCCESS,FAILURE`);
      await p.locator(tid('jobs-count')).filter({ hasText: /job/ }).waitFor();
      await p.locator(tid('domain-filter')).click();
      await p.locator(tid('domain-filter')).fill('d05');
      await p.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, `${tid('domain-filter-options')} [role="option"]`);
      await p.screenshot({ path: screenshotPath(`jobs-list-${name}-${label}-${scheme}`) });
      await p.keyboard.press('Escape');
      await p.locator(tid('jobs-sort')).click();
      await p.getByRole('option', { name: 'Next execution, latest' }).waitFor();
      await p.screenshot({ path: screenshotPath(`jobs-list-sort-${label}-${scheme}`) });
      await ctx.close();
    }
  }
}
