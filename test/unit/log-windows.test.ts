/**
 * The log viewer's windows (app/_components/log-viewer/log-pages.ts) against an in-memory log:
 * only the pages on screen are read, at most MAX_PAGES are kept, live lines and read windows meet
 * without a gap or a duplicate, and a filter pages forward with a bounded cache too. Also the `line`
 * parameter of the jobs page's address.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FilterRows, MAX_PAGES, PAGE_LINES, SeqRows, type FetchWindow, type LogFilter } from '../../app/_components/log-viewer/log-pages';
import { logHref, parseLine, withParams } from '../../app/_lib/jobs-url';
import type { LogEntry } from '../../app/_lib/types';

function makeLog(n: number) {
  const log: LogEntry[] = [];
  const grow = (m: number) => {
    for (let i = 0; i < m; i++) {
      const seq = log.length + 1;
      log.push({ seq, at: '2026-01-01T00:00:00.000Z', level: seq % 97 === 0 ? 'ERROR' : 'INFO', message: `line ${seq}` });
    }
  };
  grow(n);
  const asked: { afterSeq: number; first: number; filter: LogFilter | null }[] = [];
  const fetch: FetchWindow = async (afterSeq, first, filter) => {
    asked.push({ afterSeq, first, filter });
    await Promise.resolve();
    const out: LogEntry[] = [];
    let hasMore = false;
    for (let i = afterSeq; i < log.length; i++) {
      const e = log[i]!;
      if (filter?.levels && !filter.levels.includes(e.level)) continue;
      if (filter?.text && !e.message.includes(filter.text)) continue;
      if (out.length === first) {
        hasMore = true;
        break;
      }
      out.push(e);
    }
    return { entries: out, hasMore };
  };
  return { log, grow, asked, fetch };
}

/** Until every request started so far (and the ones they start) has answered. */
async function settle() {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}

const events = () => ({ changed: () => undefined, error: (e: unknown) => assert.fail(String(e)), gone: () => assert.fail('gone') });

test('the tail is read first, and only the pages on screen are read', async () => {
  const l = makeLog(1_000_000);
  const rows = new SeqRows(l.fetch, events());
  rows.total = 1_000_000;
  rows.show(999_960, 999_999);
  await settle();
  assert.deepEqual(l.asked.map((a) => a.afterSeq), [1_000_000 - PAGE_LINES]);
  assert.equal(rows.entry(999_999)?.seq, 1_000_000);
  assert.equal(rows.entry(999_960)?.message, 'line 999961');
  assert.equal(rows.entry(0), undefined, 'the start of the log is not held');

  rows.show(499_980, 500_020); // a jump to line 500,000: two pages, nothing between
  await settle();
  assert.deepEqual(l.asked.slice(1).map((a) => a.afterSeq).sort((a, b) => a - b), [499_500, 500_000]);
  for (let i = 499_980; i <= 500_020; i++) assert.equal(rows.entry(i)?.seq, i + 1);
});

test('at most MAX_PAGES pages are held, the ones on screen never evicted', async () => {
  const l = makeLog(200_000);
  const rows = new SeqRows(l.fetch, events());
  rows.total = 200_000;
  for (let top = 199_960; top >= 0; top -= 700) {
    rows.show(Math.max(0, top - 20), top + 60);
    await settle();
    assert.ok(rows.held <= MAX_PAGES, `${rows.held} pages held`);
    for (let i = Math.max(0, top - 20); i <= Math.min(199_999, top + 60); i++) assert.equal(rows.entry(i)?.seq, i + 1);
  }
  assert.equal(rows.held, MAX_PAGES);
  // Back at the end: the tail page was evicted and is read again.
  const before = l.asked.length;
  rows.show(199_900, 199_999);
  await settle();
  assert.equal(l.asked.length, before + 1);
  assert.equal(rows.entry(199_999)?.seq, 200_000);
});

test('live lines continue the read windows: no gap, no duplicate, even when a page read races them', async () => {
  const l = makeLog(1_234);
  const rows = new SeqRows(l.fetch, events());
  rows.total = 1_234; // what LOG_HEAD said; the subscription starts after it
  rows.show(1_200, 1_233);
  // Lines written while the tail page is being read arrive live before its answer.
  l.grow(300);
  rows.append(l.log.slice(1_234, 1_534));
  await settle();
  assert.equal(rows.total, 1_534);
  rows.show(1_000, 1_533);
  await settle();
  for (let i = 1_000; i < 1_534; i++) assert.equal(rows.entry(i)?.seq, i + 1, `row ${i}`);
  const reads = l.asked.length;
  rows.show(1_000, 1_533);
  await settle();
  assert.equal(l.asked.length, reads, 'complete pages are not read again');
});

test('a filter pages forward through the server, bounded too, and an evicted page is read again from its cursor', async () => {
  const l = makeLog(200_000);
  const filter: LogFilter = { levels: ['ERROR'], text: null };
  const rows = new FilterRows(l.fetch, events(), filter, () => l.log.length);
  rows.show(0, 40);
  await settle();
  assert.equal(rows.count, PAGE_LINES);
  assert.ok(rows.more);
  assert.equal(rows.entry(0)?.seq, 97);
  assert.equal(rows.entry(1)?.seq, 194);
  // Scroll to the end of what is read, again and again, until the end of the matches.
  while (rows.more) {
    rows.show(Math.max(0, rows.count - 40), rows.count);
    await settle();
    assert.ok(rows.held <= MAX_PAGES);
  }
  const matches = Math.floor(200_000 / 97);
  assert.equal(rows.count, matches);
  assert.equal(rows.entry(matches - 1)?.seq, matches * 97);
  assert.ok(l.asked.every((a) => a.filter === filter && a.first === PAGE_LINES));
  // The first page was evicted long ago: it comes back from its cursor, the same lines.
  rows.show(0, 40);
  await settle();
  assert.equal(rows.entry(0)?.seq, 97);
  assert.equal(rows.entry(40)?.seq, 41 * 97);
});

test('a filtered list at the end of a live log picks up new matches', async () => {
  const l = makeLog(1_000);
  const rows = new FilterRows(l.fetch, events(), { levels: null, text: '7' }, () => l.log.length);
  rows.show(0, 100);
  await settle();
  assert.ok(!rows.more);
  const before = rows.count;
  l.grow(1_000);
  const expected = l.log.filter((e) => e.message.includes('7')).map((e) => e.seq);
  // The refresh is throttled (REFRESH_MS): wait for it as the list would, drawing again.
  const deadline = Date.now() + 5_000;
  while (rows.count < expected.length && Date.now() < deadline) {
    rows.show(0, rows.count);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(rows.count > before);
  rows.show(0, rows.count);
  await settle();
  assert.deepEqual(Array.from({ length: rows.count }, (_, i) => rows.entry(i)?.seq), expected);
  rows.close();
});

test('the line parameter: parsed strictly, kept with its log, dropped when the log changes or closes', () => {
  assert.equal(parseLine('123'), 123);
  for (const bad of [null, '', '0', '-3', '1.5', 'abc', '12a', '99999999999']) assert.equal(parseLine(bad), null, String(bad));
  assert.equal(logHref({ jobId: 'a.b', domain: 'x.example' }, '42', 1000), '/jobs?job=a.b@x.example&log=42&line=1000');
  assert.equal(logHref({ jobId: 'a.b', domain: 'x.example' }, '42'), '/jobs?job=a.b@x.example&log=42');
  const open = new URLSearchParams('job=a.b@x.example&log=42&line=7');
  assert.equal(withParams(open, { log: null }), '?job=a.b@x.example');
  assert.equal(withParams(open, { log: '43' }), '?job=a.b@x.example&log=43');
  assert.equal(withParams(open, { log: '42' }), '?job=a.b@x.example&log=42&line=7');
  assert.equal(withParams(open, { tab: 'executions' }), '?job=a.b@x.example&log=42&line=7&tab=executions');
});
