/**
 * The console under its Content Security Policy (issue #12), in a real browser against the built
 * console (`npm run build` first): it signs in, lists the jobs, opens its live WebSocket, navigates
 * and reloads without one violation; and `next` never leads off the console's origin after sign-in.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN } from '../helpers/app';
import { launchBrowser, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;

let server: ServerProcess;
let browser: Browser;
/** Everything the pages said about the policy, and every uncaught error. */
const violations: string[] = [];
const pageErrors: string[] = [];
/** Requests that tried to leave for the attacker's host (aborted, never sent). */
const offsite: string[] = [];

before(async () => {
  server = await startServerProcess();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext();
  await ctx.route((url) => url.hostname.endsWith('evil.example'), (route) => {
    offsite.push(route.request().url());
    return route.abort();
  });
  // The event carries what the console message may not: which directive refused what.
  await ctx.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('console', (m) => {
    if (/Content Security Policy|CSP violation|Refused to/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${String(e)}`));
  return { ctx, page };
}

async function signIn(page: Page) {
  await page.locator(tid('login-email')).fill(ADMIN.email);
  await page.locator(tid('login-password')).fill(ADMIN.password);
  await page.locator(tid('login-submit')).click();
}

test('signs in, lists the jobs live, navigates and reloads with the policy in force and no violation', async () => {
  const { ctx, page } = await newPage();
  // The list's live updates come over graphql-ws: connect-src must let the socket through.
  const acknowledged = new Promise<string>((resolve) =>
    page.on('websocket', (ws) =>
      ws.on('framereceived', (f) => {
        if (ws.url().endsWith('/graphql') && String(f.payload).includes('connection_ack')) resolve(ws.url());
      }),
    ),
  );
  const first = await page.goto(`${server.url}/jobs`);
  assert.match((await first?.allHeaders())?.['content-security-policy'] ?? '', /script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  await page.waitForURL(/\/login\?next=%2Fjobs/);
  await signIn(page);
  await page.waitForURL(`${server.url}/jobs`);
  await page.locator(tid('viewer-role')).waitFor();
  await page.locator(tid('jobs-table')).waitFor();
  await page.locator('[data-testid^="job-row-"]').first().waitFor();
  const socket = await Promise.race([acknowledged, delay(T, undefined, { ref: false })]);
  assert.ok(socket, 'no WebSocket to /graphql was acknowledged');

  await page.locator(tid('nav-admin')).click();
  await page.locator(tid('nav-mail')).click();
  await page.waitForURL(/\/mail/);
  await page.locator(tid('mail-page')).waitFor();
  await page.reload();
  await page.locator(tid('mail-page')).waitFor();
  await page.locator(tid('nav-jobs')).click();
  await page.locator('[data-testid^="job-row-"]').first().waitFor();

  assert.deepEqual(violations, []);
  assert.deepEqual(pageErrors, []);
  await ctx.close();
});

test('next=/<TAB>/evil.example after sign-in, and /<LF>/evil.example when already signed in, stay on the console', async () => {
  const { ctx, page } = await newPage();
  await page.goto(`${server.url}/login?next=%2F%09%2Fevil.example%2Fx`);
  await signIn(page);
  await page.waitForURL(`${server.url}/dashboard`);
  await page.locator(tid('dashboard-body')).waitFor();

  // Signed in, /login sends straight on: to the console's own home, not the other host.
  for (const next of ['%2F%0A%2Fevil.example', '%2F%0D%2Fevil.example', '%2F%5Cevil.example', '%2F.%2F%2Fevil.example', 'https%3A%2F%2Fevil.example']) {
    await page.goto(`${server.url}/login?next=${next}`);
    await page.waitForURL(`${server.url}/dashboard`);
    await page.locator(tid('dashboard-body')).waitFor();
  }
  // A path of the console is still where sign-in leads.
  await page.goto(`${server.url}/login?next=${encodeURIComponent('/jobs?status=FAILURE')}`);
  await page.waitForURL(`${server.url}/jobs?status=FAILURE`);

  assert.deepEqual(offsite, [], 'the browser never tried to reach evil.example');
  assert.deepEqual(violations, []);
  assert.deepEqual(pageErrors, []);
  await ctx.close();
});
