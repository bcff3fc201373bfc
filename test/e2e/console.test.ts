/**
 * The console in a real browser (Debian's Chromium through playwright-core), against the server
 * started as the README says (`node --import tsx server.ts`, NODE_ENV=production, built `.next`).
 * One server and one browser for the whole file; the tests run in order and share one signed-in page.
 * Waits are on selectors and page state (Playwright's auto-waiting, waitForFunction), never sleeps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN, Gql } from '../helpers/app';
import { closeBrowserTest, launchBrowser, screenshotPath, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000; // default wait for one state change
const DOMAIN_ADMIN = { email: 'da@a.example', password: 'domain-admin-password-1' };

let server: ServerProcess;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let gql: Gql;
let tmp: string;
const pageErrors: string[] = [];

const row = (key: string) => page.locator(tid(`job-row-${key}`));

async function gqlExecute(jobId: string, domain: string) {
  const r = await gql.ok<{ executeNow: { execution: { id: string } | null; reason: string | null }[] }>(
    `mutation($jobs: [JobRef!]!) { executeNow(jobs: $jobs) { execution { id } reason } }`,
    { jobs: [{ jobId, domain }] },
  );
  const id = r.executeNow[0]?.execution?.id;
  assert.ok(id, `executeNow ${jobId}@${domain}: ${JSON.stringify(r)}`);
  return id;
}

async function waitExecutionEnd(id: string) {
  const deadline = Date.now() + T;
  for (;;) {
    const r = await gql.ok<{ execution: { status: string } }>(`query($id: ID!) { execution(id: $id) { status } }`, { id });
    if (r.execution.status !== 'IN_PROGRESS') return r.execution.status;
    if (Date.now() > deadline) throw new Error(`execution ${id} still running`);
    await new Promise((res) => setTimeout(res, 100)); // API poll (setup only, not the browser)
  }
}

/**
 * Mantine puts data-testid on the real <input> of a Chip/Checkbox/Radio, which may be visually
 * hidden: click what a user clicks (its <label for>) when the input itself is not visible.
 */
async function clickControl(p: Page, selector: string) {
  const el = p.locator(selector).first();
  await el.waitFor({ state: 'attached', timeout: T });
  const info = await el.evaluate((n) => ({ tag: n.tagName, id: (n as HTMLElement).id }));
  if (info.tag === 'INPUT' && !(await el.isVisible()) && info.id) {
    await p.locator(`label[for="${info.id}"]`).click();
  } else {
    await el.click();
  }
}

async function isChecked(p: Page, selector: string) {
  return p.locator(selector).first().evaluate((n) => {
    const input = n instanceof HTMLInputElement ? n : n.querySelector('input');
    return Boolean(input?.checked);
  });
}

async function signIn(p: Page, email: string, password: string) {
  await p.goto(`${server.url}/jobs`);
  await p.waitForURL(/\/login/, { timeout: T });
  await p.locator(tid('login-email')).fill(email);
  await p.locator(tid('login-password')).fill(password);
  await p.locator(tid('login-submit')).click();
  await p.waitForURL(/\/jobs/, { timeout: T });
  await p.locator(tid('viewer-role')).waitFor({ timeout: T });
}

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-e2e-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(
    jobsFile,
    JSON.stringify({
      jobs: [
        { id: 'demo.slow', description: 'Forty lines with progress, slowly', kind: 'GLOBAL',
          command: ['sh', '-c', 'for i in $(seq 1 40); do echo line $i; echo ::progress::$((i*100/40)); sleep 0.25; done'] },
        // Two seconds long, so its IN_PROGRESS state is on screen long enough to be seen.
        { id: 'demo.warn', description: 'Greets its domain and warns', kind: 'PER_DOMAIN',
          command: ['sh', '-c', 'echo hello $JOBDECK_DOMAIN; echo careful >&2; sleep 2'] },
        { id: 'demo.ok', description: 'Says ok', kind: 'GLOBAL', command: ['echo', 'ok'] },
        { id: 'demo.long', description: 'Ticks for a minute (to be cancelled)', kind: 'GLOBAL',
          command: ['sh', '-c', 'for i in $(seq 1 600); do echo tick $i; sleep 0.1; done'] },
      ],
    }),
  );
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  await gql.ok(`mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }`);
  await gql.ok(`mutation($e: String!, $p: String!) { createUser(email: $e, password: $p, role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }`, {
    e: DOMAIN_ADMIN.email,
    p: DOMAIN_ADMIN.password,
  });
  // One finished execution to filter on and to remove later.
  assert.equal(await waitExecutionEnd(await gqlExecute('demo.ok', 'global')), 'SUCCESS');

  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC', locale: 'en-GB' });
  page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

test('a system administrator signs in, sees the signed-in layout, signs out, and signs in again', async () => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.locator(`${tid('viewer-email')}:has-text("${ADMIN.email}")`).waitFor();
  assert.equal(await page.locator(tid('viewer-role')).getAttribute('data-role'), 'SYSTEM_ADMIN');
  assert.match(await page.locator(tid('viewer-role')).innerText(), /System admin/);
  await page.locator(tid('nav-jobs')).waitFor();
  // A system administrator's pages sit in the Administration menu.
  await page.locator(tid('nav-admin')).click();
  await page.locator(tid('nav-mail')).waitFor();
  await page.keyboard.press('Escape');
  await page.locator(tid('nav-mail')).waitFor({ state: 'hidden' });
  await page.locator(tid('jobs-table')).waitFor();

  await page.locator(tid('sign-out')).click();
  await page.waitForURL(/\/login/);
  await page.locator(tid('login-submit')).waitFor();
  assert.equal(await page.locator(tid('viewer-email')).count(), 0);
  // Signed out means signed out: the list sends back to sign-in.
  await page.goto(`${server.url}/jobs`);
  await page.waitForURL(/\/login/);

  await signIn(page, ADMIN.email, ADMIN.password);
  await row('demo.slow@global').waitFor();
  await row('demo.warn@a.example').waitFor();
  await row('demo.warn@b.example').waitFor();
});

test('filters by status and text live in the URL and survive a reload', async () => {
  await page.goto(`${server.url}/jobs`);
  await row('demo.slow@global').waitFor();

  await clickControl(page, tid('status-filter-SUCCESS'));
  await page.waitForURL(/[?&]status=SUCCESS/);
  await row('demo.slow@global').waitFor({ state: 'detached' });
  await row('demo.ok@global').waitFor();
  // Only this file's jobs: the built-in system.* jobs run every hour on the hour, and a run that
  // crosses one sees them succeed too (this failed once in a full run that started at 19:59).
  assert.equal(await page.locator('[data-testid^="job-row-demo."]').count(), 1);

  await clickControl(page, tid('status-filter-SUCCESS')); // off again
  await page.waitForURL((u) => !u.searchParams.has('status'));
  await row('demo.slow@global').waitFor();

  await clickControl(page, tid('status-filter-NEVER_RUN'));
  await page.locator(tid('jobs-search')).fill('greets');
  await page.waitForURL(/[?&]q=greets/);
  assert.match(page.url(), /status=NEVER_RUN/);
  await row('demo.slow@global').waitFor({ state: 'detached' });
  await row('demo.warn@a.example').waitFor();
  await row('demo.warn@b.example').waitFor();
  assert.equal(await page.locator('[data-testid^="job-row-"]').count(), 2);
  await page.locator(tid('jobs-count')).filter({ hasText: /^2 jobs/ }).waitFor();

  await page.reload();
  await row('demo.warn@a.example').waitFor();
  assert.equal(await page.locator('[data-testid^="job-row-"]').count(), 2);
  assert.equal(await page.locator(tid('jobs-search')).inputValue(), 'greets');
  assert.ok(await isChecked(page, tid('status-filter-NEVER_RUN')), 'NEVER_RUN chip still on after reload');
  assert.ok(!(await isChecked(page, tid('status-filter-SUCCESS'))));

  // Text alone (no status): the finished demo.ok is found by its description too.
  await page.goto(`${server.url}/jobs?q=says`);
  await row('demo.ok@global').waitFor();
  assert.equal(await page.locator('[data-testid^="job-row-"]').count(), 1);

  await page.goto(`${server.url}/jobs`);
  await row('demo.slow@global').waitFor();
  await page.screenshot({ path: screenshotPath('jobs-list') });
});

test('a job is scheduled daily at two times; the next run changes in the window and in the row', async () => {
  await page.goto(`${server.url}/jobs`);
  const r = row('demo.ok@global');
  await r.waitFor();
  const rowNextBefore = (await r.locator(tid('row-next')).innerText()).trim();
  assert.equal(rowNextBefore, '—', 'a job without a default schedule has no next run');

  await r.locator(tid('job-open')).click();
  await page.waitForURL(/[?&]job=demo\.ok@global/);
  await page.locator(tid('job-window-body')).waitFor();
  assert.equal(await page.locator(tid('info-jobid')).inputValue(), 'demo.ok');

  await page.locator(tid('tab-btn-scheduling')).click();
  const next = page.locator(tid('sched-next'));
  await next.waitFor();
  assert.equal((await next.innerText()).trim(), 'none');

  await clickControl(page, tid('plan-SCHEDULED'));
  await page.locator(tid('rule-editor')).waitFor();
  // Default rule form: Daily, Mon–Fri, 01:00. Make it every day at 06:30 and 18:45.
  assert.equal(await page.locator(tid('rule-kind')).inputValue(), 'Daily');
  for (const d of ['SAT', 'SUN']) if (!(await isChecked(page, tid(`rule-day-${d}`)))) await clickControl(page, tid(`rule-day-${d}`));
  await page.locator(tid('rule-time-0')).fill('06:30');
  await page.locator(tid('rule-time-add')).click();
  await page.locator(tid('rule-time-1')).fill('18:45');
  await page.locator(tid('rule-summary')).filter({ hasText: /06:30/ }).filter({ hasText: /18:45/ }).waitFor();
  await page.locator(`${tid('rule-next')} li`).first().waitFor();
  assert.equal(await page.locator(`${tid('rule-next')} li`).count(), 5);

  await page.locator(tid('sched-save')).click();
  await page.locator(tid('sched-saved')).waitFor();
  await page.waitForFunction((sel) => {
    const t = document.querySelector(sel)?.textContent?.trim();
    return t && t !== 'none';
  }, tid('sched-next'));
  const current = await page.locator(tid('sched-current')).innerText();
  assert.match(current, /06:30/);
  assert.match(current, /18:45/);
  await page.screenshot({ path: screenshotPath('job-window') });

  // The row behind the window shows the new plan and next run without a reload.
  await r.locator(tid('row-plan')).filter({ hasText: /18:45/ }).waitFor();
  await page.waitForFunction((sel) => {
    const t = document.querySelector(sel)?.textContent?.trim();
    return t && t !== '—';
  }, `${tid('job-row-demo.ok@global')} ${tid('row-next')}`);
  const iso = await r.locator(`${tid('row-next')}`).getAttribute('datetime');
  assert.ok(iso);
  const at = new Date(iso!);
  assert.ok(at.getTime() > Date.now() && at.getTime() <= Date.now() + 24 * 3600_000, `next run within a day: ${iso}`);
  assert.ok(['06:30', '18:45'].includes(at.toISOString().slice(11, 16)), `next run at one of the times (UTC): ${iso}`);
});

test('the report is refused with a bad address (error at the field) and saved with a good one', async () => {
  await page.goto(`${server.url}/jobs?job=demo.ok@global`);
  await page.locator(tid('info-jobid')).waitFor();
  await clickControl(page, tid('report-send'));
  const box = page.locator(tid('report-recipients'));
  await box.fill('not an address');
  await box.blur();
  await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('aria-invalid') === 'true', tid('report-recipients'));
  const errorText = await box.evaluate((n) => {
    const ids = (n.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
  });
  assert.match(errorText, /not a plain address/);
  assert.ok(await page.locator(tid('info-save')).isDisabled(), 'cannot save a bad address');

  await box.fill('Ops@Example.com');
  await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('aria-invalid') !== 'true', tid('report-recipients'));
  await page.locator(tid('info-save')).click();
  await page.locator(tid('info-saved')).waitFor();
  assert.equal(await box.inputValue(), 'ops@example.com', 'the server keeps addresses lower-cased');
  const saved = await gql.ok<{ job: { report: { send: boolean; recipients: string[] } } }>(
    `{ job(jobId: "demo.ok", domain: "global") { report { send recipients } } }`,
  );
  assert.deepEqual(saved.job.report, { send: true, recipients: ['ops@example.com'] });
  await page.keyboard.press('Escape');
  await page.waitForURL((u) => !u.searchParams.has('job'));
});

test('two jobs executed at once blink IN_PROGRESS then turn SUCCESS / WARNING live; the live log grows', async () => {
  await page.goto(`${server.url}/jobs`);
  const slow = row('demo.slow@global');
  const warn = row('demo.warn@a.example');
  await slow.waitFor();
  await warn.waitFor();

  // In the page: remember every status each row's icon shows, whether it blinks, the click time,
  // and when the first log line appears in a viewer. A reload would lose `__jd`.
  // (A string, not a function: tsx's name helpers do not exist in the page.)
  await page.evaluate(`(() => {
    const w = window;
    w.__jd = { seen: {}, blink: {}, t0: 0, t1: 0 };
    const record = () => {
      for (const tr of document.querySelectorAll('[data-testid^="job-row-"]')) {
        const key = tr.getAttribute('data-testid').slice('job-row-'.length);
        const icon = tr.querySelector('[data-testid="status-icon"]');
        const s = icon && icon.getAttribute('data-status');
        if (!s) continue;
        const list = (w.__jd.seen[key] = w.__jd.seen[key] || []);
        if (list[list.length - 1] !== s) list.push(s);
        if (s === 'IN_PROGRESS' && icon.classList.contains('jd-blink') && getComputedStyle(icon).animationName !== 'none') w.__jd.blink[key] = true;
      }
      if (w.__jd.t0 && !w.__jd.t1 && document.querySelector('[data-testid="log-line"]')) w.__jd.t1 = performance.now();
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'class'] });
    document.addEventListener('click', (e) => {
      if (e.target.closest('[data-testid="execute-now"]')) w.__jd.t0 = performance.now();
    }, true);
    record();
  })()`);

  await slow.locator(tid('row-checkbox')).check();
  await warn.locator(tid('row-checkbox')).check();
  await page.locator(tid('execute-now')).filter({ hasText: '(2)' }).click();
  // Open the log of demo.slow as soon as it has one (the click-to-first-line time includes this).
  const logIcon = slow.locator(tid('log-icon'));
  await page.waitForFunction((sel) => {
    const b = document.querySelector(sel) as HTMLButtonElement | null;
    return b && !b.disabled && b.getAttribute('data-disabled') !== 'true';
  }, `${tid('job-row-demo.slow@global')} ${tid('log-icon')}`);
  await logIcon.click();
  await page.waitForURL(/[?&]log=/);
  const viewer = page.locator(tid('log-viewer'));
  await page.locator(`${tid('log-line')}`).first().waitFor();
  const { t0, t1 } = await page.evaluate(() => (window as any).__jd);
  assert.ok(t0 > 0 && t1 > t0);
  console.log(`MEASURE execute-now → first line in viewer: ${Math.round(t1 - t0)} ms`);

  // Live: the stream is live and the line count grows while the job runs.
  assert.equal(await viewer.getAttribute('data-stream'), 'live');
  const count = async () => Number(/([\d,]+) lines/.exec(await page.locator(tid('log-count')).innerText())?.[1]?.replaceAll(',', '') ?? 0);
  const first = await count();
  await page.waitForFunction(
    ([sel, n]) => Number(/([\d,]+) lines/.exec(document.querySelector(sel as string)?.textContent ?? '')?.[1]?.replaceAll(',', '') ?? 0) >= (n as number) + 6,
    [tid('log-count'), first] as const,
  );
  const maxSeq1 = await page.locator(tid('log-line')).evaluateAll((ls) => Math.max(...ls.map((l) => Number(l.getAttribute('data-seq')))));
  await page.waitForFunction(
    ([sel, n]) => [...document.querySelectorAll(sel as string)].some((l) => Number(l.getAttribute('data-seq')) > (n as number)),
    [tid('log-line'), maxSeq1] as const,
  );
  assert.equal(await page.locator(tid('log-status')).getAttribute('data-status'), 'IN_PROGRESS');
  await page.screenshot({ path: screenshotPath('log-viewer') });

  // The end: stream done, status SUCCESS, every line there (40 INFO + 40 PROGRESS).
  await page.locator(`${tid('log-viewer')}[data-stream="done"]`).waitFor({ timeout: 30_000 });
  await page.locator(`${tid('log-status')}[data-status="SUCCESS"]`).waitFor();
  assert.equal(await count(), 80);
  await page.locator(tid('log-lines')).filter({ hasText: 'line 40' }).waitFor();

  await page.keyboard.press('Escape');
  await page.waitForURL((u) => !u.searchParams.has('log'));
  await slow.locator(`${tid('status-icon')}[data-status="SUCCESS"]`).waitFor();
  await warn.locator(`${tid('status-icon')}[data-status="WARNING"]`).waitFor();

  const jd = await page.evaluate(() => (window as any).__jd);
  assert.ok(jd, 'no reload happened');
  assert.deepEqual(jd.seen['demo.slow@global'].slice(-2), ['IN_PROGRESS', 'SUCCESS'], JSON.stringify(jd.seen));
  assert.deepEqual(jd.seen['demo.warn@a.example'].slice(-2), ['IN_PROGRESS', 'WARNING'], JSON.stringify(jd.seen));
  assert.ok(jd.blink['demo.slow@global'] && jd.blink['demo.warn@a.example'], `blinking while running: ${JSON.stringify(jd.blink)}`);
  // Only the two executed rows changed.
  assert.deepEqual(jd.seen['demo.warn@b.example'], ['NEVER_RUN']);
});

test('a running job is cancelled from the list and ends CANCELLED', async () => {
  await page.goto(`${server.url}/jobs?q=demo.long`);
  const r = row('demo.long@global');
  await r.waitFor();
  await r.locator(tid('row-checkbox')).check();
  await page.locator(tid('execute-now')).click();
  await page.locator(`${tid('job-row-demo.long@global')}[data-running="true"]`).waitFor();
  await r.locator(`${tid('status-icon')}[data-status="IN_PROGRESS"]`).waitFor();
  // Execute now clears the selection; select the running row again to cancel it.
  await r.locator(tid('row-checkbox')).check();
  const cancel = page.locator(tid('cancel-selected'));
  await cancel.filter({ hasText: '(1)' }).click();
  await page.locator(tid('action-notice')).filter({ hasText: /Cancel requested/ }).waitFor();
  await r.locator(`${tid('status-icon')}[data-status="CANCELLED"]`).waitFor();
  await page.locator(`${tid('job-row-demo.long@global')}[data-running="false"]`).waitFor();
});

test('an execution removed in the executions tab is gone', async () => {
  const extra = await gqlExecute('demo.ok', 'global');
  await waitExecutionEnd(extra);
  await page.goto(`${server.url}/jobs?job=demo.ok@global&tab=executions`);
  const execRow = page.locator(tid(`exec-row-${extra}`));
  await execRow.waitFor();
  assert.equal(await execRow.getAttribute('data-status'), 'SUCCESS');
  const before = await page.locator('[data-testid^="exec-row-"]').count();
  assert.ok(before >= 2);
  await execRow.locator('input[type="checkbox"]').check();
  await page.locator(tid('exec-remove')).filter({ hasText: '(1)' }).click();
  await page.locator(tid('confirm-ok')).click();
  await execRow.waitFor({ state: 'detached' });
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="exec-row-"]').length === n, before - 1);
  const r = await gql.query(`query($id: ID!) { execution(id: $id) { id } }`, { id: extra });
  assert.equal(r.data?.execution ?? null, null);
  // The row's last execution now is the earlier one, still shown.
  await page.keyboard.press('Escape');
  await row('demo.ok@global').locator(`${tid('status-icon')}[data-status="SUCCESS"]`).waitFor();
});

test('a domain administrator sees only its domain: no GLOBAL job, no other domain, not even by URL', async () => {
  const ctx2 = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC' });
  const p = await ctx2.newPage();
  p.setDefaultTimeout(T);
  try {
    await signIn(p, DOMAIN_ADMIN.email, DOMAIN_ADMIN.password);
    assert.equal(await p.locator(tid('viewer-role')).getAttribute('data-role'), 'DOMAIN_ADMIN');
    assert.match(await p.locator(tid('viewer-role')).innerText(), /a\.example/);
    assert.equal(await p.locator(tid('nav-mail')).count(), 0);
    // His Administration menu holds his domain's scheduling, alerts and channels, none of the system administrators' pages.
    await p.locator(tid('nav-admin')).click();
    const menu = p.getByRole('menu');
    await menu.locator(tid('nav-scheduling')).waitFor();
    const entries = await menu.locator('[data-testid^="nav-"]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-testid')));
    assert.deepEqual(entries, ['nav-scheduling', 'nav-alerts', 'nav-channels']);
    await p.keyboard.press('Escape');
    await p.locator(tid('job-row-demo.warn@a.example')).waitFor();
    const keys = await p.locator('[data-testid^="job-row-"]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-testid')!.slice(8)));
    assert.ok(keys.length > 0);
    for (const k of keys) assert.ok(k.endsWith('@a.example'), `only a.example rows: ${keys.join(', ')}`);
    assert.equal(await p.locator(tid('job-row-demo.warn@b.example')).count(), 0);
    assert.equal(await p.locator(tid('job-row-demo.ok@global')).count(), 0);

    for (const ref of ['system.retention@global', 'demo.slow@global', 'demo.warn@b.example']) {
      await p.goto(`${server.url}/jobs?job=${ref}`);
      await p.locator(tid('job-not-found')).waitFor();
      assert.equal(await p.locator(tid('info-jobid')).count(), 0, ref);
    }
    // Its own row opens.
    await p.goto(`${server.url}/jobs?job=demo.warn@a.example`);
    assert.equal(await p.locator(tid('info-jobid')).inputValue(), 'demo.warn');

    await p.keyboard.press('Escape');
    await p.waitForURL((u) => !u.searchParams.has('job'));
    await p.locator(tid('sign-out')).click();
    await p.waitForURL(/\/login/);
  } finally {
    await ctx2.close();
  }
});
