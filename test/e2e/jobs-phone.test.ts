/**
 * The jobs list on a phone (390×844) in a real browser (Chromium through playwright-core, built
 * `.next`): cards instead of a table, nothing wider than the screen, every action of a row reachable
 * (select, Execute now, open the job, open the log), the scheduling editor within the screen; and
 * after Execute now the selection is cleared and the "started" badge goes once the run has ended.
 * Waits are on selectors, URLs and page state, never sleeps.
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
const PHONE = { width: 390, height: 844 };

let server: ServerProcess;
let browser: Browser;
let tmp: string;
const pageErrors: string[] = [];

async function newPage(colorScheme: 'light' | 'dark', viewport = PHONE) {
  const ctx = await browser.newContext({ viewport, colorScheme, timezoneId: 'UTC', locale: 'en-GB', hasTouch: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${server.url}/jobs`);
  await page.locator(tid('login-email')).fill(ADMIN.email);
  await page.locator(tid('login-password')).fill(ADMIN.password);
  await page.locator(tid('login-submit')).click();
  await page.waitForURL((u) => u.pathname === '/jobs');
  return page;
}

/** The page itself never scrolls sideways (a table inside may, within its own box). */
async function assertNoSidewaysScroll(p: Page, where: string) {
  const { sw, w } = await p.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: window.innerWidth }));
  assert.ok(sw <= w, `${where}: page is ${sw}px wide on a ${w}px screen`);
}

/** Inside the element, nothing sticks out to the right (no sideways scrolling within it either). */
async function assertFits(p: Page, selector: string, where: string) {
  const over = await p.locator(selector).first().evaluate((root) => {
    const box = root.getBoundingClientRect();
    const out: string[] = [];
    if (root.scrollWidth > root.clientWidth + 1) out.push(`scrollWidth ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of root.querySelectorAll('input, button, [role="combobox"], label, .mantine-Input-wrapper')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > box.right + 1) out.push(`${el.tagName.toLowerCase()}[${el.getAttribute('data-testid') ?? el.textContent?.slice(0, 20)}] ends at ${Math.round(r.right)} > ${Math.round(box.right)}`);
    }
    return out;
  });
  assert.deepEqual(over, [], `${where}: ${over.join('; ')}`);
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-phone-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(jobsFile, JSON.stringify({ jobs: [
    // Long enough for its "started" badge and IN_PROGRESS state to be on screen.
    { id: 'demo.phone', description: 'Runs two seconds', kind: 'GLOBAL', command: ['sh', '-c', 'echo start; sleep 2; echo done'] },
    { id: 'demo.with-a-rather-long-identifier.nightly-maintenance', description: 'Long name', kind: 'PER_DOMAIN', command: ['echo', 'ok'] },
  ] }));
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  const gql = await new Gql(server.url).login();
  await gql.ok(`mutation { a: createDomain(name: "a-very-long-tenant-name.customers.example") { name } }`);
  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

test('at 390 px the list is cards with status, job, domain and next run, and the page never scrolls sideways', async () => {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await newPage(scheme);
    await page.locator(`${tid('jobs-scroll')}[data-layout="cards"]`).waitFor();
    assert.equal(await page.locator(tid('jobs-table')).count(), 0, 'no table on a phone');
    const card = page.locator(tid('job-row-demo.with-a-rather-long-identifier.nightly-maintenance@a-very-long-tenant-name.customers.example'));
    await card.waitFor();
    assert.equal(await card.getAttribute('role'), 'listitem');
    await card.locator(tid('status-icon')).waitFor();
    await card.locator(tid('job-open')).waitFor();
    await card.locator(tid('log-icon')).waitFor();
    await card.locator(tid('row-next')).waitFor({ state: 'attached' });
    await card.getByText('a-very-long-tenant-name.customers.example').waitFor();
    // The card itself stays within the screen, long names cut with an ellipsis.
    const box = await card.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, JSON.stringify(box));
    await assertNoSidewaysScroll(page, `jobs (${scheme})`);
    await page.screenshot({ path: screenshotPath(`jobs-phone-${scheme}`) });
    await page.context().close();
  }
  // At desktop size the same list is the table.
  const desk = await newPage('light', { width: 1280, height: 800 });
  await desk.locator(`${tid('jobs-scroll')}[data-layout="table"]`).waitFor();
  await desk.locator(tid('jobs-table')).waitFor();
  await desk.screenshot({ path: screenshotPath('jobs-desktop-light') });
  await desk.context().close();
});

test('Execute now from a card: selection cleared at once, "started" badge gone once the run ends', async () => {
  const page = await newPage('light');
  const card = page.locator(tid('job-row-demo.phone@global'));
  await card.waitFor();
  const box = card.locator(tid('row-checkbox'));
  await box.check();
  const execute = page.locator(tid('execute-now'));
  await execute.filter({ hasText: '(1)' }).waitFor();
  assert.ok(await execute.isVisible());
  await execute.click();

  // The run is on: the badge beside it, the row running, and nothing armed any more.
  await card.locator(tid('row-result')).filter({ hasText: /started/i }).waitFor();
  await page.locator(`${tid('job-row-demo.phone@global')}[data-running="true"]`).waitFor();
  assert.equal(await box.isChecked(), false, 'the row is no longer selected');
  assert.equal(await execute.isDisabled(), true, 'Execute now has nothing to act on');
  assert.equal(await page.locator(`${tid('jobs-cards')} [data-selected="true"]`).count(), 0);
  await page.screenshot({ path: screenshotPath('jobs-phone-started') });

  // The run ends: final status shown, the "started" badge gone with it.
  await card.locator(`${tid('status-icon')}[data-status="SUCCESS"]`).waitFor();
  await card.locator(tid('row-result')).waitFor({ state: 'detached' });
  // And it stays gone after a reload-free refresh of the list (the next page of data says the same).
  await page.locator(`${tid('job-row-demo.phone@global')}[data-running="false"]`).waitFor();
  assert.equal(await card.locator(tid('row-result')).count(), 0);
  await page.context().close();
});

test('from a card: the log opens, the job window opens, and its scheduling editor fits the screen', async () => {
  const page = await newPage('light');
  const card = page.locator(tid('job-row-demo.phone@global'));
  await card.waitFor();

  // The log (the previous test ran the job).
  await card.locator(tid('log-icon')).tap();
  await page.waitForURL(/[?&]log=/);
  await page.locator(`${tid('log-viewer')}[data-stream="done"]`).waitFor();
  await page.locator(tid('log-lines')).filter({ hasText: 'done' }).waitFor();
  await assertNoSidewaysScroll(page, 'log viewer');
  await page.keyboard.press('Escape');
  await page.waitForURL((u) => !u.searchParams.has('log'));

  // The job window, and its Scheduled rule in each of its shapes.
  await card.locator(tid('job-open')).tap();
  await page.waitForURL(/[?&]job=/);
  await page.locator(tid('tab-btn-scheduling')).tap();
  await page.getByRole('radio', { name: /^Scheduled/ }).check();
  await page.locator(tid('rule-editor')).waitFor();
  for (const kind of ['Every N minutes', 'Every N hours', 'Daily', 'Cron']) {
    await page.locator(tid('rule-kind')).click();
    await page.getByRole('option', { name: new RegExp(kind.replace('N', '.*'), 'i') }).first().click();
    await assertFits(page, tid('rule-editor'), `rule editor (${kind})`);
    await assertFits(page, '.mantine-Modal-body', `job window (${kind})`);
    await assertNoSidewaysScroll(page, `job window (${kind})`);
    if (kind === 'Daily') {
      await page.locator(tid('rule-editor')).screenshot({ path: screenshotPath('rule-editor-phone-daily') });
    }
  }
  await page.screenshot({ path: screenshotPath('rule-editor-phone-cron') });
  await page.context().close();
});
