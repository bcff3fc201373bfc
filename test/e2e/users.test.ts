/**
 * The Users page (/users) in a real browser (Chromium, built `.next`): a system administrator
 * creates a domain administrator with a domain picked from the picker, filters the list through the
 * URL, disables him (his open page says "You were signed out"), sets his password and deletes him
 * after a confirmation; a domain administrator is told he is not allowed; phone cards, light and
 * dark, axe. (Its latency with 10,000 users: users-latency.test.ts.)
 * Waits are on selectors, URLs and page state, never sleeps.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axe, blocking, countByImpact } from '../helpers/a11y';
import { ADMIN, Gql } from '../helpers/app';
import { MODES, closeBrowserTest, launchBrowser, screenshotPath, tid, openPage, type PageOptions, signInThrough } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
const PASSWORD = 'long-enough-password';

let server: ServerProcess;
let browser: Browser;
let gql: Gql;
const pageErrors: string[] = [];

const row = (p: Page, email: string) => p.locator(tid(`user-row-${email}`));

const newPage = (o: PageOptions = {}) => openPage(browser, pageErrors, { timeout: T, ...o });

/** Opens `path`, signs in on the page it redirects to, and waits to be back. */
const signedIn = (p: Page, path: string, email = ADMIN.email, password = ADMIN.password) => signInThrough(p, server.url, path, email, password);

/** Transitions (a modal fading in) are over: axe would measure half-transparent colours otherwise. */
async function settled(p: Page) {
  await p.waitForFunction(() => document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity || a.playState !== 'running'));
}

async function menu(p: Page, email: string, item: string) {
  await row(p, email).locator(tid('user-actions')).click();
  await p.locator(tid(item)).click();
}

const mkUser = (email: string, role: string, domains: string[]) =>
  gql.ok('mutation($e: String!, $p: String!, $r: Role!, $d: [String!]!) { createUser(email: $e, password: $p, role: $r, domains: $d) { id } }', { e: email, p: PASSWORD, r: role, d: domains });

before(async () => {
  server = await startServerProcess({ DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  for (const d of ['a', 'b', 'c', 'd', 'e']) await gql.ok('mutation($n: String!) { createDomain(name: $n) { name } }', { n: `${d}.example` });
  await mkUser('bea@b.example', 'DOMAIN_ADMIN', ['b.example']);
  await mkUser('sup@b.example', 'SYSTEM_ADMIN', ['b.example', 'c.example', 'd.example', 'e.example', 'a.example']);
  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, pageErrors }));

test('create a domain administrator with a picked domain, filter, disable (his page is signed out), set his password, delete him', async () => {
  const page = await newPage();
  await signedIn(page, '/users');
  await row(page, ADMIN.email).waitFor();
  // "all" for a system administrator of every domain, three domains and "+2" for one of five.
  assert.equal(await row(page, ADMIN.email).locator(tid('user-domains')).innerText(), 'all');
  assert.equal((await row(page, 'sup@b.example').locator(tid('user-domains')).innerText()).replace(/\s+/g, ' '), 'a.example, b.example, c.example +2');
  await page.locator(tid('users-count')).filter({ hasText: '3 users' }).waitFor();

  // Create: the server's answers land next to the field they name.
  await page.locator(tid('user-new')).click();
  const dialog = page.locator(tid('user-dialog'));
  await dialog.locator(tid('user-email')).fill('bea@b.example');
  await dialog.locator(tid('user-password')).fill('short');
  await dialog.locator(tid('user-role')).getByText('Domain admin').click();
  await dialog.locator(tid('user-domain')).fill('a.ex');
  await page.locator(tid('user-domain-options')).getByRole('option', { name: 'a.example', exact: true }).click();
  assert.equal(await dialog.locator(tid('user-domain')).inputValue(), 'a.example');
  await dialog.locator(tid('user-save')).click();
  await dialog.getByText('Use a password of 12 to 256 characters.').waitFor();
  assert.equal(await dialog.locator(tid('user-password')).getAttribute('aria-invalid'), 'true', 'on the password field');
  await dialog.locator(tid('user-password')).fill(PASSWORD);
  await dialog.locator(tid('user-save')).click();
  await dialog.getByText('A user bea@b.example already exists.').waitFor();
  assert.equal(await dialog.locator(tid('user-email')).getAttribute('aria-invalid'), 'true', 'on the email field');
  await dialog.locator(tid('user-email')).fill('dana@a.example');
  await page.screenshot({ path: screenshotPath('users-create-dialog') });
  await dialog.locator(tid('user-save')).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator(tid('users-notice')).getByText('dana@a.example was created.').waitFor();
  await row(page, 'dana@a.example').waitFor();
  assert.equal(await row(page, 'dana@a.example').locator(tid('user-domains')).innerText(), 'a.example');
  const created = (await gql.ok('{ users(filter: { text: "dana" }) { nodes { role domains } } }')).users.nodes;
  assert.deepEqual(created, [{ role: 'DOMAIN_ADMIN', domains: ['a.example'] }]);

  // Filters go to the URL, one history entry each; Back returns to the previous one.
  await page.locator(tid('users-search')).fill('b.example');
  await page.waitForURL((u) => u.searchParams.get('q') === 'b.example');
  await page.locator(tid('users-count')).filter({ hasText: /^2 users$/ }).waitFor();
  await page.locator(tid('users-role')).click();
  await page.getByRole('option', { name: 'Domain admin' }).click();
  await page.waitForURL((u) => u.searchParams.get('role') === 'DOMAIN_ADMIN' && u.searchParams.get('q') === 'b.example');
  await page.locator(tid('users-count')).filter({ hasText: /^1 user$/ }).waitFor();
  await row(page, 'sup@b.example').waitFor({ state: 'detached' });
  assert.deepEqual(await page.locator('[data-testid^="user-row-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))), ['user-row-bea@b.example']);
  await page.goBack();
  await page.waitForURL((u) => u.searchParams.get('role') === null && u.searchParams.get('q') === 'b.example');
  await row(page, 'sup@b.example').waitFor();
  assert.equal(await page.locator(tid('users-search')).inputValue(), 'b.example');
  await page.goto(`${server.url}/users?domain=b.example&state=enabled`);
  await page.locator(tid('users-count')).filter({ hasText: '2 users' }).waitFor();
  assert.equal(await page.locator(tid('users-domain')).inputValue(), 'b.example', 'the picker shows the URL\'s domain');
  await page.locator(tid('users-domain')).click();
  await page.locator(tid('users-domain-options')).getByRole('option', { name: 'a.example', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get('domain') === 'a.example');
  await page.locator(tid('users-count')).filter({ hasText: '2 users' }).waitFor();
  await row(page, 'dana@a.example').waitFor();

  // Role and domains: a system administrator of a list of domains (never an empty one by mistake),
  // then a domain administrator again, his one domain shown in the single picker.
  await menu(page, 'dana@a.example', 'user-edit');
  const edit = page.locator(tid('user-dialog'));
  await edit.locator(tid('user-role')).getByText('System admin').click();
  await edit.locator(tid('user-domains-chosen')).getByText('a.example').waitFor();
  await edit.getByRole('button', { name: 'Remove a.example' }).click();
  await edit.locator(tid('user-save')).click();
  await edit.getByText('Pick at least one domain, or switch on “All domains”.').waitFor();
  await edit.locator(tid('user-domain')).fill('b.ex');
  await page.locator(tid('user-domain-options')).getByRole('option', { name: 'b.example', exact: true }).click();
  await edit.locator(tid('user-domain')).fill('a.ex');
  await page.locator(tid('user-domain-options')).getByRole('option', { name: 'a.example', exact: true }).click();
  await edit.locator(tid('user-domains-chosen')).getByText('b.example').waitFor();
  await edit.locator(tid('user-save')).click();
  await edit.waitFor({ state: 'detached' });
  await row(page, 'dana@a.example').getByText('System admin').waitFor();
  assert.equal((await row(page, 'dana@a.example').locator(tid('user-domains')).innerText()).replace(/\s+/g, ' '), 'a.example, b.example');
  await menu(page, 'dana@a.example', 'user-edit');
  await edit.locator(tid('user-role')).getByText('Domain admin').click();
  assert.equal(await edit.locator(tid('user-domain')).inputValue(), 'a.example');
  await edit.locator(tid('user-save')).click();
  await edit.waitFor({ state: 'detached' });
  await row(page, 'dana@a.example').getByText('Domain admin').waitFor();
  assert.deepEqual((await gql.ok('{ users(filter: { text: "dana" }) { nodes { role domains } } }')).users.nodes, [{ role: 'DOMAIN_ADMIN', domains: ['a.example'] }]);

  // Disable: his open page (live updates over the WebSocket) says he was signed out, at once.
  const his = await newPage();
  await signedIn(his, '/jobs', 'dana@a.example', PASSWORD);
  await his.locator(tid('jobs-count')).filter({ hasText: /jobs?/ }).waitFor();
  await menu(page, 'dana@a.example', 'user-toggle');
  await his.locator(tid('signed-out')).getByText('You were signed out').waitFor();
  await his.screenshot({ path: screenshotPath('users-disabled-signed-out') });
  // The list was filtered on enabled users: he left it.
  await row(page, 'dana@a.example').waitFor({ state: 'detached' });
  await page.locator(tid('users-state')).click();
  await page.getByRole('option', { name: 'Disabled' }).click();
  await page.waitForURL((u) => u.searchParams.get('state') === 'disabled');
  await page.locator(`${tid('user-row-dana@a.example')}[data-state="disabled"]`).waitFor();
  assert.equal(await row(page, 'dana@a.example').locator(tid('user-state')).textContent(), 'Disabled');
  await menu(page, 'dana@a.example', 'user-toggle');
  await page.locator(tid('users-notice')).getByText('dana@a.example is enabled.').waitFor();
  await his.context().close();

  // A new password: a short one is refused on its field; then his sessions end and he must change it.
  await page.goto(`${server.url}/users?q=dana`);
  await menu(page, 'dana@a.example', 'user-set-password');
  await page.locator(tid('set-password-input')).fill('short');
  await page.locator(tid('set-password-save')).click();
  await page.getByText('Use a password of 12 to 256 characters.').waitFor();
  assert.equal(await page.locator(tid('set-password-input')).getAttribute('aria-invalid'), 'true');
  await page.locator(tid('set-password-input')).fill('chosen-by-the-admin');
  await page.locator(tid('set-password-save')).click();
  await page.locator(tid('users-notice')).getByText('dana@a.example has a new password; his sessions ended.').waitFor();
  const dana = await new Gql(server.url).login('dana@a.example', 'chosen-by-the-admin');
  assert.deepEqual((await dana.ok('{ viewer { mustChangePassword } }')).viewer, { mustChangePassword: true });

  // Delete: asked first; "Keep" keeps him.
  await menu(page, 'dana@a.example', 'user-delete');
  await page.getByRole('dialog').getByText('dana@a.example will be removed').waitFor();
  await settled(page);
  await page.screenshot({ path: screenshotPath('users-delete-confirm') });
  await page.locator(tid('confirm-cancel')).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await row(page, 'dana@a.example').waitFor();
  await menu(page, 'dana@a.example', 'user-delete');
  await page.locator(tid('confirm-ok')).click();
  await page.locator(tid('users-notice')).getByText('dana@a.example was deleted.').waitFor();
  await page.locator(tid('users-empty')).getByText('No user matches these filters.').waitFor();
  assert.equal((await gql.ok('{ users(filter: { text: "dana" }) { totalCount } }')).users.totalCount, 0);
  assert.equal((await dana.ok('{ viewer { email } }')).viewer, null, 'his session went with him');
  await page.context().close();
});

test('a domain administrator is told he is not allowed', async () => {
  const page = await newPage();
  await signedIn(page, '/users', 'bea@b.example', PASSWORD);
  await page.locator(tid('users-not-allowed')).getByRole('heading', { name: 'Not allowed' }).waitFor();
  assert.equal(await page.locator(tid('users-table')).count(), 0);
  await page.screenshot({ path: screenshotPath('users-not-allowed') });
  await page.context().close();
});

test('desktop table and phone cards, light and dark, with no serious accessibility violation', async () => {
  for (const mode of MODES) {
    const page = await newPage({ viewport: mode.viewport, colorScheme: mode.colorScheme });
    await signedIn(page, '/users');
    const layout = mode.viewport.width < 700 ? 'cards' : 'table';
    await page.locator(`[data-layout="${layout}"]`).waitFor();
    await row(page, 'sup@b.example').waitFor();
    // Nothing wider than the screen: no sideways scrolling on a phone.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${mode.name}: no horizontal scroll`);
    // Next streams a page's <title> after a client-side navigation (here: back from the sign-in page).
    await page.waitForFunction(() => /Users/.test(document.title));
    await settled(page);
    await page.screenshot({ path: screenshotPath(`users-${mode.name}`), fullPage: true });
    const findings = await axe(page);
    console.log(`/users ${mode.name}: ${JSON.stringify(countByImpact(findings))}`);
    assert.deepEqual(blocking(findings), [], `${mode.name}: ${JSON.stringify(blocking(findings), null, 1)}`);

    await page.locator(tid('user-new')).click();
    await page.locator(tid('user-dialog')).waitFor();
    await settled(page);
    await page.screenshot({ path: screenshotPath(`users-dialog-${mode.name}`) });
    const inDialog = await axe(page);
    assert.deepEqual(blocking(inDialog), [], `${mode.name} dialog: ${JSON.stringify(blocking(inDialog), null, 1)}`);
    await page.context().close();
  }
});
