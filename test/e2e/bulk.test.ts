/**
 * Acting on a selection in a real browser (issue #15): the list filtered to one job (?jobId=), every
 * loaded row selected, "Select all N matching" beyond the loaded page, the bulk "Edit schedule /
 * report" dialog saying how many rows it will change before it does, its result; "Execute now" on
 * that selection with its counts; the job window's "Spread over" field and the row's own times.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axe, blocking } from '../helpers/a11y';
import { ADMIN, Gql } from '../helpers/app';
import { closeBrowserTest, launchBrowser, openPage, screenshotPath, signInThrough, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const N = 120;
let server: ServerProcess;
let browser: Browser;
let gql: Gql;
let tmp: string;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-bulk-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(jobsFile, JSON.stringify({
    jobs: [
      { id: 'acme.purge', description: 'Purges old mail', kind: 'PER_DOMAIN', command: ['true'],
        automatic: { kind: 'DAILY', days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], times: ['01:00'] } },
    ],
  }));
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  await gql.ok('mutation($n: [String!]!) { createDomains(names: $n) { name } }', { n: Array.from({ length: N }, (_, i) => `b${String(i).padStart(3, '0')}.example`) });
  browser = await launchBrowser();
  page = await openPage(browser, pageErrors, { viewport: { width: 1440, height: 900 } });
  await signInThrough(page, server.url, '/jobs?jobId=acme.purge', ADMIN.email, ADMIN.password);
  await page.locator(tid('jobs-table')).waitFor();
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

const purgeRows = () =>
  gql.ok<{ jobs: { totalCount: number; nodes: { domain: string; nextRunAt: string; plan: { kind: string; rule: { spreadMinutes: number | null } | null } }[] } }>(
    'query { jobs(filter: { jobId: "acme.purge" }, first: 500) { totalCount nodes { domain nextRunAt plan { kind rule { spreadMinutes } } } } }');

test('select all N matching beyond the loaded page; the bulk dialog says how many rows it changes, then changes them all', async () => {
  await page.locator(tid('jobid-filter')).filter({ hasText: 'acme.purge' }).waitFor();
  await page.locator(tid('jobs-count')).filter({ hasText: `${N} jobs` }).waitFor();
  // Only the first page is loaded: selecting what is shown offers the rest.
  await page.locator(tid('select-all')).first().check();
  const offer = page.locator(tid('select-all-matching'));
  await offer.filter({ hasText: `Select all ${N} matching` }).waitFor();
  await offer.click();
  await page.locator(tid('selection-status')).filter({ hasText: `All ${N} matching rows are selected.` }).waitFor();
  await page.locator(tid('execute-now')).filter({ hasText: `(${N})` }).waitFor();

  await page.locator(tid('bulk-edit')).click();
  const dialog = page.locator(tid('bulk-dialog'));
  await dialog.locator(tid('bulk-count')).filter({ hasText: `apply to ${N} rows` }).waitFor();
  // Scheduled (the default choice): daily at 01:00 on every day, spread over 3 hours.
  for (const d of ['SAT', 'SUN']) await dialog.locator(tid(`rule-day-${d}`)).check();
  await dialog.locator(`${tid('rule-spread')} input, input${tid('rule-spread')}`).first().fill('180');
  await dialog.locator(tid('rule-summary')).filter({ hasText: 'spread over 3 hours' }).waitFor();
  await page.screenshot({ path: screenshotPath('bulk-dialog') });
  await dialog.locator(tid('bulk-continue')).click();
  await dialog.locator(tid('bulk-question')).filter({ hasText: `Change the schedule of ${N} rows?` }).waitFor();
  await page.screenshot({ path: screenshotPath('bulk-confirm') });
  await dialog.locator(tid('bulk-apply')).filter({ hasText: `Change ${N} rows` }).click();
  await page.locator(tid('bulk-notice')).filter({ hasText: `${N} rows changed` }).waitFor();
  await dialog.waitFor({ state: 'detached' });

  const { jobs } = await purgeRows();
  assert.equal(jobs.totalCount, N);
  assert.ok(jobs.nodes.every((r) => r.plan.kind === 'SCHEDULED' && r.plan.rule?.spreadMinutes === 180), 'every row, loaded or not');
  assert.ok(new Set(jobs.nodes.map((r) => r.nextRunAt)).size > N / 2, 'each row at its own time');
  // The list shows the new plans.
  await page.locator(tid('jobs-table')).filter({ hasText: 'spread over 3 hours' }).first().waitFor();
  await page.screenshot({ path: screenshotPath('bulk-after') });
});

test('Execute now on "all matching" starts every row through executeSelection and shows the counts', async () => {
  await page.locator(tid('select-all')).first().check();
  await page.locator(tid('select-all-matching')).click();
  await page.locator(tid('execute-now')).filter({ hasText: `(${N})` }).click();
  await page.locator(tid('bulk-notice')).filter({ hasText: `${N} runs started` }).waitFor();
  const never = await gql.ok<{ jobs: { totalCount: number } }>('query { jobs(filter: { jobId: "acme.purge", neverRun: true }) { totalCount } }');
  assert.equal(never.jobs.totalCount, 0, 'every row has run (or runs)');
});

test('the job window: "Spread over" with its explanation, and the preview shows this row\'s own times', async () => {
  const { jobs } = await purgeRows();
  const row = jobs.nodes.find((r) => r.domain === 'b007.example')!;
  await page.goto(`${server.url}/jobs?jobId=acme.purge&job=acme.purge@b007.example&tab=scheduling`);
  const tab = page.locator(tid('tab-scheduling'));
  await tab.waitFor();
  const spread = tab.locator(`${tid('rule-spread')} input, input${tid('rule-spread')}`).first();
  assert.equal(await spread.inputValue(), '180');
  await tab.getByText('so thousands of rows do not start in the same second').waitFor();
  await tab.locator(tid('rule-row-times')).waitFor();
  // The preview's first time is this row's next run (the list's date format: compare the minute).
  const first = await tab.locator(`${tid('rule-next')} li`).first().innerText();
  const at = new Date(row.nextRunAt);
  const hhmm = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`;
  assert.ok(first.includes(hhmm), `${first} shows ${hhmm}`);
  await page.screenshot({ path: screenshotPath('job-window-spread') });
  // A spread as long as the rule's gap is refused on its field.
  await spread.fill('1440');
  await tab.locator(tid('rule-editor')).getByText('shortest gap').waitFor();
  assert.ok(await tab.locator(tid('sched-save')).isDisabled());
});

test('on a phone in dark mode: the same selection and dialog, full screen, keyboard-closable, no serious axe finding', async () => {
  const phone = await openPage(browser, pageErrors, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  await signInThrough(phone, server.url, '/jobs?jobId=acme.purge', ADMIN.email, ADMIN.password);
  await phone.locator(tid('jobs-cards')).waitFor();
  await phone.locator(tid('select-all')).first().check();
  await phone.locator(tid('select-all-matching')).click();
  await phone.locator(tid('bulk-edit')).filter({ hasText: `(${N})` }).click();
  const dialog = phone.locator(tid('bulk-dialog'));
  await dialog.locator(tid('bulk-count')).filter({ hasText: `${N} rows` }).waitFor();
  await dialog.locator(tid('bulk-change-report')).check();
  await dialog.locator(tid('bulk-plan-DISABLED')).check();
  // Transitions over: axe would measure half-transparent colours otherwise.
  await phone.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await phone.screenshot({ path: screenshotPath('bulk-dialog-phone-dark') });
  const findings = blocking(await axe(phone));
  assert.deepEqual(findings, [], JSON.stringify(findings, null, 2));
  await phone.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await phone.context().close();
});
