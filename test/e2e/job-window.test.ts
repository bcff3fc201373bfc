/**
 * The job window and the log viewer in a real browser (Chromium) against the built console: Run now
 * and Cancel (with its confirmation), a command job's command on the Information tab (environment
 * names, never values), times with seconds and "… ago", and the Mail page's SMTP note and log links.
 * Waits are on selectors, URLs and attributes (Playwright's auto-waiting), never sleeps.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN, Gql } from '../helpers/app';
import { closeBrowserTest, launchBrowser, screenshotPath, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
const ENV_VALUE = 'env-value-must-never-show-7d1e';
const GRACE_SECONDS = 3;

let server: ServerProcess;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let gql: Gql;
let tmp: string;
let workDir: string;
const pageErrors: string[] = [];
/** Every GraphQL answer the browser received: none may carry an environment value. */
const answers: string[] = [];

async function shot(name: string, p: Page = page) {
  await p.screenshot({ path: screenshotPath(`job-window-${name}`), animations: 'disabled' });
}

/** The same signed-in session at another size or colour scheme, for screenshots. */
async function otherPage(opts: { width: number; height: number; colorScheme: 'light' | 'dark' }) {
  const c = await browser.newContext({
    viewport: { width: opts.width, height: opts.height }, colorScheme: opts.colorScheme, timezoneId: 'UTC', locale: 'en-GB',
    storageState: await ctx.storageState(),
  });
  const p = await c.newPage();
  p.setDefaultTimeout(T);
  return p;
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-window-'));
  workDir = path.join(tmp, 'work dir');
  mkdirSync(workDir);
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(jobsFile, JSON.stringify({ jobs: [
    { id: 'demo.hello', description: 'Says hello twice', kind: 'GLOBAL', command: ['sh', '-c', 'echo hello-marker; echo "second $LANG"', 'arg two'],
      cwd: workDir, env: { SECRET_TOKEN: ENV_VALUE, LANG: 'C' } },
    { id: 'demo.long', description: 'Runs for a minute', kind: 'GLOBAL',
      command: ['sh', '-c', 'echo long-started; for i in $(seq 1 600); do sleep 0.1; done'] },
  ] }));
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC', KILL_GRACE_SECONDS: String(GRACE_SECONDS) });
  gql = await new Gql(server.url).login();
  // A report for demo.hello's runs: without SMTP_URL it stays in the outbox, which the Mail page shows.
  await gql.ok(`mutation { updateJob(jobId: "demo.hello", domain: "global", input: { report: { send: true, recipients: ["ops@example.com"] } }) { id } }`);

  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC', locale: 'en-GB' });
  page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('response', (r) => {
    if (r.url().endsWith('/graphql')) void r.text().then((t) => answers.push(t), () => undefined);
  });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => answers.push(String(f.payload))));
  await page.goto(`${server.url}/jobs?job=demo.hello@global`);
  await page.waitForURL(/\/login/);
  await page.locator(tid('login-email')).fill(ADMIN.email);
  await page.locator(tid('login-password')).fill(ADMIN.password);
  await page.locator(tid('login-submit')).click();
  await page.waitForURL((u) => u.pathname === '/jobs' && u.searchParams.get('job') === 'demo.hello@global');
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

test('the Information tab shows the command line, working directory and environment names, never a value', async () => {
  await page.locator(tid('job-window-body')).waitFor();
  const argv = page.locator(tid('info-argv'));
  await argv.filter({ hasText: 'hello-marker' }).waitFor();
  assert.match((await argv.innerText()).trim(), /^sh -c 'echo hello-marker; echo "second \$LANG"' 'arg two'$/);
  assert.equal((await page.locator(tid('info-cwd')).innerText()).trim(), workDir);
  const env = page.locator(tid('info-env'));
  await env.filter({ hasText: 'SECRET_TOKEN' }).waitFor();
  assert.match(await env.innerText(), /LANG/);
  assert.ok(!(await page.content()).includes(ENV_VALUE), 'an environment value is on the page');
  await shot('information-desktop-light');
  for (const [name, size] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]] as const) {
    for (const colorScheme of ['light', 'dark'] as const) {
      if (name === 'desktop' && colorScheme === 'light') continue;
      const p = await otherPage({ ...size, colorScheme });
      await p.goto(`${server.url}/jobs?job=demo.hello@global`);
      await p.locator(tid('info-env')).filter({ hasText: 'SECRET_TOKEN' }).waitFor();
      await shot(`information-${name}-${colorScheme}`, p);
      await p.context().close();
    }
  }
});

test('Run now in the job window starts the row and opens its log, which shows its lines', async () => {
  await page.locator(tid('window-run')).click();
  await page.waitForURL((u) => u.searchParams.get('log') !== null);
  const id = new URL(page.url()).searchParams.get('log')!;
  await page.locator(`${tid('log-viewer')}[data-execution-id="${id}"]`).waitFor();
  await page.locator(tid('log-lines')).filter({ hasText: 'hello-marker' }).waitFor();
  await page.locator(tid('log-lines')).filter({ hasText: 'second C' }).waitFor();
  await page.locator(`${tid('log-status')}[data-status="SUCCESS"]`).waitFor();
});

test('times show seconds, how long ago, and the exact time on hover', async () => {
  const started = page.locator(tid('log-started'));
  await started.waitFor();
  // en-GB: 24-hour clock with seconds, e.g. "29 Nov 2026, 08:13:26 · now".
  assert.match(await started.innerText(), /\b\d{2}:\d{2}:\d{2}\b/);
  assert.doesNotMatch(await started.innerText(), /\b(AM|PM)\b/i);
  assert.match(await started.locator(tid('date-relative')).innerText(), /now|sec|min/);
  const title = (await started.getAttribute('title')) ?? '';
  assert.match(title, /\d{2}:\d{2}:\d{2}/);
  assert.match(title, /Coordinated Universal Time|UTC/);
  await shot('log-viewer-desktop-light');

  // The same in the executions tab of the job window under it.
  await page.keyboard.press('Escape');
  await page.locator(tid('log-viewer')).waitFor({ state: 'detached' });
  await page.locator(tid('tab-btn-executions')).click();
  const cell = page.locator(tid('exec-started')).first();
  await cell.waitFor();
  assert.match(await cell.innerText(), /\b\d{2}:\d{2}:\d{2}\b/);
  assert.match(await cell.locator(tid('date-relative')).innerText(), /now|sec|min/);
  assert.match((await cell.getAttribute('title')) ?? '', /\d{2}:\d{2}:\d{2}/);
  await shot('executions-desktop-light');
  await page.keyboard.press('Escape');
  await page.locator(tid('job-window-body')).waitFor({ state: 'detached' });
});

test('Cancel of a long command job asks first, says SIGTERM then SIGKILL after the grace, and ends CANCELLED', async () => {
  await page.goto(`${server.url}/jobs?job=demo.long@global`);
  await page.locator(tid('window-run')).click();
  await page.waitForURL((u) => u.searchParams.get('log') !== null);
  await page.locator(tid('log-lines')).filter({ hasText: 'long-started' }).waitFor();
  await page.locator(`${tid('log-status')}[data-status="IN_PROGRESS"]`).waitFor();

  // Run now while it runs: the row's answer is shown, like the list's per-row result.
  await page.locator(tid('log-run')).click();
  await page.locator(tid('log-message')).filter({ hasText: 'already running' }).waitFor();

  await page.locator(tid('log-cancel')).click();
  const dialog = page.getByRole('dialog').filter({ hasText: 'SIGKILL' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), new RegExp(`SIGTERM, then SIGKILL after ${GRACE_SECONDS} seconds`));
  await shot('cancel-confirm-desktop-light');
  await page.locator(tid('confirm-ok')).click();
  await page.locator(`${tid('log-status')}[data-status="CANCELLED"]`).waitFor();
  assert.equal(await page.locator(tid('log-cancel')).count(), 0, 'no Cancel once it has ended');
  await shot('cancelled-desktop-light');
  for (const colorScheme of ['light', 'dark'] as const) {
    const p = await otherPage({ width: 390, height: 844, colorScheme });
    await p.goto(page.url());
    await p.locator(`${tid('log-status')}[data-status="CANCELLED"]`).waitFor();
    await shot(`log-viewer-phone-${colorScheme}`, p);
    await p.context().close();
  }
});

test("a rule in another zone shows its times with that zone; cron summaries use the locale's clock", async () => {
  await gql.ok(`mutation { updateJob(jobId: "demo.long", domain: "global", input: { plan: { kind: SCHEDULED, rule: { kind: CRON, cron: "30 14 * * MON-FRI", timeZone: "Europe/Paris" } } }) { id } }`);
  await page.goto(`${server.url}/jobs?job=demo.long@global&tab=scheduling`);
  const current = page.locator(tid('sched-current'));
  await current.filter({ hasText: 'Europe/Paris' }).waitFor();
  // cronstrue says "At 02:30 PM"; en-GB reads 24-hour, like the time inputs.
  assert.match(await current.innerText(), /14:30/);
  assert.doesNotMatch(await current.innerText(), /\bPM\b/);
  const next = page.locator(tid('sched-next'));
  await next.filter({ hasText: '(Europe/Paris)' }).waitFor();
  assert.match(await next.innerText(), /14:30/);
  assert.match((await next.getAttribute('title')) ?? '', /Europe\/Paris/);
  await page.locator(tid('rule-next')).filter({ hasText: 'your time' }).waitFor();
  await shot('scheduling-zone-desktop-light');
});

test('the Mail page says SMTP is not configured and links each report to its log', async () => {
  await page.goto(`${server.url}/mail`);
  await page.locator(tid('mail-smtp-note')).filter({ hasText: 'Reports stay here: SMTP_URL is not set' }).waitFor();
  const link = page.locator(tid('mail-log-link')).first();
  await link.waitFor();
  await shot('mail-desktop-light');
  for (const [name, size] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]] as const) {
    const p = await otherPage({ ...size, colorScheme: 'dark' });
    await p.goto(`${server.url}/mail`);
    await p.locator(tid('mail-log-link')).first().waitFor();
    await shot(`mail-${name}-dark`, p);
    await p.context().close();
  }
  await link.click();
  await page.waitForURL((u) => u.pathname === '/jobs' && u.searchParams.get('job') === 'demo.hello@global' && u.searchParams.get('log') !== null);
  await page.locator(tid('log-lines')).filter({ hasText: 'hello-marker' }).waitFor();
});

test("the list's last execution shows its time with seconds and how long ago", async () => {
  await page.goto(`${server.url}/jobs`);
  const last = page.locator(`${tid('job-row-demo.hello@global')} ${tid('row-last')}`);
  await last.locator(tid('date-relative')).waitFor();
  assert.match(await last.innerText(), /\b\d{2}:\d{2}:\d{2}\b/);
  await shot('list-desktop-light');
});

test('no GraphQL answer the browser received carried an environment value', () => {
  assert.ok(answers.length > 0);
  assert.ok(answers.every((a) => !a.includes(ENV_VALUE)));
});
