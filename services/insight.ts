/**
 * Answers to an operator's first questions (API.md "Insight"): is anything wrong now (overview),
 * is this job getting slower (a row's statistics), what runs next (upcoming occurrences). All in
 * the viewer's scope, all bounded.
 */
import { lastRuns, overviewCounts } from '../db/queries/insight';
import { withScope } from '../db/scope';
import { effectiveRule } from '../jobs/effective-rule';
import { nextRunOf } from '../jobs/spread';
import { memoNextOccurrence } from '../jobs/plan';
import { badInput } from '../lib/errors';
import { canSeeDomain, scopeOf, type Viewer } from './access';
import type { Deps, Loaders } from './deps';
import { listJobs, type JobView } from './jobs';
import { openAlertCount } from './alerts';
import { decodeCursor, encodeCursor, pageSize } from './paging';

export async function overview(deps: Deps, v: Viewer, domain?: string | null) {
  const d = domain?.trim().toLowerCase() || undefined;
  if (d && d.length > 253) throw badInput('domain', 'This is not a domain name.');
  const scope = scopeOf(v);
  // A domain outside the scope counts like one with nothing in it.
  if (d && !canSeeDomain(v, d)) return { running: 0, waiting: 0, succeededLast24h: 0, warningsLast24h: 0, failedLast24h: 0, openAlerts: 0, rowsByStatus: [] };
  const counts = await withScope(deps.sql, scope, (tx) => overviewCounts(tx, scope, d));
  return { ...counts, openAlerts: await openAlertCount(deps, v, d) };
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : null);

/** The last `last` (1–500) ended runs of a row: points oldest first, success rate, p50 and p95 duration. */
export async function rowStats(deps: Deps, row: JobView, last: number | null | undefined) {
  const n = last ?? 50;
  if (!Number.isInteger(n) || n < 1 || n > 500) throw badInput('last', 'last must be between 1 and 500.');
  const runs = await lastRuns(deps.sql, row.id, n);
  const durations = runs.map((r) => r.durationMs).filter((d): d is number => d !== null).sort((a, b) => a - b);
  const ok = runs.filter((r) => r.status === 'SUCCESS' || r.status === 'WARNING').length;
  return {
    runs: runs.length,
    successRate: runs.length ? ok / runs.length : null,
    durationP50Ms: pct(durations, 50),
    durationP95Ms: pct(durations, 95),
    points: runs.reverse().map((r) => ({ ...r, executionId: String(r.executionId) })),
  };
}

const MAX_WINDOW_MS = 7 * 24 * 3600_000;
const ROWS_PER_READ = 200;
type Cursor = { at: number; row: string };

/**
 * Occurrences between `from` and `to` in time order, a page at a time, never all of them: rows come
 * from the database in order of their next run (an index), and each row's later occurrences are
 * computed only as the page reaches them (a merge of the rows' sequences).
 */
export async function upcoming(
  deps: Deps,
  v: Viewer,
  loaders: Loaders,
  a: { from?: Date | null; to?: Date | null; filter?: Parameters<typeof listJobs>[3]; first?: number | null; after?: string | null },
  opts: { brief?: boolean } = {},
) {
  const first = pageSize(a.first, 100, 500);
  const from = a.from ?? new Date();
  const to = a.to ?? new Date(from.getTime() + 24 * 3600_000);
  if (to.getTime() <= from.getTime()) throw badInput('to', 'to must be after from.');
  if (to.getTime() - from.getTime() > MAX_WINDOW_MS) throw badInput('to', 'Ask for at most 7 days at a time.');
  const cursor = a.after ? decodeCursor<Cursor>(a.after, 'after', (c) => !!c && typeof (c as Cursor).at === 'number' && typeof (c as Cursor).row === 'string') : undefined;
  const startMs = Math.max(from.getTime() - 1, cursor ? cursor.at - 1 : -Infinity);
  const isAfterCursor = (at: number, row: string) => !cursor || at > cursor.at || (at === cursor.at && row > cursor.row);

  type Item = { at: number; row: JobView };
  const heap: Item[] = [];
  const before = (x: Item, y: Item) => x.at < y.at || (x.at === y.at && x.row.id < y.row.id);
  const push = (it: Item) => {
    heap.push(it);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  const ruleOf = (row: JobView) => effectiveRule(row, deps.catalog.get(row.jobId), deps.config.DEFAULT_TIME_ZONE);
  // Rows of one job share their rule: each (rule, instant) is worked out once per page.
  const occurrence = memoNextOccurrence();
  /** The row's first occurrence after startMs (its stored next run when that is already later). */
  const firstOf = (row: JobView) => {
    if (row.nextRunAt && row.nextRunAt.getTime() > startMs) return row.nextRunAt.getTime();
    const rule = ruleOf(row);
    return rule ? (nextRunOf(rule, row, new Date(startMs), occurrence)?.getTime() ?? null) : null;
  };

  let rowsAfter: string | null | undefined;
  let rowsDone = false;
  // The (next run, id) of the last row read: rows come in that order (ties by id, as the heap breaks
  // them), and a row's first occurrence is never before its stored next run, so every row not read
  // yet comes after this key. Items up to it can go out; rows tied at one instant (every hourly row
  // at :00) no longer have to be read all before the first of them is answered.
  let lastRead = { at: -Infinity, id: '' };
  const readRows = async () => {
    const page = await listJobs(deps, v, loaders, a.filter, ROWS_PER_READ, rowsAfter, { field: 'NEXT_RUN', direction: 'ASC' }, { count: false, brief: opts.brief });
    for (const row of page.nodes) {
      if (!row.nextRunAt || row.nextRunAt.getTime() >= to.getTime()) {
        rowsDone = true;
        break;
      }
      const at = firstOf(row);
      if (at !== null && at < to.getTime()) push({ at, row });
    }
    const last = page.nodes[page.nodes.length - 1];
    // No further page, or a cursor that did not move: every row has been read.
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor || page.pageInfo.endCursor === rowsAfter) rowsDone = true;
    rowsAfter = page.pageInfo.endCursor;
    lastRead = last?.nextRunAt ? { at: last.nextRunAt.getTime(), id: last.id } : { at: Infinity, id: '' };
  };

  const out: { job: JobView; at: Date }[] = [];
  while (out.length <= first) {
    // A row not read yet may come before the earliest queued occurrence unless that one is not after the last row read.
    while (!rowsDone && (heap.length === 0 || before({ at: lastRead.at, row: { id: lastRead.id } as JobView }, heap[0]!))) await readRows();
    if (!heap.length) break;
    const { at, row } = pop();
    if (isAfterCursor(at, row.id)) out.push({ job: row, at: new Date(at) });
    const rule = ruleOf(row);
    const next = rule ? nextRunOf(rule, row, new Date(at), occurrence) : null;
    if (next && next.getTime() < to.getTime()) push({ at: next.getTime(), row });
  }
  const nodes = out.slice(0, first);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    pageInfo: { hasNextPage: out.length > first, endCursor: last ? encodeCursor({ at: last.at.getTime(), row: last.job.id } satisfies Cursor) : null },
  };
}
