import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from './chromium';
import { ROOT } from './server-process';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    args: ['--lang=en-US', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Screenshots land under test-results/screenshots (kept by CI as test output). */
export function screenshotPath(name: string) {
  const dir = path.join(ROOT, 'test-results', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}

/** A `data-testid` selector. */
export const tid = (id: string) => `[data-testid="${id}"]`;

/** The four ways every page is looked at: desktop and a 390×844 phone, light and dark. */
export const MODES = [
  { name: 'desktop-light', viewport: { width: 1280, height: 800 }, colorScheme: 'light' },
  { name: 'desktop-dark', viewport: { width: 1280, height: 800 }, colorScheme: 'dark' },
  { name: 'phone-light', viewport: { width: 390, height: 844 }, colorScheme: 'light' },
  { name: 'phone-dark', viewport: { width: 390, height: 844 }, colorScheme: 'dark' },
] as const;

/** The end of a browser test file: the browser, then the server, then the temp folder; page errors are printed. */
export async function closeBrowserTest(o: { browser?: Browser; server?: { stop(): Promise<unknown> }; tmp?: string; pageErrors: string[] }) {
  await o.browser?.close();
  await o.server?.stop();
  if (o.tmp) rmSync(o.tmp, { recursive: true, force: true });
  if (o.pageErrors.length) console.log(`page errors seen:\n${o.pageErrors.join('\n')}`);
}

export type PageOptions = { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark'; timezoneId?: string; locale?: string };

/** A page in a context of its own (1280×800, UTC, en-GB unless told), its errors collected into `errors`. */
export async function openPage(browser: Browser, errors: string[], o: PageOptions & { timeout?: number } = {}): Promise<Page> {
  const { timeout = 20_000, ...opts } = o;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC', locale: 'en-GB', ...opts });
  const page = await ctx.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (e) => errors.push(String(e)));
  return page;
}

/** Opens `path` of the console at `baseUrl`, signs in on the page it redirects to, and waits to be back. */
export async function signInThrough(p: Page, baseUrl: string, path: string, email: string, password: string) {
  await p.goto(`${baseUrl}${path}`);
  await p.waitForURL(/\/login/);
  await p.locator(tid('login-email')).fill(email);
  await p.locator(tid('login-password')).fill(password);
  await p.locator(tid('login-submit')).click();
  await p.waitForURL((u) => u.pathname === path.split('?')[0]);
}
