/**
 * Resources in a real browser (Chromium, built `.next`, NODE_ENV=production): a run that waits for
 * a resource shows an hourglass in the jobs list ("Waiting for mail-store, 1 of 1 in use", its
 * accessible name and hover text) and the same in its log viewer's header, gone once it runs; the
 * Resources panel (Administration menu) shows capacity, in use and waiting, and a new capacity saved
 * there starts the waiting run at once. Desktop and phone, light and dark, checked by axe.
 * Waits are on selectors and text, never sleeps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axe, blocking, countByImpact } from '../helpers/a11y';
import { ADMIN, Gql } from '../helpers/app';
import { MODES, closeBrowserTest, launchBrowser, screenshotPath, signInThrough, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-resources-e2e-'));
const jobsFile = path.join(tmp, 'jobs.json');
writeFileSync(jobsFile, JSON.stringify({
  resources: { 'mail-store': { capacity: 1 } },
  jobs: [{ id: 'acme.mailbox-sync', description: 'Syncs the mailboxes of a domain', kind: 'PER_DOMAIN', command: ['sleep', '60'], locks: ['mail-store'] }],
}));

let server: ServerProcess;
let browser: Browser;
let gql: Gql;
const pageErrors: string[] = [];
const ids: Record<string, string> = {};

async function newPage(mode: (typeof MODES)[number] = MODES[0]) {
  const ctx = await browser.newContext({ viewport: mode.viewport, colorScheme: mode.colorScheme, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return page;
}
const signInAt = (p: Page, at: string) => signInThrough(p, server.url, at, ADMIN.email, ADMIN.password);

async function checkA11y(p: Page, what: string) {
  await p.waitForFunction(() => document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity || a.playState !== 'running'));
  const found = await axe(p);
  console.log(`axe ${what}: ${JSON.stringify(countByImpact(found))}`);
  assert.deepEqual(blocking(found), [], `${what}: ${JSON.stringify(blocking(found), null, 1)}`);
}

async function start(domain: string) {
  const r = await gql.ok('mutation($j: [JobRef!]!) { executeNow(jobs: $j) { reason execution { id } } }', { j: [{ jobId: 'acme.mailbox-sync', domain }] });
  assert.equal(r.executeNow[0].reason, null);
  return (ids[domain] = r.executeNow[0].execution.id as string);
}
/** API polling for setup only (the browser's waits are on the page). */
async function until(what: string, fn: () => Promise<boolean>) {
  const deadline = Date.now() + T;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const waitingFor = async (id: string) => (await gql.ok('query($id: ID!) { execution(id: $id) { waitingFor } }', { id })).execution.waitingFor as string | null;
const usage = async () => (await gql.ok('{ resources { name capacity inUse waiting } }')).resources.find((r: { name: string }) => r.name === 'mail-store');

before(async () => {
  server = await startServerProcess({ DEFAULT_TIME_ZONE: 'UTC', JOBS_FILE: jobsFile });
  gql = await new Gql(server.url).login();
  await gql.ok('mutation { createDomains(names: ["alpha.example", "bravo.example", "charlie.example"]) { name } }');
  await start('alpha.example');
  await until('alpha to hold the mail store', async () => (await usage()).inUse === 1);
  await start('bravo.example');
  await until('bravo to wait', async () => (await waitingFor(ids['bravo.example']!)) === 'mail-store');
  browser = await launchBrowser();
});

after(async () => {
  for (const id of Object.values(ids)) await gql?.query('mutation($id: ID!) { cancelExecution(id: $id) { id } }', { id }).catch(() => undefined);
  await closeBrowserTest({ browser, server, pageErrors, tmp });
});

test('the jobs list: an hourglass on the waiting row says what it waits for and how full it is', async () => {
  for (const mode of [MODES[0], MODES[3]]) {
    const page = await newPage(mode);
    await signInAt(page, '/jobs');
    const waiting = page.locator(`${tid('job-row-acme.mailbox-sync@bravo.example')} ${tid('waiting-icon')}`);
    // The label names the resource at once, and how full it is once the usage has been read.
    await page.locator(`${tid('job-row-acme.mailbox-sync@bravo.example')} [aria-label="Waiting for mail-store, 1 of 1 in use"]`).waitFor();
    assert.equal(await waiting.getAttribute('aria-label'), 'Waiting for mail-store, 1 of 1 in use');
    assert.equal(await waiting.locator('title').textContent(), 'Waiting for mail-store, 1 of 1 in use');
    assert.equal(await page.getByRole('img', { name: 'Waiting for mail-store, 1 of 1 in use' }).count(), 1);
    // The holder has none.
    assert.equal(await page.locator(`${tid('job-row-acme.mailbox-sync@alpha.example')} ${tid('waiting-icon')}`).count(), 0);
    await page.locator(tid('job-row-acme.mailbox-sync@bravo.example')).scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath(`resources-waiting-row-${mode.name}`) });
    if (mode === MODES[0]) await checkA11y(page, `jobs list with a waiting run (${mode.name})`);
    await page.context().close();
  }
});

test('the Resources panel: capacity, in use and waiting; Save a new capacity and the waiting run starts', async () => {
  const page = await newPage();
  await signInAt(page, '/jobs');
  await page.locator(tid('nav-admin')).click();
  await page.locator(tid('nav-resources')).click();
  await page.waitForURL((u) => u.pathname === '/resources');
  const res = page.locator(tid('resource-mail-store'));
  await res.locator(tid('resource-usage')).filter({ hasText: '1 of 1 in use' }).waitFor();
  assert.equal(await res.locator(tid('resource-waiting')).textContent(), '1 run waiting');
  assert.equal(await res.getByRole('progressbar', { name: '1 of 1 in use' }).count(), 1);
  await page.screenshot({ path: screenshotPath('resources-panel-before-desktop-light'), fullPage: true });
  await checkA11y(page, 'resources panel');

  const input = res.getByRole('textbox', { name: 'Capacity of mail-store' });
  await input.fill('2');
  await res.getByRole('button', { name: 'Save the capacity of mail-store' }).click();
  await res.locator(tid('capacity-saved')).filter({ hasText: 'Capacity set to 2.' }).waitFor();
  // Acted at once: the waiting run holds now, and the panel says so.
  await res.locator(tid('resource-usage')).filter({ hasText: '2 of 2 in use' }).waitFor();
  assert.equal(await res.locator(tid('resource-waiting')).count(), 0);
  assert.equal(await waitingFor(ids['bravo.example']!), null);
  await page.screenshot({ path: screenshotPath('resources-panel-after-desktop-light'), fullPage: true });

  // A value the API refuses never leaves the page.
  await input.fill('20000');
  await res.getByRole('button', { name: 'Save the capacity of mail-store' }).click();
  await res.getByText('Give a whole number from 0 to 10,000.').waitFor();
  assert.equal((await usage()).capacity, 2);
  await page.context().close();

  for (const mode of MODES.slice(1)) {
    const p = await newPage(mode);
    await signInAt(p, '/resources');
    await p.locator(tid('resource-mail-store')).locator(tid('resource-usage')).filter({ hasText: '2 of 2 in use' }).waitFor();
    await p.screenshot({ path: screenshotPath(`resources-panel-${mode.name}`), fullPage: true });
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${mode.name}: the page scrolls sideways by ${overflow} px`);
    if (mode.name === 'phone-dark') await checkA11y(p, `resources panel (${mode.name})`);
    await p.context().close();
  }
});

test('the log viewer\'s header says what the run waits for, until it runs', async () => {
  const id = await start('charlie.example');
  await until('charlie to wait', async () => (await waitingFor(id)) === 'mail-store');
  const page = await newPage();
  await signInAt(page, `/jobs?job=acme.mailbox-sync@charlie.example&log=${id}`);
  const header = page.locator(`${tid('log-viewer')} ${tid('log-waiting')}`);
  await header.filter({ hasText: 'Waiting for mail-store, 2 of 2 in use' }).waitFor();
  assert.equal(await header.getByRole('img', { name: 'Waiting for mail-store, 2 of 2 in use' }).count(), 1);
  await page.locator(tid('log-viewer')).getByText('Waiting for mail-store (2 of 2 in use).').waitFor();
  await page.screenshot({ path: screenshotPath('resources-log-waiting-desktop-light') });
  // Another session frees a slot: the header follows the execution live.
  await gql.ok('mutation($id: ID!) { cancelExecution(id: $id) { id } }', { id: ids['alpha.example']! });
  await header.waitFor({ state: 'detached' });
  assert.equal(await waitingFor(id), null);
  await page.context().close();
});
