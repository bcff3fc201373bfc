/**
 * The log viewer at any size (issue #17), measured in Chromium against its own server (embedded
 * PostgreSQL, the built console): a 1,000,000-line execution (`seq 1 1000000`), then
 *  - click on the row's log icon → its last line on screen (target ≤ 500 ms);
 *  - "Go to line" 500,000 → that line on screen (target ≤ 500 ms);
 *  - the tab's JS heap (CDP Runtime.getHeapUsage) at its highest over these and a sweep of the
 *    scroll bar across the whole log (target < 150 MB).
 * Raw limits in the same run: the bare `logs(afterSeq, first: 500)` request for the same window over
 * HTTP (the viewer cannot show a window faster than the server gives it), and the jobs page's own
 * heap before the viewer opened. `ratio` = measured / raw.
 *
 * Run alone: `npx tsx test/bench/viewer.ts` (after `npm run build`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { PAGE_LINES } from '../../app/_components/log-viewer/log-pages';
import { ADMIN } from '../helpers/app';
import { launchBrowser, tid } from '../helpers/browser';
import { startServerProcess } from '../helpers/server-process';
import { Http } from './client';

const LINES = 1_000_000;
const OPENS = 5;

export type ViewerFigure = { figure: string; measured: string; target: string; raw: string; ratio: number };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/**
 * In the page: the time from the next `start` event (a click on `startSel`, or Enter in it) to the
 * first frame after line `seq` is inside the list's visible box. A string: the functions tsx
 * compiles carry helpers that do not exist in the page.
 */
const ARM = `(([startSel, event, seq]) => new Promise((resolve) => {
  let t0 = 0;
  const visible = () => {
    const box = document.querySelector('[data-testid="log-lines"]');
    const row = box && box.querySelector('[data-testid="log-line"][data-seq="' + seq + '"]');
    if (!row) return false;
    const b = box.getBoundingClientRect(), r = row.getBoundingClientRect();
    return r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
  };
  const check = () => {
    if (!t0 || !visible()) return;
    observer.disconnect();
    requestAnimationFrame(() => resolve(performance.now() - t0));
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, { subtree: true, childList: true, attributes: true });
  document.addEventListener(event, (e) => {
    if (event === 'keydown' && e.key !== 'Enter') return;
    if (e.target.closest(startSel)) { t0 = performance.now(); setTimeout(check, 0); }
  }, { capture: true, once: event === 'click' });
}))`;

async function timed(page: Page, startSel: string, event: 'click' | 'keydown', seq: number, act: () => Promise<void>) {
  const result = page.evaluate(`${ARM}(${JSON.stringify([startSel, event, seq])})`) as Promise<number>;
  await act();
  return result;
}

export async function viewerBench(): Promise<ViewerFigure[]> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-bench-viewer-'));
  const jobsFile = path.join(tmp, 'jobs.json');
  writeFileSync(jobsFile, JSON.stringify({ jobs: [{ id: 'bench.million', description: 'A million log lines', kind: 'GLOBAL', command: ['seq', '1', String(LINES)] }] }));
  const server = await startServerProcess(
    { JOBS_FILE: jobsFile, DEFAULT_TIME_ZONE: 'UTC', LOG_MAX_LINES: String(LINES + 1000) },
    { embedded: true, timeoutMs: 120_000 },
  );
  const browser = await launchBrowser();
  try {
    const http = await new Http(server.url).signIn(ADMIN.email, ADMIN.password);
    const [id] = await http.executeNow([{ jobId: 'bench.million', domain: 'global' }]);
    let total = 0;
    for (const deadline = Date.now() + 600_000; ; ) {
      const d = await http.q<{ execution: { status: string; lastSeq: number } }>('query($id: ID!) { execution(id: $id) { status lastSeq } }', { id: String(id) });
      if (d.execution.status !== 'IN_PROGRESS') {
        if (d.execution.status !== 'SUCCESS') throw new Error(`the ${LINES}-line run ended ${d.execution.status}`);
        total = d.execution.lastSeq;
        break;
      }
      if (Date.now() > deadline) throw new Error(`the ${LINES}-line run did not end in 10 minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const target = Math.min(500_000, total);

    // Raw limit: the same windows, bare, over HTTP (the tail the viewer opens at, the jump's window).
    const windowQ = 'query($id: ID!, $a: Int!) { execution(id: $id) { id logs(afterSeq: $a, first: 500) { entries { seq at level message } hasMore } } }';
    const bare = async (afterSeq: number) => {
      const xs: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await http.q(windowQ, { id: String(id), a: afterSeq });
        xs.push(performance.now() - t0);
      }
      return median(xs);
    };
    const rawTail = await bare(Math.floor((total - 1) / PAGE_LINES) * PAGE_LINES);
    const rawJump = await bare(Math.floor((target - 1) / PAGE_LINES) * PAGE_LINES);

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-GB' });
    const page = await ctx.newPage();
    page.setDefaultTimeout(60_000);
    const cdp = await ctx.newCDPSession(page);
    const heap = async () => ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
    await page.goto(`${server.url}/jobs`);
    await page.locator(tid('login-email')).fill(ADMIN.email);
    await page.locator(tid('login-password')).fill(ADMIN.password);
    await page.locator(tid('login-submit')).click();
    await page.waitForURL(/\/jobs/);
    const icon = `${tid('job-row-bench.million@global')} ${tid('log-icon')}`;
    await page.locator(icon).waitFor();
    await cdp.send('HeapProfiler.collectGarbage');
    const baseHeap = await heap();
    let peakHeap = baseHeap;

    const opens: number[] = [];
    const jumps: number[] = [];
    for (let i = 0; i < OPENS; i++) {
      opens.push(await timed(page, tid('log-icon'), 'click', total, () => page.locator(icon).click()));
      peakHeap = Math.max(peakHeap, await heap());
      const input = page.locator(tid('log-jump-line'));
      await input.fill(String(target));
      jumps.push(await timed(page, tid('log-jump-line'), 'keydown', target, () => input.press('Enter')));
      peakHeap = Math.max(peakHeap, await heap());
      if (i === 0) {
        // The scroll bar dragged across the whole log: every position reads its window, the cache stays bounded.
        for (let k = 0; k <= 100; k++) {
          await page.evaluate(
            `(async (f) => { const b = document.querySelector('[data-testid="log-lines"]'); b.scrollTop = (b.scrollHeight - b.clientHeight) * f;
              for (let n = 0; n < 400 && b.querySelector('[data-testid="log-line-pending"]'); n++) await new Promise((r) => setTimeout(r, 5)); })(${k / 100})`,
          );
          if (k % 10 === 0) peakHeap = Math.max(peakHeap, await heap());
        }
      }
      await page.keyboard.press('Escape');
      await page.waitForURL((u) => !u.searchParams.has('log'));
      await page.locator(tid('log-viewer')).waitFor({ state: 'detached' });
    }
    peakHeap = Math.max(peakHeap, await heap());
    const open = median(opens);
    const jump = median(jumps);
    const n = total.toLocaleString('en-US');
    return [
      {
        figure: `log viewer: click → last line of a ${n}-line log on screen (Chromium)`,
        measured: `p50 ${ms(open)} (worst ${ms(Math.max(...opens))}, ${OPENS} opens)`,
        target: '≤ 500 ms',
        raw: `bare logs(afterSeq, first: 500) of the tail over HTTP, p50 ${ms(rawTail)}`,
        ratio: open / rawTail,
      },
      {
        figure: `log viewer: go to line ${target.toLocaleString('en-US')} → on screen (Chromium)`,
        measured: `p50 ${ms(jump)} (worst ${ms(Math.max(...jumps))}, ${OPENS} jumps)`,
        target: '≤ 500 ms',
        raw: `bare logs(afterSeq, first: 500) of that window over HTTP, p50 ${ms(rawJump)}`,
        ratio: jump / rawJump,
      },
      {
        figure: `log viewer: tab's JS heap, highest over the opens, jumps and a sweep of the whole log`,
        measured: mb(peakHeap),
        target: '< 150 MB',
        raw: `the jobs page before the viewer opened: ${mb(baseHeap)}`,
        ratio: peakHeap / baseHeap,
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await viewerBench();
  console.log('| figure | measured | target | raw limit (same run) | ratio |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.figure} | ${r.measured} | ${r.target} | ${r.raw} | ${r.ratio.toFixed(2)} |`);
}
