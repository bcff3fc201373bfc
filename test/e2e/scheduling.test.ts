/**
 * Pausing scheduling from the console, in a real browser (Chromium, built `.next`): the Scheduling
 * page pauses all scheduling with a reason and the banner appears on every page ("Scheduling paused
 * since 14:02 by … — upgrading the mail store"), for the domain administrator too; a domain is
 * paused from the picker; resume with "Skip them" / "Run missed occurrences once" clears it, and
 * another viewer's banner follows by polling. Desktop and phone, light and dark, checked by axe.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axe, blocking, countByImpact } from '../helpers/a11y';
import { ADMIN, Gql } from '../helpers/app';
import { MODES, closeBrowserTest, launchBrowser, screenshotPath, signInThrough, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
const REASON = 'upgrading the mail store';

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

async function settled(p: Page) {
  await p.waitForFunction(() => document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity || a.playState !== 'running'));
}

async function checkA11y(p: Page, what: string) {
  await settled(p);
  const found = await axe(p);
  console.log(`axe ${what}: ${JSON.stringify(countByImpact(found))}`);
  assert.deepEqual(blocking(found), [], `${what}: ${JSON.stringify(blocking(found), null, 1)}`);
}

async function noSidewaysScroll(p: Page, width: number, what: string) {
  const w = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= width, `${what}: no sideways scroll (${w})`);
}

before(async () => {
  server = await startServerProcess({ DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  await gql.ok('mutation { createDomains(names: ["a.example", "b.example"]) { name } }');
  await gql.ok('mutation { createUser(email: "da@b.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["b.example"]) { id } }');
  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, pageErrors }));

test('pause all from the Scheduling page: the banner shows on every page, to the domain administrator too; a domain paused from the picker; resume', async () => {
  const page = await newPage();
  await signInThrough(page, server.url, '/jobs', ADMIN.email, ADMIN.password);
  // Reached from the header's Administration menu.
  await page.locator(tid('nav-admin')).click();
  await page.locator(`[role="menu"] ${tid('nav-scheduling')}`).click();
  await page.waitForURL((u) => u.pathname === '/scheduling');
  await page.locator(tid('scheduling-all-status')).filter({ hasText: 'Running' }).waitFor();
  assert.equal(await page.locator(tid('scheduling-banner')).count(), 0);

  await page.locator(tid('scheduling-all-reason')).fill(`  ${REASON} `);
  await page.locator(tid('scheduling-pause-all')).click();
  await page.getByRole('dialog', { name: 'Pause all scheduling?' }).waitFor();
  await page.locator(tid('confirm-ok')).click();
  // At once, not at the next poll: the mutation's answer is what the banner reads.
  const banner = page.locator(tid('scheduling-banner'));
  await banner.filter({ hasText: `by ${ADMIN.email} — ${REASON}` }).waitFor({ timeout: 3000 });
  const since = (await gql.ok('{ scheduler { since } }')).scheduler.since as string;
  const hhmm = new Date(since).toISOString().slice(11, 16);
  assert.match((await page.locator(tid('scheduling-banner-headline')).textContent()) ?? '', new RegExp(`^Scheduling paused since ${hhmm} by admin@example\\.com$`));
  await page.locator(tid('scheduling-all-status')).filter({ hasText: 'Paused' }).waitFor();
  await settled(page);
  await page.screenshot({ path: screenshotPath('scheduling-paused-desktop-light'), fullPage: true });

  // Every page: the jobs list has it too.
  await page.goto(`${server.url}/jobs`);
  await banner.filter({ hasText: REASON }).waitFor();
  await page.locator(tid('scheduling-banner-link')).click();
  await page.waitForURL((u) => u.pathname === '/scheduling');

  // A domain from the picker, searched on the server.
  await page.locator(tid('scheduling-domain-picker')).fill('b.exa');
  await page.locator(`${tid('scheduling-domain-picker-options')} [role="option"]`).filter({ hasText: 'b.example' }).click();
  await page.locator(tid('scheduling-domain-reason')).fill('moving b to the new cluster');
  await page.locator(tid('scheduling-pause-domain')).filter({ hasText: 'Pause b.example' }).click();
  await page.locator(tid('paused-domain-b.example')).waitFor();
  await banner.filter({ hasText: '1 domain is also paused on its own' }).waitFor();
  assert.deepEqual((await gql.ok('{ scheduler { pausedDomains } }')).scheduler.pausedDomains, ['b.example']);

  // The domain administrator of b.example: his domain's own pause, named, on his pages; no other domain.
  const da = await newPage();
  await signInThrough(da, server.url, '/jobs', 'da@b.example', 'domain-admin-pass');
  const daBanner = da.locator(tid('scheduling-banner'));
  await daBanner.filter({ hasText: 'Scheduling of b.example paused since' }).filter({ hasText: 'moving b to the new cluster' }).waitFor();
  await da.screenshot({ path: screenshotPath('scheduling-banner-domain-admin-desktop-light') });
  await da.locator(tid('nav-admin')).click();
  await da.locator(`[role="menu"] ${tid('nav-scheduling')}`).waitFor();
  assert.equal(await da.locator(`[role="menu"] ${tid('nav-users')}`).count(), 0, 'only Scheduling for him');
  await da.keyboard.press('Escape');

  // Resume all, skipping the missed occurrences: b.example stays paused, the banner says so.
  await page.locator(tid('scheduling-resume-all')).click();
  const dialog = page.getByRole('dialog', { name: 'Resume all scheduling?' });
  await dialog.getByText('1 domain paused on its own stays paused.').waitFor();
  await settled(page);
  await page.screenshot({ path: screenshotPath('scheduling-resume-dialog-desktop-light') });
  await dialog.getByText('Skip them').click();
  await page.locator(tid('resume-confirm')).click();
  await banner.filter({ hasText: 'Scheduling of b.example paused.' }).waitFor({ timeout: 3000 });
  await page.locator(tid('scheduling-all-status')).filter({ hasText: 'Running' }).waitFor();

  // Then b.example, running its missed occurrences once: no banner left, and the other viewer's goes by polling.
  await page.locator(`${tid('paused-domain-b.example')} ${tid('paused-domain-resume')}`).click();
  await page.getByRole('dialog', { name: 'Resume scheduling of b.example?' }).waitFor();
  assert.ok(await page.locator(tid('resume-run-once')).isChecked(), 'run once is the default');
  await page.locator(tid('resume-confirm')).click();
  await banner.waitFor({ state: 'detached', timeout: 3000 });
  await page.locator(tid('scheduling-no-paused')).waitFor();
  await daBanner.waitFor({ state: 'detached', timeout: 20_000 });
  assert.deepEqual((await gql.ok('{ scheduler { paused pausedDomains } }')).scheduler, { paused: false, pausedDomains: [] });
  await da.context().close();
  await page.context().close();
});

test('the banner and the page on a phone and in dark mode: screenshots, no sideways scroll, no serious axe finding', async () => {
  await gql.ok('mutation($r: String) { pauseScheduling(reason: $r) { paused } }', { r: REASON });
  await gql.ok('mutation { pauseScheduling(domain: "a.example", reason: "a on its own") { paused } }');
  try {
    for (const mode of MODES) {
      const page = await newPage(mode);
      await signInThrough(page, server.url, '/jobs', ADMIN.email, ADMIN.password);
      await page.locator(tid('scheduling-banner')).filter({ hasText: REASON }).waitFor();
      await checkA11y(page, `jobs with the banner ${mode.name}`);
      await noSidewaysScroll(page, mode.viewport.width, `jobs ${mode.name}`);
      await page.screenshot({ path: screenshotPath(`scheduling-banner-${mode.name}`) });
      await page.goto(`${server.url}/scheduling`);
      await page.locator(tid('paused-domain-a.example')).waitFor();
      await checkA11y(page, `scheduling ${mode.name}`);
      await noSidewaysScroll(page, mode.viewport.width, `scheduling ${mode.name}`);
      await page.screenshot({ path: screenshotPath(`scheduling-page-${mode.name}`), fullPage: true });
      await page.locator(tid('scheduling-resume-all')).click();
      await page.getByRole('dialog', { name: 'Resume all scheduling?' }).waitFor();
      await checkA11y(page, `resume dialog ${mode.name}`);
      await page.screenshot({ path: screenshotPath(`scheduling-resume-${mode.name}`) });
      await page.context().close();
    }
  } finally {
    await gql.ok('mutation { resumeScheduling(missed: SKIP) { paused } }');
    await gql.ok('mutation { resumeScheduling(domain: "a.example", missed: SKIP) { paused } }');
  }
  assert.deepEqual(pageErrors, []);
});
