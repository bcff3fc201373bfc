/**
 * Ways into the console from outside it, and out of a session, in a real browser (Chromium) against
 * the server as the README starts it (built `.next`, NODE_ENV=production): the report email's link,
 * an address that does not exist, and a session that ends while a page is open.
 * Waits are on selectors and URLs (Playwright's auto-waiting), never sleeps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { executionLink } from '../../jobs/report/template';
import { ADMIN, Gql } from '../helpers/app';
import { closeBrowserTest, launchBrowser, screenshotPath, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

// The server closes the sockets of an ended session on its next check (every 5 s, lib/web.ts).
const T = 20_000;

let server: ServerProcess;
let browser: Browser;
let gql: Gql;
let tmp: string;
let executionId: string;
const pageErrors: string[] = [];

async function signIn(p: Page) {
  await p.locator(tid('login-email')).fill(ADMIN.email);
  await p.locator(tid('login-password')).fill(ADMIN.password);
  await p.locator(tid('login-submit')).click();
}

async function newPage(opts: { colorScheme?: 'light' | 'dark' } = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC', locale: 'en-GB', ...opts });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return page;
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-links-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(jobsFile, JSON.stringify({ jobs: [{ id: 'demo.echo', description: 'Says a known line', kind: 'GLOBAL', command: ['echo', 'report-link-marker'] }] }));
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  const r = await gql.ok<{ executeNow: { execution: { id: string } | null }[] }>(
    `mutation { executeNow(jobs: [{ jobId: "demo.echo", domain: "global" }]) { execution { id } } }`,
  );
  executionId = r.executeNow[0]?.execution?.id ?? '';
  assert.ok(executionId, JSON.stringify(r));
  await gql.ended(executionId, T);
  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

test("a report email's link, old shape and new, opens that execution's log", async () => {
  const page = await newPage();
  const oldLink = `${server.url}/jobs/demo.echo/global?execution=${executionId}`;
  await page.goto(oldLink);
  await page.waitForURL(/\/login\?next=/);
  await signIn(page);

  // The redirect kept the execution through sign-in, and the log viewer shows that execution's lines.
  await page.waitForURL((u) => u.pathname === '/jobs' && u.searchParams.get('log') === executionId);
  assert.equal(new URL(page.url()).searchParams.get('job'), 'demo.echo@global');
  await page.locator(`${tid('log-viewer')}[data-execution-id="${executionId}"]`).waitFor();
  await page.locator(tid('log-lines')).filter({ hasText: 'report-link-marker' }).waitFor();

  // What the email carries today (PUBLIC_URL + the jobs page's own deep link) goes straight there.
  const link = executionLink(server.url, 'demo.echo', 'global', Number(executionId));
  assert.ok(link && !link.includes('?execution='), link);
  await page.goto(link);
  assert.equal(page.url(), link, 'no redirect for the current shape');
  await page.locator(`${tid('log-viewer')}[data-execution-id="${executionId}"]`).waitFor();
  await page.locator(tid('log-lines')).filter({ hasText: 'report-link-marker' }).waitFor();

  // The old shape without a usable execution is not a page: the console's own 404, not a redirect.
  // (Its status is 200: Next has already streamed the layout's head when the page calls notFound().)
  await page.goto(`${server.url}/jobs/demo.echo/global?execution=abc`);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await page.context().close();
});

test('an unknown address shows the not-found page, with a way back to Jobs, in light and dark', async () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await newPage({ colorScheme });
    const res = await page.goto(`${server.url}/no/such/page`);
    assert.equal(res?.status(), 404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    assert.match(await page.title(), /Page not found/);
    // Mantine's own colours follow the scheme: the page is not a white sheet in dark mode.
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    if (colorScheme === 'dark') assert.notEqual(bg, 'rgb(255, 255, 255)');
    await page.screenshot({ path: screenshotPath(`not-found-${colorScheme}`) });

    await page.locator(tid('not-found-jobs')).click();
    // Signed out, /jobs asks to sign in and comes back to /jobs afterwards.
    await page.waitForURL(/\/login\?next=%2Fjobs/);
    await signIn(page);
    await page.waitForURL((u) => u.pathname === '/jobs');
    await page.locator(tid('jobs-table')).waitFor();
    await page.context().close();
  }
});

test('a session ended in another tab shows "You were signed out" and signing in again returns to the same view', async () => {
  const page = await newPage();
  const ctx = page.context();
  await page.goto(`${server.url}/jobs?status=FAILURE`);
  await page.waitForURL(/\/login/);
  await signIn(page);
  await page.waitForURL((u) => u.pathname === '/jobs' && u.search === '?status=FAILURE');
  await page.locator(tid('jobs-count')).filter({ hasText: /jobs?/ }).waitFor();

  // Another tab of the same browser signs out: the server ends the session and closes its sockets.
  const other = await ctx.newPage();
  await other.goto(`${server.url}/jobs`);
  await other.locator(tid('sign-out')).click();
  await other.waitForURL(/\/login/);
  await other.close();

  const banner = page.locator(tid('signed-out'));
  await banner.getByText('You were signed out').waitFor();
  assert.equal(await page.locator(tid('connection-lost')).count(), 0, 'not shown as a network drop');
  assert.equal(new URL(page.url()).pathname, '/jobs', 'the page stays where it was');
  await page.screenshot({ path: screenshotPath('signed-out-banner') });

  await banner.getByRole('button', { name: 'Sign in again' }).click();
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/jobs?status=FAILURE');
  await signIn(page);
  await page.waitForURL((u) => u.pathname === '/jobs' && u.search === '?status=FAILURE');
  await page.locator(tid('jobs-count')).filter({ hasText: /jobs?/ }).waitFor();
  assert.equal(await page.locator(tid('signed-out')).count(), 0);
  await ctx.close();
});
