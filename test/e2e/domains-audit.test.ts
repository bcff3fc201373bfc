/**
 * The Domains and Audit pages in a real browser (Chromium, built `.next`, NODE_ENV=production):
 * a pasted list is counted before it is sent and answered "N created, M already existed"; a delete
 * states what goes with the domain before it happens; the audit trail filtered by action shows those
 * entries, with their details readable. Desktop and phone, light and dark, checked by axe.
 * Waits are on selectors and text, never sleeps.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axe, blocking, countByImpact } from '../helpers/a11y';
import { ADMIN, Gql } from '../helpers/app';
import { MODES, closeBrowserTest, launchBrowser, screenshotPath, signInThrough, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;

let server: ServerProcess;
let browser: Browser;
let gql: Gql;
const pageErrors: string[] = [];

async function newPage(mode: (typeof MODES)[number] = MODES[0]) {
  const ctx = await browser.newContext({ viewport: mode.viewport, colorScheme: mode.colorScheme, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return page;
}

const signInAt = (p: Page, path: string) => signInThrough(p, server.url, path, ADMIN.email, ADMIN.password);

async function settled(p: Page) {
  await p.waitForFunction(() => document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity || a.playState !== 'running'));
}

async function checkA11y(p: Page, what: string) {
  await settled(p);
  const found = await axe(p);
  console.log(`axe ${what}: ${JSON.stringify(countByImpact(found))}`);
  assert.deepEqual(blocking(found), [], `${what}: ${JSON.stringify(blocking(found), null, 1)}`);
}

before(async () => {
  server = await startServerProcess({ DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  await gql.ok('mutation { createDomains(names: ["old.example", "victim.example"]) { name } }');
  await gql.ok('mutation { createUser(email: "da@victim.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["victim.example"]) { id } }');
  const r = await gql.ok('mutation { executeNow(jobs: [{ jobId: "domain.activity-report", domain: "victim.example" }]) { execution { id } } }');
  const id = r.executeNow[0].execution.id;
  await gql.ended(id, T);
  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, pageErrors }));

test('domains: a paste of three names, one existing, is counted and answered "2 created, 1 already existed"; a delete states what goes', async () => {
  const page = await newPage();
  await signInAt(page, '/domains');
  await page.locator(tid('domain-row-old.example')).waitFor();
  await page.locator(tid('domains-names')).fill('Alpha.example, old.example\n  beta.example  alpha.example');
  await page.locator(tid('domains-count')).filter({ hasText: '3 names to send' }).waitFor();
  assert.equal(await page.locator(tid('domains-submit')).textContent(), 'Create 3 domains');
  await page.locator(tid('domains-submit')).click();
  await page.locator(tid('domains-result')).filter({ hasText: '2 created, 1 already existed' }).waitFor();
  await page.locator(tid('domain-row-alpha.example')).waitFor();
  await page.locator(tid('domain-row-beta.example')).waitFor();
  await page.screenshot({ path: screenshotPath('domains-created-desktop-light'), fullPage: true });

  // A bad name: named by the server, nothing created.
  await page.locator(tid('domains-names')).fill('gamma.example\nnot-a-domain!');
  await page.locator(tid('domains-submit')).click();
  await page.getByText('"not-a-domain!" is not a domain name', { exact: false }).waitFor();
  assert.equal((await gql.ok('{ domainList(text: "gamma") { totalCount } }')).domainList.totalCount, 0);

  // Search on the server.
  await page.locator(tid('domains-search')).fill('vict');
  await page.locator(tid('domains-total')).filter({ hasText: '1 domain match' }).waitFor();
  await page.locator(`${tid('domain-row-victim.example')} ${tid('domain-delete')}`).click();
  const dialog = page.getByRole('dialog', { name: 'Delete victim.example?' });
  await dialog.getByText('1 job row, 1 execution with their logs and 1 domain administrator go with victim.example').waitFor();
  await settled(page);
  await page.screenshot({ path: screenshotPath('domains-delete-confirm-desktop-light') });
  await page.locator(tid('confirm-ok')).click();
  await page.locator(tid('domains-notice')).filter({ hasText: 'victim.example was deleted.' }).waitFor();
  await page.locator(tid('domains-empty')).waitFor();
  const left = await gql.ok('{ domainList(text: "victim") { totalCount } users(filter: { text: "victim" }) { totalCount } }');
  assert.deepEqual([left.domainList.totalCount, left.users.totalCount], [0, 0]);
  await page.context().close();
});

test('audit: filtered by action it shows those entries, newest first, details expand to JSON', async () => {
  const page = await newPage();
  await signInAt(page, '/audit');
  await page.locator(tid('audit-entry')).first().waitFor();
  await page.locator(`${tid('audit-action')}`).fill('createDomains');
  await page.locator(`${tid('audit-entry')}[data-action="createDomains"]`).nth(1).waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="audit-entry"]')].every((e) => e.getAttribute('data-action') === 'createDomains'));
  const entries = page.locator(tid('audit-entry'));
  assert.equal(await entries.count(), 2, 'the seed and the paste');
  await entries.first().locator(tid('audit-details-toggle')).click();
  const details = entries.first().locator(tid('audit-details'));
  await details.filter({ hasText: '"created": 2' }).waitFor();
  assert.match((await details.textContent()) ?? '', /"names": \[\s+"alpha\.example",\s+"beta\.example"\s+\]/);
  await page.screenshot({ path: screenshotPath('audit-filtered-desktop-light'), fullPage: true });

  await page.locator(tid('audit-action')).fill('deleteDomain');
  await page.locator(`${tid('audit-entry')}[data-action="deleteDomain"]`).filter({ hasText: 'victim.example' }).waitFor();
  // A period that ends before it starts: the server's answer shows on the field.
  await page.locator(tid('audit-from')).fill('2026-02-01');
  await page.locator(tid('audit-to')).fill('2026-01-01');
  await page.getByText('The start of the period is after its end').waitFor();
  await page.context().close();
});

test('both pages in light and dark, desktop and phone: screenshots and no serious or critical axe finding', async () => {
  for (const mode of MODES) {
    const page = await newPage(mode);
    await signInAt(page, '/domains');
    await page.locator(tid('domain-row-old.example')).waitFor();
    await page.locator(tid('domains-names')).fill('one.example two.example');
    await page.locator(tid('domains-count')).filter({ hasText: '2 names to send' }).waitFor();
    await checkA11y(page, `domains ${mode.name}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= mode.viewport.width, `domains ${mode.name}: no sideways scroll (${width})`);
    await page.screenshot({ path: screenshotPath(`domains-${mode.name}`), fullPage: true });
    await page.locator(`${tid('domain-row-old.example')} ${tid('domain-delete')}`).click();
    await page.getByRole('dialog').getByText('go with old.example').waitFor();
    await checkA11y(page, `domains dialog ${mode.name}`);
    await page.screenshot({ path: screenshotPath(`domains-dialog-${mode.name}`) });
    await page.locator(tid('confirm-cancel')).click();

    await page.goto(`${server.url}/audit`);
    await page.locator(tid('audit-entry')).first().waitFor();
    await page.locator(tid('audit-details-toggle')).first().click();
    await page.locator(tid('audit-details')).first().waitFor();
    await checkA11y(page, `audit ${mode.name}`);
    const w2 = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w2 <= mode.viewport.width, `audit ${mode.name}: no sideways scroll (${w2})`);
    await page.screenshot({ path: screenshotPath(`audit-${mode.name}`), fullPage: true });
    await page.context().close();
  }
  assert.deepEqual(pageErrors, []);
});
