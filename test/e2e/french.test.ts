/**
 * The console in French (issue #18), in Chromium: a browser that asks for French gets it from the
 * sign-in page on (html lang, words, dates, the API's schedule summaries); an English browser
 * switches to French in My account, the choice is remembered across pages and visits, and
 * "Automatic" gives the browser's language back. On every French screen, no text, label, title or
 * placeholder is an English message left untranslated, and none is a bare message key (what
 * next-intl shows for a key it does not have). Phone and dark mode screenshots.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { MESSAGES, NAMESPACES } from '../../lib/i18n/messages';
import { ADMIN, Gql } from '../helpers/app';
import { closeBrowserTest, launchBrowser, screenshotPath, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;

let server: ServerProcess;
let browser: Browser;
let gql: Gql;
let tmp: string;
let executionId: string;
const pageErrors: string[] = [];

type Tree = { [k: string]: string | Tree };
const flatten = (tree: Tree, out: string[] = []): string[] => {
  for (const v of Object.values(tree)) typeof v === 'string' ? out.push(v) : flatten(v, out);
  return out;
};
const plain = (elements: MessageFormatElement[]) => elements.every((e) => e.type === TYPE.literal);

/**
 * English messages a French screen must never show: the ones with no arguments whose French differs
 * and that are long enough to be text rather than a shared word ("API", "Cron").
 */
const ENGLISH_ONLY = (() => {
  const fr = new Set(NAMESPACES.flatMap((ns) => flatten(MESSAGES.fr[ns] as Tree)));
  const out = new Set<string>();
  for (const ns of NAMESPACES) {
    for (const m of flatten(MESSAGES.en[ns] as Tree)) {
      if (fr.has(m) || m.length < 4 || !/[a-z]{3}/i.test(m)) continue;
      try {
        if (plain(parse(m))) out.add(m.trim());
      } catch {
        /* i18n.test.ts reports messages that do not parse */
      }
    }
  }
  return out;
})();

async function newContext(locale: string, opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}) {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'UTC', locale, ...opts });
}

async function newPage(ctx: BrowserContext) {
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return page;
}

async function signIn(page: Page, submitText: RegExp) {
  await page.goto(`${server.url}/jobs`);
  await page.waitForURL(/\/login/);
  await page.locator(tid('login-email')).fill(ADMIN.email);
  await page.locator(tid('login-password')).fill(ADMIN.password);
  assert.match(await page.locator(tid('login-submit')).innerText(), submitText);
  await page.locator(tid('login-submit')).click();
  await page.waitForURL(/\/jobs/);
}

/** My account → Language, once the page is live (its sessions listed: hydrated, so the picker opens). */
async function chooseLanguage(page: Page, name: string | RegExp) {
  await page.goto(`${server.url}/account`);
  await page.locator(tid('session-current')).waitFor();
  await page.locator(tid('account-language')).click();
  await page.getByRole('listbox').waitFor();
  await page.getByRole('option', { name }).click();
}

/** Every text a person may read or hear on the page: text nodes, and the attributes that name things. */
async function readableTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || parent.closest('script, style, [data-testid="log-lines"], .graphiql-container')) continue;
      const t = n.textContent?.trim();
      if (t) out.push(t);
    }
    for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      if (el.closest('[data-testid="log-lines"], .graphiql-container')) continue;
      for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
        const v = el.getAttribute(a)?.trim();
        if (v) out.push(v);
      }
    }
    out.push(document.title);
    return out;
  });
}

/** Fails on an English message or a bare message key ("jobs.title") among the page's texts. */
async function assertFrench(page: Page, where: string) {
  const texts = await readableTexts(page);
  const english = texts.filter((t) => ENGLISH_ONLY.has(t));
  const keys = texts.filter((t) => /^[a-z][A-Za-z]+(\.[A-Za-z0-9_]+)+$/.test(t) && NAMESPACES.includes(t.split('.')[0] as never));
  assert.deepEqual({ english, keys }, { english: [], keys: [] }, `${where}: untranslated text`);
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-fr-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(
    jobsFile,
    JSON.stringify({
      jobs: [
        { id: 'demo.ok', description: 'Says ok', kind: 'GLOBAL', command: ['echo', 'ok'], automatic: { kind: 'EVERY_HOURS', every: 4 } },
        { id: 'demo.fail', description: 'Fails', kind: 'PER_DOMAIN', command: ['sh', '-c', 'echo boom >&2; exit 3'] },
      ],
    }),
  );
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  await gql.ok(`mutation { createDomain(name: "a.example") { name } }`);
  await gql.ok(`mutation { updateJob(jobId: "demo.fail", domain: "a.example", input: { plan: { kind: SCHEDULED, rule: { kind: DAILY, days: [MON, TUE, WED, THU, FRI], times: ["01:00"], timeZone: "Europe/Paris" } } }) { jobId } }`);
  const r = await gql.ok<{ executeNow: { execution: { id: string } | null }[] }>(
    `mutation { executeNow(jobs: [{ jobId: "demo.fail", domain: "a.example" }]) { execution { id } } }`,
  );
  executionId = r.executeNow[0]!.execution!.id;
  await gql.ended(executionId);
  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

test("a browser that asks for French gets the whole console in French, the API's summaries included", async () => {
  const ctx = await newContext('fr-FR');
  const page = await newPage(ctx);
  await signIn(page, /Se connecter/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');

  // The list: status words, the plan in French words, dates in French.
  const failRow = page.locator(tid('job-row-demo.fail@a.example'));
  await failRow.waitFor();
  assert.match(await failRow.locator(tid('row-plan')).innerText(), /Quotidien, lun\.–ven\. à 01:00 \(Europe\/Paris\)/);
  assert.match(await page.locator(tid('job-row-demo.ok@global')).locator(tid('row-plan')).innerText(), /Automatique — Toutes les 4 heures/);
  await assertFrench(page, '/jobs');
  await page.screenshot({ path: screenshotPath('fr-jobs-desktop') });

  // The job window, each tab, and the log viewer.
  await page.goto(`${server.url}/jobs?job=demo.fail@a.example`);
  await page.locator('[role="dialog"]').first().waitFor();
  await assertFrench(page, 'job window');
  for (const tab of await page.locator('[role="tab"]').all()) {
    await tab.click();
    await page.waitForFunction(() => document.querySelector('[role="tab"][aria-selected="true"]') !== null);
    await assertFrench(page, `job window tab ${await tab.innerText()}`);
  }
  await page.goto(`${server.url}/jobs?job=demo.fail@a.example&log=${executionId}`);
  await page.locator(tid('log-status')).waitFor();
  assert.match(await page.locator(tid('log-status')).innerText(), /Échouée/i); // a badge: upper case by CSS
  await assertFrench(page, 'log viewer');
  await page.screenshot({ path: screenshotPath('fr-log-viewer') });

  // The administration pages.
  for (const p of ['/dashboard', '/upcoming', '/search?q=boom', '/account', '/users', '/domains', '/tokens', '/mail', '/audit']) {
    await page.goto(`${server.url}${p}`);
    await page.waitForLoadState('networkidle');
    await assertFrench(page, p);
  }
  await page.goto(`${server.url}/no-such-page`);
  await page.locator(tid('not-found')).waitFor();
  await assertFrench(page, '404');
  await ctx.close();

  // A phone in dark mode reads French too.
  const phone = await newContext('fr-FR', { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  const p2 = await newPage(phone);
  await signIn(p2, /Se connecter/);
  await p2.locator(tid('job-row-demo.fail@a.example')).waitFor();
  await assertFrench(p2, '/jobs on a phone');
  await p2.screenshot({ path: screenshotPath('fr-jobs-phone-dark') });
  await phone.close();
});

test('an English browser switches to French in My account; the choice is remembered; Automatic gives English back', async () => {
  const ctx = await newContext('en-GB');
  const page = await newPage(ctx);
  await signIn(page, /Sign in/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await chooseLanguage(page, 'Français');
  await page.waitForFunction(() => document.documentElement?.lang === 'fr');
  await assertFrench(page, '/account after the switch');

  // Another page, then a new tab of the same browser: still French (the cookie), the API's words too.
  await page.goto(`${server.url}/jobs`);
  await page.locator(tid('job-row-demo.fail@a.example')).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  assert.match(await page.locator(tid('job-row-demo.fail@a.example')).locator(tid('row-plan')).innerText(), /Quotidien/);
  const again = await newPage(ctx);
  await again.goto(`${server.url}/jobs`);
  await again.locator(tid('job-row-demo.fail@a.example')).waitFor();
  assert.equal(await again.locator('html').getAttribute('lang'), 'fr');
  await again.close();

  // Automatic: the browser's language again.
  await chooseLanguage(page, /Automatique/);
  await page.waitForFunction(() => document.documentElement?.lang === 'en');
  await page.goto(`${server.url}/jobs`);
  assert.match(await page.locator(tid('job-row-demo.fail@a.example')).locator(tid('row-plan')).innerText(), /Daily, Mon–Fri at 01:00/);
  await ctx.close();
});
