/**
 * Accessibility of the console in a real browser (Chromium through playwright-core, built `.next`):
 * axe-core on every page — sign-in, jobs, job window, log viewer, API tokens, mail, not found — in
 * light and dark, at desktop and phone size, with no serious or critical violation; and the keyboard
 * paths axe cannot see: a window closed with Escape gives focus back to what opened it, and the
 * drawer's links (hidden on desktop) are not in the tab order.
 * Waits are on selectors, URLs and page state, never sleeps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axe, blocking, countByImpact, type AxeFinding } from '../helpers/a11y';
import { ADMIN, Gql } from '../helpers/app';
import { MODES, closeBrowserTest, launchBrowser, screenshotPath, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
const ROW = 'demo.ok@global';

let server: ServerProcess;
let browser: Browser;
let gql: Gql;
let tmp: string;
let executionId: string;
const pageErrors: string[] = [];

async function newPage(mode: (typeof MODES)[number]) {
  const ctx = await browser.newContext({ viewport: mode.viewport, colorScheme: mode.colorScheme, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  return page;
}

async function signIn(p: Page) {
  await p.locator(tid('login-email')).fill(ADMIN.email);
  await p.locator(tid('login-password')).fill(ADMIN.password);
  await p.locator(tid('login-submit')).click();
}

/** Transitions (a modal fading in) are over: axe would measure half-transparent colours otherwise. */
async function settled(p: Page) {
  await p.waitForFunction(() =>
    document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity || a.playState !== 'running'),
  );
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-a11y-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(jobsFile, JSON.stringify({ jobs: [
    { id: 'demo.ok', description: 'Says ok and warns once', kind: 'GLOBAL', command: ['sh', '-c', 'echo ok; echo careful >&2; echo ::error::bad'] },
    { id: 'demo.domain', description: 'Greets its domain', kind: 'PER_DOMAIN', command: ['sh', '-c', 'echo hello $JOBDECK_DOMAIN'] },
    // Manual: it stays never-run whatever the clock says (system.self-test runs on the hour).
    { id: 'demo.never', description: 'Runs only when asked', kind: 'GLOBAL', command: ['true'] },
  ] }));
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  await gql.ok(`mutation { a: createDomain(name: "a.example") { name } }`);
  // A report, so the mail page has a message; a token, so the tokens page has a table.
  await gql.ok(`mutation { updateJob(jobId: "demo.ok", domain: "global", input: { report: { send: true, recipients: ["ops@example.com"], when: ALWAYS } }) { id } }`);
  await gql.ok(`mutation { createApiToken(name: "ci") { token } }`);
  const r = await gql.ok<{ executeNow: { execution: { id: string } | null }[] }>(`mutation { executeNow(jobs: [{ jobId: "demo.ok", domain: "global" }]) { execution { id } } }`);
  executionId = r.executeNow[0]?.execution?.id ?? '';
  assert.ok(executionId, JSON.stringify(r));
  await gql.ended(executionId);
  browser = await launchBrowser();
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

for (const mode of MODES) {
  test(`axe finds no serious or critical violation on any page (${mode.name})`, async () => {
    const page = await newPage(mode);
    const report: Record<string, AxeFinding[]> = {};
    const check = async (name: string) => {
      await settled(page);
      report[name] = await axe(page);
      await page.screenshot({ path: screenshotPath(`a11y-${name}-${mode.name}`) });
    };

    await page.goto(`${server.url}/login`);
    await page.locator(tid('login-submit')).waitFor();
    await check('login');

    await signIn(page);
    // Signing in lands on the dashboard, the console's home.
    await page.waitForURL((u) => u.pathname === '/dashboard');
    await page.goto(`${server.url}/jobs`);
    await page.locator(`${tid(`job-row-${ROW}`)} ${tid('status-icon')}[data-status="FAILURE"]`).waitFor();
    await check('jobs');

    await page.goto(`${server.url}/jobs?job=${ROW}`);
    await page.locator(tid('tab-btn-information')).waitFor();
    await check('job-window');
    await page.locator(tid('tab-btn-scheduling')).click();
    await page.getByRole('radio', { name: /^Scheduled/ }).check();
    await page.locator(tid('rule-editor')).waitFor();
    await check('job-window-scheduling');

    await page.goto(`${server.url}/jobs?log=${executionId}`);
    await page.locator(`${tid('log-viewer')}[data-stream="done"]`).waitFor();
    await page.locator(tid('log-line')).first().waitFor();
    await check('log-viewer');

    await page.goto(`${server.url}/tokens`);
    await page.locator(tid('tokens-table')).waitFor();
    await check('tokens');

    await page.goto(`${server.url}/mail`);
    await page.locator(tid('mail-page')).getByText('demo.ok').first().waitFor();
    await check('mail');

    await page.goto(`${server.url}/dashboard`);
    await page.locator(tid('dashboard-body')).waitFor();
    await check('dashboard');

    await page.goto(`${server.url}/upcoming`);
    await page.locator(`${tid('upcoming-list')}, ${tid('upcoming-empty')}`).first().waitFor();
    await check('upcoming');

    await page.goto(`${server.url}/search?q=demo`);
    await page.locator(tid('search-page')).waitFor();
    await page.waitForLoadState('networkidle');
    await check('search');

    await page.goto(`${server.url}/workers`);
    await page.locator(tid('worker-card')).first().waitFor();
    await check('workers');

    await page.goto(`${server.url}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await check('not-found');

    for (const [name, findings] of Object.entries(report)) {
      const c = countByImpact(findings);
      console.log(`AXE ${mode.name} ${name}: critical ${c.critical}, serious ${c.serious}, moderate ${c.moderate}, minor ${c.minor}` +
        (findings.length ? ` — ${findings.map((f) => `${f.id}(${f.impact})`).join(', ')}` : ''));
    }
    const bad = Object.entries(report).flatMap(([name, f]) => blocking(f).map((v) => `${name}: ${v.id} (${v.impact}) ${v.help} at ${v.targets.join(' | ')}`));
    assert.deepEqual(bad, [], bad.join('\n'));
    await page.context().close();
  });
}

test('a window closed with Escape gives focus back to the control that opened it', async () => {
  const page = await newPage(MODES[0]);
  await page.goto(`${server.url}/jobs`);
  await signIn(page);
  await page.waitForURL((u) => u.pathname === '/jobs');
  const row = page.locator(tid(`job-row-${ROW}`));
  const focusedIn = (testId: string) =>
    page.waitForFunction(([rowSel, id]) => {
      const a = document.activeElement as HTMLElement | null;
      return Boolean(a && a.dataset.testid === id && a.closest(rowSel as string));
    }, [tid(`job-row-${ROW}`), testId] as const);

  // The job window, opened with Enter on the row's job name.
  await row.locator(tid('job-open')).focus();
  await page.keyboard.press('Enter');
  await page.locator(tid('tab-btn-information')).waitFor();
  // The window's focus trap takes focus first, so the return below is the window's doing.
  await page.waitForFunction(() => document.activeElement?.closest('[role="dialog"]') != null);
  await page.keyboard.press('Escape');
  await page.waitForURL((u) => !u.searchParams.has('job'));
  await focusedIn('job-open');

  // The log viewer, opened with Enter on the row's log icon.
  await row.locator(tid('log-icon')).focus();
  await page.keyboard.press('Enter');
  await page.locator(tid('log-viewer')).waitFor();
  await page.waitForFunction(() => document.activeElement?.closest('[role="dialog"]') != null);
  await page.keyboard.press('Escape');
  await page.waitForURL((u) => !u.searchParams.has('log'));
  await focusedIn('log-icon');

  // The log viewer over the job window: Escape closes the viewer only, focus goes back into the window.
  await row.locator(tid('job-open')).focus();
  await page.keyboard.press('Enter');
  await page.locator(tid('tab-btn-executions')).click();
  const execRow = page.locator(tid(`exec-row-${executionId}`));
  await execRow.click();
  await page.locator(tid('log-viewer')).waitFor();
  await page.waitForFunction(() => document.activeElement?.closest('[data-testid="log-viewer"]') != null || document.activeElement?.closest('[role="dialog"]') != null);
  await page.keyboard.press('Escape');
  await page.waitForURL((u) => !u.searchParams.has('log') && u.searchParams.has('job'));
  await page.waitForFunction(() => document.activeElement?.closest('[role="dialog"]') != null && !document.querySelector('[data-testid="log-viewer"]'));
  await page.keyboard.press('Escape');
  await page.waitForURL((u) => !u.searchParams.has('job'));
  await focusedIn('job-open');
  await page.context().close();
});

test("on desktop the drawer's hidden links are out of the tab order; every stop is visible", async () => {
  const page = await newPage(MODES[0]);
  await page.goto(`${server.url}/jobs`);
  await signIn(page);
  await page.waitForURL((u) => u.pathname === '/jobs');
  await page.locator(tid(`job-row-${ROW}`)).waitFor();
  // Start from the top of the document, as a keyboard user arriving on the page.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const stops: { desc: string; inDrawer: boolean; visible: boolean }[] = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const s = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      if (!a || a === document.body) return null;
      // A chip's or switch's input is visually hidden on purpose; its label is what shows the focus.
      const label = a.id ? document.querySelector(`label[for="${CSS.escape(a.id)}"]`) : null;
      // (No named helper functions in here: tsx would wrap them in a `__name` call the page lacks.)
      const own = a.getBoundingClientRect();
      const r = label && (own.width <= 2 || own.height <= 2) ? label.getBoundingClientRect() : own;
      return {
        desc: `${a.tagName.toLowerCase()}[${a.getAttribute('data-testid') ?? a.getAttribute('aria-label') ?? a.textContent?.trim().slice(0, 30)}]`,
        inDrawer: a.closest('#jd-mobile-nav, nav[aria-label="Main (mobile)"]') !== null,
        visible: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth && r.top < innerHeight,
        checkbox: a.getAttribute('data-testid') === 'row-checkbox',
      };
    });
    if (!s) continue;
    stops.push(s);
    if (s.checkbox) break;
  }
  assert.ok(stops.some((s) => s.desc.includes('row-checkbox')), `Tab reaches the list: ${stops.map((s) => s.desc).join(' → ')}`);
  assert.ok(stops.some((s) => s.desc.includes('nav-jobs')), 'the header links are there');
  assert.deepEqual(stops.filter((s) => s.inDrawer).map((s) => s.desc), [], 'no stop in the hidden drawer');
  assert.deepEqual(stops.filter((s) => !s.visible).map((s) => s.desc), [], 'no invisible stop');
  await page.context().close();
});

test('log icons (unread, read, none) and the never-run icon stand apart in light and dark', async () => {
  // A run nobody has opened yet: unread for the admin. demo.ok's log was opened above: read.
  const r = await gql.ok<{ executeNow: { execution: { id: string } | null }[] }>(`mutation { executeNow(jobs: [{ jobId: "demo.domain", domain: "a.example" }]) { execution { id } } }`);
  await gql.ended(r.executeNow[0]?.execution?.id ?? '');
  for (const mode of [MODES[0], MODES[1]]) {
    const page = await newPage(mode);
    await page.goto(`${server.url}/jobs`);
    await signIn(page);
    const unread = page.locator(`${tid('job-row-demo.domain@a.example')} ${tid('log-icon')}[data-unread="true"]`);
    const read = page.locator(`${tid(`job-row-${ROW}`)} ${tid('log-icon')}[data-unread="false"]`);
    const never = page.locator(`${tid('job-row-demo.never@global')} ${tid('status-icon')}[data-status="NEVER_RUN"]`);
    await unread.waitFor();
    await read.waitFor();
    await never.waitFor();
    await settled(page);
    // Contrast with the page (WCAG 1.4.11 asks 3:1 for a control's shape): the filled unread
    // button against the page, and the never-run ring against the page.
    const ratios = await page.evaluate(`(() => {
      const rgb = (s) => (s.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
      const lum = (c) => { const v = c.map((x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); }); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
      const ratio = (a, b) => { const x = lum(rgb(a)), y = lum(rgb(b)); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
      const page = getComputedStyle(document.body).backgroundColor;
      const u = document.querySelector('[data-testid="job-row-demo.domain@a.example"] [data-testid="log-icon"]');
      const rd = document.querySelector('[data-testid="job-row-${ROW}"] [data-testid="log-icon"]');
      const ring = document.querySelector('[data-testid="job-row-demo.never@global"] [data-testid="status-icon"] circle');
      return {
        unreadBg: ratio(getComputedStyle(u).backgroundColor, page),
        unreadGlyph: ratio(getComputedStyle(u).color, getComputedStyle(u).backgroundColor),
        readGlyph: ratio(getComputedStyle(rd).color, page),
        readBgIsPage: getComputedStyle(rd).backgroundColor === 'rgba(0, 0, 0, 0)' || getComputedStyle(rd).backgroundColor === page,
        ring: ratio(getComputedStyle(ring).stroke, page),
      };
    })()`) as Record<string, number | boolean>;
    assert.ok((ratios.unreadBg as number) >= 3, `unread icon vs page: ${JSON.stringify(ratios)}`);
    assert.ok((ratios.unreadGlyph as number) >= 4.5, `unread glyph: ${JSON.stringify(ratios)}`);
    assert.ok((ratios.readGlyph as number) >= 3, `read glyph: ${JSON.stringify(ratios)}`);
    assert.equal(ratios.readBgIsPage, true, 'the read icon is an outline, not a filled button');
    assert.ok((ratios.ring as number) >= 3, `never-run ring: ${JSON.stringify(ratios)}`);
    await page.locator(tid('jobs-table')).screenshot({ path: screenshotPath(`log-icons-${mode.name}`) });
    await page.context().close();
  }
});
