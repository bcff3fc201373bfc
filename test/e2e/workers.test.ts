/**
 * The Workers page (/workers) in Chromium: the server's own worker is listed alive with its slots;
 * a run that waits for a gate file shows up under "Running now" with a link to its log, and leaves
 * the list when it ends (the page polls; waits are on selectors, never sleeps). Phone dark
 * screenshot and axe; a domain administrator is told the page is not his.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { axe, blocking } from '../helpers/a11y';
import { ADMIN, Gql } from '../helpers/app';
import { closeBrowserTest, launchBrowser, openPage, screenshotPath, signInThrough, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

let server: ServerProcess;
let browser: Browser;
let gql: Gql;
let tmp: string;
let gate: string;
const pageErrors: string[] = [];

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-workers-'));
  gate = path.join(tmp, 'gate');
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(jobsFile, JSON.stringify({ jobs: [
    { id: 'demo.gate', description: 'Waits for its gate', kind: 'GLOBAL', command: ['sh', '-c', `while [ ! -f '${gate}' ]; do sleep 0.05; done; echo through`] },
  ] }));
  server = await startServerProcess({ JOBS_FILE: jobsFile, WORKER_CONCURRENCY: '6' });
  gql = await new Gql(server.url).login();
  await gql.ok('mutation { createDomain(name: "a.example") { name } }');
  await gql.ok('mutation { createUser(email: "da@a.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }');
  browser = await launchBrowser();
});
after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

test('the Workers page: alive with its slots, what it runs now linked to its log, on a phone in dark mode', async () => {
  const page = await openPage(browser, pageErrors, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  await signInThrough(page, server.url, '/workers', ADMIN.email, ADMIN.password);
  const card = page.locator(`${tid('worker-card')}[data-state="alive"]`);
  await card.waitFor();
  assert.match((await card.textContent()) ?? '', /0 of 6 slots in use/);
  const [r] = (await gql.ok('mutation { executeNow(jobs: [{ jobId: "demo.gate", domain: "global" }]) { execution { id } } }')).executeNow;
  const run = card.locator(tid('worker-run'));
  await run.waitFor({ timeout: 15_000 });
  assert.match((await run.textContent()) ?? '', /demo\.gate · global/);
  assert.equal(await run.getAttribute('href'), `/jobs?job=demo.gate@global&log=${r.execution.id}`);
  assert.match((await card.textContent()) ?? '', /1 of 6 slots in use/);
  assert.match((await page.locator(tid('workers-summary')).textContent()) ?? '', /1 worker alive of 1 seen in the last 24 hours · 1 of 6 slots in use/);
  await page.screenshot({ path: screenshotPath('workers-phone-dark'), fullPage: true });
  const bad = blocking(await axe(page));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help}`), []);
  writeFileSync(gate, 'go');
  await run.waitFor({ state: 'detached', timeout: 15_000 });
  assert.match((await card.textContent()) ?? '', /Nothing\./);
  await page.context().close();
});

test('the Administration menu offers Workers to system administrators only; a domain administrator is told the page is not his', async () => {
  const adminPage = await openPage(browser, pageErrors);
  await signInThrough(adminPage, server.url, '/dashboard', ADMIN.email, ADMIN.password);
  await adminPage.locator(tid('nav-admin')).click();
  await adminPage.getByRole('menu').locator(tid('nav-workers')).click();
  await adminPage.waitForURL((u) => u.pathname === '/workers');
  await adminPage.locator(tid('worker-card')).first().waitFor();
  await adminPage.context().close();
  const page = await openPage(browser, pageErrors);
  await signInThrough(page, server.url, '/workers', 'da@a.example', 'domain-admin-pass');
  await page.getByText('System administrators only').waitFor();
  assert.equal(await page.locator(tid('worker-card')).count(), 0);
  // His Administration menu (his domain's scheduling) has no Workers entry.
  if (await page.locator(tid('nav-admin')).count()) {
    await page.locator(tid('nav-admin')).click();
    await page.getByRole('menu').waitFor();
    assert.equal(await page.getByRole('menu').locator(tid('nav-workers')).count(), 0);
  }
  await page.context().close();
});
