/**
 * My account (/account) in a real browser (Chromium, built `.next`): the first administrator, whose
 * password was printed at first start, is asked on every page to change it; a wrong current password
 * is refused on its field, the right one ends his other sessions and the banner goes away; his own
 * sessions are listed (this one marked) and signed out one by one or all but this one. Phone, light
 * and dark, axe. Waits are on selectors, URLs and page state, never sleeps.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axe, blocking, countByImpact } from '../helpers/a11y';
import { Gql } from '../helpers/app';
import { MODES, closeBrowserTest, launchBrowser, screenshotPath, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
const FIRST = 'admin@localhost';
const NEW_PASSWORD = 'my-own-admin-password';

let server: ServerProcess;
let browser: Browser;
let printed: string;
const pageErrors: string[] = [];

async function newPage(opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC', locale: 'en-GB', ...opts });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return page;
}

async function signedIn(p: Page, path: string, email: string, password: string) {
  await p.goto(`${server.url}${path}`);
  await p.waitForURL(/\/login/);
  await p.locator(tid('login-email')).fill(email);
  await p.locator(tid('login-password')).fill(password);
  await p.locator(tid('login-submit')).click();
  await p.waitForURL((u) => u.pathname === path);
}

async function settled(p: Page) {
  await p.waitForFunction(() => document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity || a.playState !== 'running'));
}

before(async () => {
  // No ADMIN_EMAIL/ADMIN_PASSWORD: the first administrator gets a password printed once.
  server = await startServerProcess({ ADMIN_EMAIL: '', ADMIN_PASSWORD: '', DEFAULT_TIME_ZONE: 'UTC' });
  printed = /admin@localhost with password (\S+)/.exec(server.output())?.[1] ?? '';
  assert.ok(printed, 'the first start printed a password');
  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, pageErrors }));

test('the first administrator is asked to change his printed password; a wrong current one is refused on its field; the right one ends his other session and the banner', async () => {
  const elsewhere = await new Gql(server.url).login(FIRST, printed);
  const page = await newPage();
  await signedIn(page, '/jobs', FIRST, printed);
  const banner = page.locator(tid('password-banner'));
  await banner.getByText('Change your password.').waitFor();
  await page.screenshot({ path: screenshotPath('account-banner-jobs') });
  await banner.locator(tid('password-banner-link')).click();
  await page.waitForURL((u) => u.pathname === '/account');
  await banner.getByText('Use the form below.').waitFor();
  await page.locator(tid('session-current')).waitFor();
  assert.equal(await page.locator('[data-testid^="session-"][data-current]').count(), 2, 'this session and the other one');

  // The repeat must match before anything is sent.
  await page.locator(tid('current-password')).fill(printed);
  await page.locator(tid('new-password')).fill(NEW_PASSWORD);
  await page.locator(tid('repeat-password')).fill(`${NEW_PASSWORD}x`);
  await page.locator(tid('change-password')).click();
  await page.getByText('This is not the same as the new password.').waitFor();
  assert.equal(await page.locator(tid('repeat-password')).getAttribute('aria-invalid'), 'true');

  // A wrong current password: the server's answer, on that field.
  await page.locator(tid('current-password')).fill('not-the-printed-one');
  await page.locator(tid('repeat-password')).fill(NEW_PASSWORD);
  await page.locator(tid('change-password')).click();
  await page.getByText('This is not your current password.').waitFor();
  assert.equal(await page.locator(tid('current-password')).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator(tid('new-password')).getAttribute('aria-invalid'), 'false');
  await page.screenshot({ path: screenshotPath('account-wrong-current') });
  assert.equal((await elsewhere.ok('{ viewer { email } }')).viewer.email, FIRST, 'nothing changed');

  await page.locator(tid('current-password')).fill(printed);
  await page.locator(tid('change-password')).click();
  await page.locator(tid('password-changed')).waitFor();
  await banner.waitFor({ state: 'detached' });
  assert.equal((await elsewhere.ok('{ viewer { email } }')).viewer, null, 'the other session ended');
  await page.locator(tid('sessions-count')).getByText('Signed in here only.').waitFor();
  assert.equal(await page.locator('[data-testid^="session-"][data-current]').count(), 1);
  assert.equal(await page.locator(tid('current-password')).inputValue(), '', 'the form is emptied');

  // No banner on the other pages any more, and this session still works.
  await page.goto(`${server.url}/jobs`);
  await page.locator(tid('jobs-count')).filter({ hasText: /jobs?/ }).waitFor();
  assert.equal(await banner.count(), 0);
  await new Gql(server.url).login(FIRST, NEW_PASSWORD);
  await page.context().close();
});

test('my sessions: this one marked, another signed out, then everywhere else', async () => {
  const admin = await new Gql(server.url).login(FIRST, NEW_PASSWORD);
  await admin.ok('mutation { createDomain(name: "a.example") { name } }');
  await admin.ok('mutation { createUser(email: "sam@a.example", password: "long-enough-password", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }');
  const one = await new Gql(server.url).login('sam@a.example', 'long-enough-password');
  const two = await new Gql(server.url).login('sam@a.example', 'long-enough-password');
  const oneId = (await one.ok('{ sessions { id current } }')).sessions.find((s: { current: boolean }) => s.current).id as string;

  const page = await newPage();
  await signedIn(page, '/account', 'sam@a.example', 'long-enough-password');
  assert.equal(await page.locator(tid('password-banner')).count(), 0, 'a password he was given at creation raises no banner');
  const mine = page.locator('[data-testid^="session-"][data-current="true"]');
  await mine.locator(tid('session-current')).getByText('this session').waitFor();
  assert.match(await mine.locator(tid('session-browser')).innerText(), /^Chrome \d+ on Linux$/);
  assert.equal(await mine.locator(tid('session-end')).count(), 0, 'this session has no "Sign out" of its own');
  await page.locator(tid('sessions-count')).getByText('3 open sessions: this one and 2 elsewhere.').waitFor();
  assert.match(await page.locator(tid(`session-${oneId}`)).locator(tid('session-address')).innerText(), /127\.0\.0\.1/);
  await page.screenshot({ path: screenshotPath('account-sessions') });

  await page.locator(tid(`session-${oneId}`)).locator(tid('session-end')).click();
  await page.locator(tid(`session-${oneId}`)).waitFor({ state: 'detached' });
  assert.equal((await one.ok('{ viewer { email } }')).viewer, null, 'that session ended');
  assert.equal((await two.ok('{ viewer { email } }')).viewer.email, 'sam@a.example', 'the others stay');

  await page.locator(tid('sessions-end-others')).click();
  await page.locator(tid('sessions-count')).getByText('Signed in here only.').waitFor();
  assert.equal(await page.locator(tid('sessions-end-others')).count(), 0);
  assert.equal((await two.ok('{ viewer { email } }')).viewer, null);
  await page.goto(`${server.url}/account`);
  await page.locator(tid('session-current')).waitFor();
  await page.context().close();
});

test('the account page and the banner: desktop and phone, light and dark, with no serious accessibility violation', async () => {
  // An administrator-set password raises the banner too: sam gets one, and is shown in every mode.
  const admin = await new Gql(server.url).login(FIRST, NEW_PASSWORD);
  const sam = (await admin.ok('{ users(filter: { text: "sam@" }) { nodes { id } } }')).users.nodes[0].id;
  await admin.ok('mutation($id: ID!) { setPassword(userId: $id, password: "set-by-the-admin-again") }', { id: sam });
  for (const mode of MODES) {
    const page = await newPage({ viewport: mode.viewport, colorScheme: mode.colorScheme });
    await signedIn(page, '/account', 'sam@a.example', 'set-by-the-admin-again');
    await page.locator(tid('password-banner')).waitFor();
    await page.locator(tid('session-current')).waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${mode.name}: no horizontal scroll`);
    // Next streams a page's <title> after a client-side navigation (here: back from the sign-in page).
    await page.waitForFunction(() => /My account/.test(document.title));
    await settled(page);
    await page.screenshot({ path: screenshotPath(`account-${mode.name}`), fullPage: true });
    const findings = await axe(page);
    console.log(`/account ${mode.name}: ${JSON.stringify(countByImpact(findings))}`);
    assert.deepEqual(blocking(findings), [], `${mode.name}: ${JSON.stringify(blocking(findings), null, 1)}`);
    await page.context().close();
  }
});
