/**
 * The API explorer (GraphiQL 5) in a real browser (Chromium, built `.next`, NODE_ENV=production,
 * the console's CSP): it loads with its Monaco workers, runs `{ viewer { email } }` with the session
 * and shows the answer, opens the schema's documentation, and runs a subscription over graphql-ws.
 * The API tokens page links to it and shows a curl example with the token just created.
 * Waits are on selectors and text, never sleeps.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axe, blocking, countByImpact } from '../helpers/a11y';
import { ADMIN } from '../helpers/app';
import { MODES, closeBrowserTest, launchBrowser, screenshotPath, signInThrough, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 30_000;

let server: ServerProcess;
let browser: Browser;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

async function newPage(mode: (typeof MODES)[number] = MODES[0]) {
  const ctx = await browser.newContext({ viewport: mode.viewport, colorScheme: mode.colorScheme, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  return page;
}

const signInAt = (p: Page, path: string) => signInThrough(p, server.url, path, ADMIN.email, ADMIN.password);

const response = (p: Page) => p.locator('.graphiql-response');

before(async () => {
  server = await startServerProcess({ DEFAULT_TIME_ZONE: 'UTC' });
  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, pageErrors }));

test('the explorer loads, runs { viewer { email } } with the session and shows the answer; docs and a subscription work', async () => {
  const page = await newPage();
  await signInAt(page, '/api');
  const editor = page.locator('.graphiql-query-editor .view-lines');
  await editor.filter({ hasText: 'viewer' }).waitFor();
  await page.getByRole('button', { name: /Execute query/ }).click();
  await response(page).filter({ hasText: ADMIN.email }).waitFor();
  assert.match((await response(page).textContent()) ?? '', /"email":\s*"admin@example\.com"/);
  await page.screenshot({ path: screenshotPath('api-explorer-desktop-light') });

  // The schema's documentation, from introspection with the session.
  await page.getByRole('button', { name: /Show Documentation Explorer/ }).click();
  await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).first().waitFor();
  await page.locator('.graphiql-doc-explorer').getByText('Mutation', { exact: true }).first().waitFor();

  // A subscription over graphql-ws with the same session cookie.
  await page.locator('.graphiql-query-editor .monaco-editor').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText('subscription Beat { heartbeat(seconds: 1, count: 2) }');
  await editor.filter({ hasText: 'heartbeat' }).waitFor();
  await page.getByRole('button', { name: /Execute query/ }).click();
  await response(page).filter({ hasText: '"heartbeat"' }).waitFor();
  await page.context().close();
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(consoleErrors.filter((m) => /Content Security Policy|importScripts|Worker/i.test(m)), []);
});

test('the API tokens page links to the explorer and shows a curl example with the new token', async () => {
  const page = await newPage();
  await signInAt(page, '/tokens');
  await page.locator(tid('token-name')).fill('curl-demo');
  await page.locator(tid('token-create')).click();
  const token = ((await page.locator(tid('token-value')).textContent()) ?? '').trim();
  assert.match(token, /^jd_/);
  const curl = (await page.locator(tid('token-curl')).textContent()) ?? '';
  assert.ok(curl.includes(`Authorization: Bearer ${token}`), curl);
  assert.ok(curl.includes(`${server.url}/graphql`), curl);
  // The example works as shown (the same request, from here).
  const r = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { email role } }' }) });
  assert.deepEqual(await r.json(), { data: { viewer: { email: ADMIN.email, role: 'SYSTEM_ADMIN' } } });
  await page.getByRole('button', { name: 'Done' }).click();
  await page.locator(tid('tokens-explorer-link')).click();
  await page.waitForURL((u) => u.pathname === '/api');
  await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'viewer' }).waitFor();
  await page.context().close();
});

test('light and dark, desktop and phone: screenshots, no serious or critical axe finding on the page around the editor', async () => {
  for (const mode of MODES) {
    const page = await newPage(mode);
    await signInAt(page, '/api');
    await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'viewer' }).waitFor();
    await page.screenshot({ path: screenshotPath(`api-explorer-loaded-${mode.name}`) });
    await page.getByRole('button', { name: /Execute query/ }).click();
    await response(page).filter({ hasText: ADMIN.email }).waitFor();
    // GraphiQL's own tab bar (upstream markup: a role="tab" <li> holding its buttons) is the one
    // finding left, and nothing of ours: it is set aside here once shown to be only that.
    const tabsOnly = await page.evaluate(() => [...document.querySelectorAll('li')].filter((li) => li.querySelector('button, a')).every((li) => li.closest('.graphiql-tabs')));
    assert.ok(tabsOnly, 'the only <li> holding controls are GraphiQL tabs');
    const found = (await axe(page)).filter((f) => !(f.id === 'nested-interactive' && f.targets.every((t) => t === 'li')));
    console.log(`axe api ${mode.name}: ${JSON.stringify(countByImpact(found))} ${JSON.stringify(blocking(found).map((f) => [f.id, f.help, f.targets]))}`);
    await page.screenshot({ path: screenshotPath(`api-explorer-${mode.name}`) });
    assert.deepEqual(blocking(found), [], `${mode.name}: ${JSON.stringify(blocking(found), null, 1)}`);
    await page.context().close();
  }
});
