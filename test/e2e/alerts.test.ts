/**
 * The Alerts and Channels pages in a real browser (Chromium, built `.next`) against a real server
 * process: a command job that fails opens FAILED; the Alerts page shows it open with links to the
 * row and the run's log, acknowledges it, and the header's badge follows alertChanged with no
 * reload; the jobs list shows the row's alert; the job window's Alerts tab saves expectations; a
 * webhook channel is created in the dialog (with a generated secret) and "Send test" reaches a
 * real HTTP receiver, whose signature verifies; the delivery history shows the next alert's
 * delivery. Screenshots at phone width, light and dark; axe on both pages.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { axe, blocking, countByImpact } from '../helpers/a11y';
import { ADMIN, Gql } from '../helpers/app';
import { closeBrowserTest, launchBrowser, openPage, screenshotPath, signInThrough, tid } from '../helpers/browser';
import { Receiver } from '../helpers/receiver';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
let server: ServerProcess;
let browser: Browser;
let gql: Gql;
let tmp: string;
let hook: Receiver;
const pageErrors: string[] = [];

async function fail(jobId: string) {
  const r = (await gql.ok('mutation($j: [JobRef!]!) { executeNow(jobs: $j) { execution { id } } }', { j: [{ jobId, domain: 'global' }] })).executeNow[0];
  assert.equal(await gql.ended(r.execution.id), 'FAILURE');
  return r.execution.id as string;
}

async function noBlockingA11y(p: Page, what: string) {
  // Not judged by a button the last click left hovered.
  await p.mouse.move(0, 0);
  const findings = await axe(p);
  console.log(`axe ${what}: ${JSON.stringify(countByImpact(findings))}`);
  assert.deepEqual(blocking(findings), [], `${what}: serious or critical accessibility findings`);
}

before(async () => {
  hook = await new Receiver().start();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-alerts-e2e-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  const broken = (id: string) => ({ id, description: 'Always fails', kind: 'GLOBAL', command: ['sh', '-c', 'echo starting; echo "::error::disk full"; exit 1'] });
  writeFileSync(jobsFile, JSON.stringify({ jobs: [broken('ops.broken'), broken('ops.also-broken'), broken('ops.third')] }));
  server = await startServerProcess({ JOBS_FILE: jobsFile });
  gql = await new Gql(server.url).login();
  browser = await launchBrowser();
});
after(async () => {
  await closeBrowserTest({ browser, server, tmp, pageErrors });
  await hook?.stop();
});

test('Alerts page: an open alert with its links, acknowledge, the live badge, the jobs list icon, the Alerts tab', async () => {
  const exec = await fail('ops.broken');
  const p = await openPage(browser, pageErrors, { timeout: T });
  await signInThrough(p, server.url, '/alerts', ADMIN.email, ADMIN.password);
  const item = p.locator(`${tid('alerts-page')} [data-open="true"][data-kind="FAILED"]`).first();
  await item.waitFor();
  assert.match(await item.innerText(), /ops\.broken in global: failed/);
  assert.equal(await item.locator(tid('alert-log-link')).getAttribute('href'), `/jobs?job=ops.broken@global&log=${exec}`);
  assert.equal(await item.locator(tid('alert-job-link')).getAttribute('href'), '/jobs?job=ops.broken@global');
  await p.locator(`${tid('alert-badge')}[data-count="1"]`).waitFor();
  // The badge's re-read for the acknowledgement is answered (1 open) but held back in the browser
  // until another alert has opened and been pushed: the badge must not take that answer as the last
  // word (Apollo would join a re-read to the one on its way, and the badge would stay at 1).
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let held = 0;
  await p.route('**/graphql', async (route) => {
    if (held || !route.request().postData()?.includes('OpenAlertCount')) return route.fallback();
    held++;
    const response = await route.fetch();
    await gate;
    await route.fulfill({ response });
  });
  await item.locator(tid('alert-ack')).click();
  await item.locator(tid('alert-acknowledged')).waitFor();
  assert.match(await item.locator(tid('alert-acknowledged')).innerText(), /admin@example\.com/);

  // Another row fails while the page is open: the badge and the list follow, no reload.
  await fail('ops.also-broken');
  await p.locator(`${tid('alerts-page')} [data-open="true"]`).nth(1).waitFor();
  assert.equal(held, 1, 'the acknowledgement made the badge read again');
  release();
  await p.locator(`${tid('alert-badge')}[data-count="2"]`).waitFor();
  await p.unroute('**/graphql');
  await noBlockingA11y(p, 'alerts page');
  await p.screenshot({ path: screenshotPath('alerts-desktop-light'), fullPage: true });

  for (const colorScheme of ['light', 'dark'] as const) {
    const phone = await openPage(browser, pageErrors, { timeout: T, viewport: { width: 390, height: 844 }, colorScheme });
    await signInThrough(phone, server.url, '/alerts', ADMIN.email, ADMIN.password);
    await phone.locator(`${tid('alerts-page')} [data-open="true"]`).nth(1).waitFor();
    await phone.locator(`${tid('alert-badge')}[data-count="2"]`).waitFor();
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scroll on a phone (${width} px)`);
    await phone.screenshot({ path: screenshotPath(`alerts-phone-${colorScheme}`), fullPage: true });
    await phone.context().close();
  }

  // The jobs list shows the row's open alert.
  await p.goto(`${server.url}/jobs?q=ops.broken`);
  const icon = p.locator(`${tid('job-row-ops.broken@global')} ${tid('row-alert')}`);
  await icon.waitFor();
  assert.match((await icon.getAttribute('aria-label')) ?? '', /Open alert: Failed/);

  // The job window's Alerts tab: expectations saved through the API.
  await p.goto(`${server.url}/jobs?job=ops.broken@global&tab=alerts`);
  await p.locator(tid('tab-alerts')).waitFor();
  await p.locator(`${tid('expect-failuresBeforeAlert')}`).fill('3');
  await p.locator(`${tid('expect-maxDurationSeconds')}`).fill('600');
  await p.locator(tid('expect-save')).click();
  await p.getByText('Saved.').waitFor();
  const saved = (await gql.ok('{ job(jobId: "ops.broken", domain: "global") { expectations { maxDurationSeconds failuresBeforeAlert graceSeconds } } }')).job.expectations;
  assert.deepEqual(saved, { maxDurationSeconds: 600, failuresBeforeAlert: 3, graceSeconds: 60 });
  await p.context().close();
});

test('Channels page: create a webhook with a generated secret, Send test reaches the receiver, the delivery history', async () => {
  const p = await openPage(browser, pageErrors, { timeout: T });
  await signInThrough(p, server.url, '/channels', ADMIN.email, ADMIN.password);
  await p.locator(tid('channel-create')).click();
  await p.locator(tid('channel-name')).fill('On-call receiver');
  await p.locator(tid('channel-target')).fill(`${hook.url}/in`);
  await p.locator(tid('channel-secret-generate')).click();
  const secret = await p.locator(tid('channel-secret')).inputValue();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  await p.locator(tid('channel-save')).click();
  const card = p.locator(tid('channel-On-call receiver'));
  await card.waitFor();
  assert.equal(await card.locator(tid('channel-target-shown')).innerText(), `${hook.url}/…`, 'the URL is shown masked');

  await card.locator(tid('channel-test')).click();
  await card.locator(tid('channel-test-ok')).waitFor();
  const test = hook.at('/in')[0]!;
  const body = new Webhook(secret).verify(test.body, test.headers as Record<string, string>) as { type: string };
  assert.equal(body.type, 'alert.test');

  // A refusing receiver: the error says what it answered.
  hook.respond = () => ({ status: 410, body: 'gone' });
  await card.locator(tid('channel-test')).click();
  await card.locator(tid('channel-test-error')).waitFor();
  assert.match(await card.locator(tid('channel-test-error')).innerText(), /HTTP 410: gone/);
  hook.respond = () => ({ status: 200 });

  // The next alert is delivered and shows in the history (the page polls).
  await fail('ops.third');
  await hook.wait('the FAILED alert of ops.third', (r) => r.some((x) => x.body.includes('ops.third')));
  await p.reload();
  await card.locator(tid('channel-history')).click();
  await card.locator(`${tid('deliveries')} [data-status="DELIVERED"]`).first().waitFor();
  await noBlockingA11y(p, 'channels page');
  await p.screenshot({ path: screenshotPath('channels-desktop-light'), fullPage: true });

  for (const colorScheme of ['light', 'dark'] as const) {
    const phone = await openPage(browser, pageErrors, { timeout: T, viewport: { width: 390, height: 844 }, colorScheme });
    await signInThrough(phone, server.url, '/channels', ADMIN.email, ADMIN.password);
    await phone.locator(tid('channel-On-call receiver')).waitFor();
    await phone.locator(tid('channel-create')).click();
    await phone.getByRole('dialog').waitFor();
    await phone.screenshot({ path: screenshotPath(`channels-dialog-phone-${colorScheme}`) });
    await phone.keyboard.press('Escape');
    await phone.screenshot({ path: screenshotPath(`channels-phone-${colorScheme}`), fullPage: true });
    await phone.context().close();
  }
  await p.context().close();
});
