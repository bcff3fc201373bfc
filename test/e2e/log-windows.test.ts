/**
 * The log viewer at any size (issue #17), in a real browser against the built console: a 200,000-line
 * log opens at its last line having read only its tail; walking 25,000 lines up and back at its end
 * and at its start shows every line once, in order, with at most MAX_PAGES pages held; "go to line", "first error" and
 * the `line` parameter of the address read only the window they need; filters page through the
 * server; a live run is followed to its end with no gap and no duplicate between the windows read at
 * the start and the lines that came live. Waits are on selectors and page state, never sleeps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { MAX_PAGES, PAGE_LINES } from '../../app/_components/log-viewer/log-pages';
import { ADMIN, Gql } from '../helpers/app';
import { closeBrowserTest, launchBrowser, screenshotPath, tid } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
const BIG = 200_000;
/** Lines walked at each end of the big log: 50 pages, more than MAX_PAGES, so pages are dropped on each walk. */
const WALK_SPAN = 25_000;

let server: ServerProcess;
let browser: Browser;
let page: Page;
let gql: Gql;
let tmp: string;
const pageErrors: string[] = [];
const ids: Record<'big' | 'err', string> = { big: '', err: '' };
/** The LogWindow requests the page made: { afterSeq, first, levels, text }. */
let windows: { afterSeq: number; first: number; levels: string[] | null; text: string | null }[] = [];

async function execute(jobId: string) {
  const r = await gql.ok<{ executeNow: { execution: { id: string } | null }[] }>(
    `mutation($j: String!) { executeNow(jobs: [{ jobId: $j, domain: "global" }]) { execution { id } } }`,
    { j: jobId },
  );
  const id = r.executeNow[0]?.execution?.id;
  assert.ok(id, JSON.stringify(r));
  return id;
}

async function lastSeq(id: string) {
  const r = await gql.ok<{ execution: { lastSeq: number } }>('query($id: ID!) { execution(id: $id) { lastSeq } }', { id });
  return r.execution.lastSeq;
}

/** Line `seq` is on screen inside the list (not only rendered in its margins). */
function lineVisible(seq: number, extra = '') {
  return page.waitForFunction(
    ([s, more]) => {
      const box = document.querySelector('[data-testid="log-lines"]');
      const row = box?.querySelector(`[data-testid="log-line"][data-seq="${s}"]${more}`);
      if (!box || !row) return false;
      const b = box.getBoundingClientRect();
      const r = row.getBoundingClientRect();
      return r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
    },
    [seq, extra] as const,
  );
}

/** Mantine puts data-testid on a Chip's hidden <input>: click its label, as a person does. */
async function clickChip(testId: string) {
  const idAttr = await page.locator(tid(testId)).getAttribute('id');
  await page.locator(`label[for="${idAttr}"]`).click();
}

async function rowsCount() {
  return Number(await page.locator(tid('log-lines')).getAttribute('data-rows'));
}

/**
 * Walks the open log in the page, in steps a bit shorter than what is drawn (the view plus its
 * margins), waiting at each step for the rows under the view. With `span` null: from its end to its
 * start, then back to its end. With a span of n lines: up n lines from its end and back down, then
 * from its start (a jump) down n lines and back up — both ends of a long log, where the pixel and
 * page arithmetic has its edges, without walking the ~3,300 steps each way of its middle (240 s of
 * the suite on a slow machine). At each step the rows drawn must be consecutive seqs, in order, each
 * once, and say what the job printed (`seq - offset`, for a job printing numbers); every seq of the
 * walked ranges must be seen on each way.
 * (A string: the test's compiled functions carry helpers that do not exist in the page.)
 */
const WALK = `async (offset, span) => {
  const box = document.querySelector('[data-testid="log-lines"]');
  const total = Number(box.getAttribute('data-rows'));
  const seen = new Uint8Array(total + 1);
  const problems = [];
  let steps = 0;
  let maxHeld = 0;
  const channel = new MessageChannel();
  const yieldOnce = () => new Promise((r) => { channel.port1.onmessage = r; channel.port2.postMessage(0); });
  const settle = async () => {
    for (let i = 0; i < 4000; i++) {
      await (i < 4 ? yieldOnce() : new Promise((r) => setTimeout(r, 5)));
      const top = Math.floor(box.scrollTop / 20) + 1;
      if (box.querySelector('[data-testid="log-line"][data-seq="' + top + '"]') && !box.querySelector('[data-testid="log-line-pending"]')) return true;
    }
    return false;
  };
  const collect = () => {
    const rows = [...box.querySelectorAll('[data-testid="log-line"]')].map((r) => ({
      seq: Number(r.getAttribute('data-seq')), top: parseFloat(r.style.top), text: r.lastElementChild.textContent,
    }));
    rows.sort((a, b) => a.top - b.top);
    rows.forEach((r, i) => {
      if (i > 0 && r.seq !== rows[i - 1].seq + 1) problems.push('after ' + rows[i - 1].seq + ' comes ' + r.seq);
      if (offset !== null && r.text !== String(r.seq - offset)) problems.push('line ' + r.seq + ' says ' + r.text);
      if (r.seq >= 1 && r.seq <= total) seen[r.seq] = 1;
    });
    maxHeld = Math.max(maxHeld, Number(box.getAttribute('data-held-pages')));
  };
  const move = async (top) => {
    box.scrollTop = top;
    box.dispatchEvent(new Event('scroll'));
    steps++;
    if (!(await settle())) problems.push('the rows at ' + top + ' px never came');
    collect();
  };
  /** Seqs from..to not seen since the last call; then forgets what was seen. */
  const missing = (from, to) => {
    let n = 0;
    for (let s = from; s <= to; s++) if (!seen[s]) n++;
    seen.fill(0);
    return n;
  };
  const step = box.clientHeight + 30 * 20;
  const upTo = async (top) => { while (box.scrollTop > top && problems.length < 20) await move(Math.max(top, box.scrollTop - step)); };
  const downTo = async (bottom) => {
    while (box.scrollTop + box.clientHeight < Math.min(bottom, box.scrollHeight) - 1 && problems.length < 20)
      await move(Math.min(bottom - box.clientHeight, box.scrollTop + step));
  };
  const n = span === null ? total : Math.min(span, total);
  await move(box.scrollHeight);
  await upTo(span === null ? 0 : Math.max(0, box.scrollTop - n * 20));
  let missingUp = missing(total - n + 1, total);
  collect();
  await downTo(box.scrollHeight);
  let missingDown = missing(total - n + 1, total);
  if (span !== null) {
    await move(0);
    await downTo(n * 20);
    missingDown += missing(1, n);
    collect();
    await upTo(0);
    missingUp += missing(1, n);
  }
  return { total, steps, problems, missingUp, missingDown, maxHeld };
}`;

type Walk = { total: number; steps: number; problems: string[]; missingUp: number; missingDown: number; maxHeld: number };
const walk = (offset: number | null, span: number | null = null) => page.evaluate(`(${WALK})(${JSON.stringify(offset)}, ${JSON.stringify(span)})`) as Promise<Walk>;

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-log-windows-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(jobsFile, JSON.stringify({ jobs: [
    { id: 'demo.big', description: `Prints ${BIG} numbered lines`, kind: 'GLOBAL', command: ['seq', '1', String(BIG)] },
    { id: 'demo.err', description: 'An error line in the middle', kind: 'GLOBAL',
      command: ['sh', '-c', 'seq 1 3000; echo "::error::boom-marker"; seq 3002 6000; echo "::warning::careful-marker"'] },
    // Lines for about six seconds: opened while it runs, it is followed to its end.
    { id: 'demo.live', description: 'Numbered lines, slowly', kind: 'GLOBAL',
      command: ['sh', '-c', 'i=0; while [ $i -lt 60 ]; do seq $((i*100+1)) $((i*100+100)); i=$((i+1)); sleep 0.1; done'] },
  ] }));
  server = await startServerProcess({ JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC' });
  gql = await new Gql(server.url).login();
  ids.big = await execute('demo.big');
  ids.err = await execute('demo.err');
  assert.equal(await gql.ended(ids.big, 180_000), 'SUCCESS');
  assert.equal(await gql.ended(ids.err, T), 'FAILURE');

  browser = await launchBrowser();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 }, timezoneId: 'UTC', locale: 'en-GB' });
  page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().endsWith('/graphql') || r.method() !== 'POST') return;
    const body = r.postDataJSON() as { operationName?: string; variables?: (typeof windows)[number] } | null;
    if (body?.operationName === 'LogWindow' && body.variables) windows.push(body.variables);
  });
  await page.goto(`${server.url}/jobs`);
  await page.waitForURL(/\/login/);
  await page.locator(tid('login-email')).fill(ADMIN.email);
  await page.locator(tid('login-password')).fill(ADMIN.password);
  await page.locator(tid('login-submit')).click();
  await page.waitForURL(/\/jobs/);
});

after(() => closeBrowserTest({ browser, server, tmp, pageErrors }));

test('a 200,000-line log opens at its last line, reading only its tail; walked up and down at both ends, every line shows once, in order', async () => {
  const total = await lastSeq(ids.big);
  assert.ok(total >= BIG, `${total} lines`);
  // The first line the job printed: what each line says follows from its seq.
  const first = await gql.ok<{ execution: { logs: { entries: { seq: number; message: string }[] } } }>(
    'query($id: ID!) { execution(id: $id) { logs(afterSeq: 0, first: 5) { entries { seq message } } } }', { id: ids.big },
  );
  const one = first.execution.logs.entries.find((e) => e.message === '1')!;
  const offset = one.seq - 1;

  windows = [];
  await page.locator(`${tid('job-row-demo.big@global')} ${tid('log-icon')}`).click();
  await page.waitForURL((u) => u.searchParams.get('log') === ids.big);
  await lineVisible(total);
  assert.equal(await rowsCount(), total);
  assert.match(await page.locator(tid('log-count')).innerText(), /200,0\d\d lines · Complete/);
  assert.ok(windows.length >= 1 && windows.length <= 2, `${windows.length} windows read to open`);
  for (const w of windows) {
    assert.ok(w.afterSeq >= total - 2 * PAGE_LINES, `opening read the window after ${w.afterSeq}`);
    assert.equal(w.first, PAGE_LINES);
  }

  const r = await walk(offset, WALK_SPAN);
  console.log(`MEASURE walk of ${WALK_SPAN} lines at each end of ${r.total}: ${r.steps} steps, at most ${r.maxHeld} pages held`);
  assert.deepEqual(r.problems, []);
  assert.equal(r.total, total);
  assert.equal(r.missingUp, 0, 'every line seen on the way up');
  assert.equal(r.missingDown, 0, 'every line seen on the way down');
  assert.ok(r.maxHeld <= MAX_PAGES, `${r.maxHeld} pages held`);
  // Each end walked both ways, each window read at most twice per way (the jump's reads included).
  assert.ok(windows.length < (4 * WALK_SPAN) / PAGE_LINES + 10, `${windows.length} windows read`);
});

test('"Go to line" shows line 100,000, marked, reading only its window', async () => {
  windows = [];
  const input = page.locator(tid('log-jump-line'));
  await input.fill('100000');
  await input.press('Enter');
  await lineVisible(100_000, '[data-marked="true"]');
  assert.ok(windows.length <= 2 && windows.every((w) => Math.abs(w.afterSeq - 100_000) <= 2 * PAGE_LINES), JSON.stringify(windows));
  assert.equal(await page.locator(tid('log-follow')).isChecked(), false, 'a jump stops following');
  await page.screenshot({ path: screenshotPath('log-windows-jump'), animations: 'disabled' });

  // Out of range: said next to the field, nothing moves.
  await input.fill('999999999');
  await input.press('Enter');
  await page.getByText('From 1 to 200,0').waitFor();
  await lineVisible(100_000, '[data-marked="true"]');
});

test('the line parameter of the address opens the viewer at that line, marked', async () => {
  windows = [];
  await page.goto(`${server.url}/jobs?job=demo.big@global&log=${ids.big}&line=123456`);
  await lineVisible(123_456, '[data-marked="true"]');
  assert.ok(windows.every((w) => Math.abs(w.afterSeq - 123_456) <= 2 * PAGE_LINES), JSON.stringify(windows));
  // Closing the log drops its line from the address; the job window stays.
  await page.keyboard.press('Escape');
  await page.waitForURL((u) => !u.searchParams.has('log'));
  assert.equal(new URL(page.url()).searchParams.get('line'), null);
  assert.equal(new URL(page.url()).searchParams.get('job'), 'demo.big@global');
});

test('"First error" goes to the error line in the middle of a log; level and text filters page through the server', async () => {
  const total = await lastSeq(ids.err);
  await page.goto(`${server.url}/jobs?log=${ids.err}`);
  await lineVisible(total);
  await page.locator(tid('log-first-error')).click();
  const marked = page.locator(`${tid('log-line')}[data-marked="true"]`);
  await marked.filter({ hasText: 'boom-marker' }).waitFor();
  assert.equal(await marked.getAttribute('data-level'), 'ERROR');
  const errorSeq = Number(await marked.getAttribute('data-seq'));
  assert.ok(errorSeq > 3000 && errorSeq < total - 2000, `error at ${errorSeq} of ${total}`);
  await lineVisible(errorSeq);
  await page.locator(tid('log-next-error')).click();
  await page.locator(tid('log-jump-notice')).filter({ hasText: 'No error line after this one.' }).waitFor();

  // Errors only: the server's filtered window.
  windows = [];
  for (const l of ['PROGRESS', 'INFO', 'WARNING']) await clickChip(`level-${l}`);
  await page.locator(tid('log-count')).filter({ hasText: `1 of ${total.toLocaleString('en')} lines` }).waitFor();
  assert.equal(await page.locator(tid('log-line')).count(), 1);
  assert.ok(windows.some((w) => JSON.stringify(w.levels) === '["ERROR"]'), JSON.stringify(windows));
  // Back to every level: the whole log again, at its end.
  for (const l of ['PROGRESS', 'INFO', 'WARNING']) await clickChip(`level-${l}`);
  await lineVisible(total);

  // Text, in the 200,000-line log: "00000" is in 100000 and 200000 only.
  await page.goto(`${server.url}/jobs?log=${ids.big}`);
  await lineVisible(await lastSeq(ids.big));
  windows = [];
  await page.locator(tid('log-filter')).fill('00000');
  await page.locator(tid('log-count')).filter({ hasText: /^2 of 200,0\d\d lines/ }).waitFor();
  const shown = await page.locator(tid('log-line')).evaluateAll((ls) => ls.map((l) => l.lastElementChild?.textContent));
  assert.deepEqual(shown, ['100000', '200000']);
  assert.ok(windows.length > 0 && windows.every((w) => w.text === '00000'), JSON.stringify(windows));
  // A line of the filtered list, in the whole log: "Go to line" clears the filter.
  await page.locator(tid('log-jump-line')).fill('100000');
  await page.locator(tid('log-jump-line')).press('Enter');
  await lineVisible(100_000, '[data-marked="true"]');
  assert.equal(await page.locator(tid('log-filter')).inputValue(), '');
});

test('a live run is followed to its end: the tail stays on screen, no gap and no duplicate between read windows and live lines', async () => {
  const id = await execute('demo.live');
  // Open it once part of it is written: that part comes from windows, the rest live.
  const deadline = Date.now() + T;
  while ((await lastSeq(id)) < 300) {
    assert.ok(Date.now() < deadline, 'the live job writes');
    await new Promise((r) => setTimeout(r, 50));
  }
  windows = [];
  await page.goto(`${server.url}/jobs?log=${id}`);
  await page.locator(`${tid('log-viewer')}[data-stream="live"]`).waitFor();
  // While it runs, the newest line drawn is the last one of the log, on screen.
  const seen = await page.waitForFunction(() => {
    const box = document.querySelector('[data-testid="log-lines"]');
    const n = Number(box?.getAttribute('data-rows'));
    const row = box?.querySelector(`[data-testid="log-line"][data-seq="${n}"]`);
    return n > 600 && row && row.getBoundingClientRect().bottom <= box!.getBoundingClientRect().bottom + 1 ? n : false;
  });
  assert.ok(Number(await seen.jsonValue()) > 600);
  assert.ok(await page.locator(tid('log-follow')).isChecked());
  await page.screenshot({ path: screenshotPath('log-windows-live'), animations: 'disabled' });
  // Scrolling up stops following; the switch brings the tail back.
  await page.locator(tid('log-lines')).hover();
  await page.mouse.wheel(0, -3000);
  await page.waitForFunction((sel) => !(document.querySelector(sel) as HTMLInputElement).checked, tid('log-follow'));
  await page.locator(`label[for="${await page.locator(tid('log-follow')).getAttribute('id')}"]`).click();
  await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLInputElement).checked, tid('log-follow'));

  await page.locator(`${tid('log-viewer')}[data-stream="done"]`).waitFor({ timeout: 60_000 });
  const total = await lastSeq(id);
  assert.ok(total >= 6000, `${total} lines`);
  await lineVisible(total);
  assert.equal(await rowsCount(), total);
  assert.ok(await page.locator(tid('log-follow')).isChecked(), 'still following at the end');
  assert.ok(windows.every((w) => w.afterSeq < total), JSON.stringify(windows));

  const first = await gql.ok<{ execution: { logs: { entries: { seq: number; message: string }[] } } }>(
    'query($id: ID!) { execution(id: $id) { logs(afterSeq: 0, first: 5) { entries { seq message } } } }', { id },
  );
  const offset = first.execution.logs.entries.find((e) => e.message === '1')!.seq - 1;
  const r = await walk(offset);
  assert.deepEqual(r.problems, []);
  assert.equal(r.missingUp, 0);
  assert.equal(r.missingDown, 0);
  assert.equal(await page.locator(tid('log-follow')).isChecked(), true, 'back at the bottom: following again');
});

test('Download gives the whole log as text, read page by page', async () => {
  const total = await lastSeq(ids.err);
  await page.goto(`${server.url}/jobs?log=${ids.err}`);
  await lineVisible(total);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator(tid('log-download')).click()]);
  const file = path.join(tmp, 'download.txt');
  await download.saveAs(file);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.match(lines[0]!, /^# demo\.err @ global/);
  assert.equal(lines.length, total + 1);
  assert.match(lines.find((l) => l.includes('boom-marker'))!, / ERROR +boom-marker$/);
});

test('phone, dark: the viewer and its controls fit', async () => {
  const ctx = await browser.newContext({
    viewport: { width: 390, height: 844 }, colorScheme: 'dark', timezoneId: 'UTC', locale: 'en-GB', storageState: await page.context().storageState(),
  });
  const p = await ctx.newPage();
  p.setDefaultTimeout(T);
  p.on('pageerror', (e) => pageErrors.push(String(e)));
  await p.goto(`${server.url}/jobs?job=demo.err@global&log=${ids.err}&line=3001`);
  await p.locator(`${tid('log-line')}[data-marked="true"]`).waitFor();
  await p.screenshot({ path: screenshotPath('log-windows-phone-dark'), animations: 'disabled' });
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await ctx.close();
});
