import { insertAudit } from '../db/queries/audit';
import * as q from '../db/queries/executions';
import type { ExecutionRecord } from '../db/queries/executions';
import { LATE_AFTER_MS } from '../jobs/runner';
import { markRead, readLogs, type LogRecord } from '../db/queries/logs';
import type { Viewer } from './access';
import { canSeeDomain, scopeOf } from './access';
import { withScope } from '../db/scope';
import { badInput, notFound } from '../lib/errors';
import type { Deps, Loaders } from './deps';
import { decodeCursor, encodeCursor, pageSize } from './paging';

const LOG_LEVELS = ['PROGRESS', 'INFO', 'WARNING', 'ERROR'];

/** Parses an execution id; anything malformed answers like a missing execution. */
export function parseExecutionId(id: string | number): number | undefined {
  const s = String(id);
  if (!/^[1-9][0-9]{0,15}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 2_147_483_647 ? n : undefined;
}

export async function getExecution(deps: Deps, v: Viewer, loaders: Loaders, id: string | number) {
  const n = parseExecutionId(id);
  if (n === undefined) return null;
  const e = await loaders.execution.load(n);
  return e && canSeeDomain(v, e.domain) && deps.catalog.get(e.jobId) ? e : null;
}

async function mustGet(deps: Deps, v: Viewer, loaders: Loaders, id: string) {
  const e = await getExecution(deps, v, loaders, id);
  if (!e) throw notFound(`Execution ${String(id).slice(0, 40)}`);
  return e;
}

export type RowExecutionArgs = { first?: number | null; after?: string | null; statuses?: string[] | null; triggers?: string[] | null; startedAfter?: Date | null; startedBefore?: Date | null };

/** A page request of a row's executions, checked (its key among a request's prefetched pages: rowPageKey). */
function rowExecutionQuery(row: { jobId: string; domain: string }, args: RowExecutionArgs) {
  const first = pageSize(args.first, 20, 200);
  const beforeId = args.after ? decodeCursor<number>(args.after, 'after', (c) => Number.isInteger(c) && (c as number) > 0) : undefined;
  const filter = {
    first,
    beforeId,
    statuses: args.statuses ?? undefined,
    triggers: args.triggers ?? undefined,
    startedAfter: args.startedAfter ?? undefined,
    startedBefore: args.startedBefore ?? undefined,
  };
  return { first, filter };
}
const rowPageKey = (row: { jobId: string; domain: string }, filter: ReturnType<typeof rowExecutionQuery>['filter']) => JSON.stringify([row.jobId, row.domain, filter]);

/**
 * Starts reading a page of a row's executions at the same time as the row itself (`job(jobId,
 * domain) { executions }`): two reads together instead of one after the other. listForRow takes
 * the page up once the row is found visible; otherwise it is dropped unread. Row-level security
 * applies to it as to any read of the viewer's.
 */
export function prefetchRowExecutions(deps: Deps, v: Viewer, loaders: Loaders, row: { jobId: string; domain: string }, args: RowExecutionArgs) {
  prefetch(loaders.rowExecutionPages, () => {
    const { filter } = rowExecutionQuery(row, args);
    return { key: rowPageKey(row, filter), filter };
  }, (filter) => withScope(deps.sql, scopeOf(v), (tx) => q.listRowExecutions(tx, row, filter)));
}

/**
 * Starts a read that a field of this request will take up, under its key in `pages` (once per key).
 * A request that does not check out is not read ahead: the field answers its error. A read that
 * fails or is never taken up (its parent not visible) is the field's to report, or nobody's.
 */
function prefetch<F, T>(pages: Map<string, Promise<T>>, ask: () => { key: string; filter: F }, read: (filter: F) => Promise<T>) {
  let asked: { key: string; filter: F };
  try {
    asked = ask();
  } catch {
    return;
  }
  if (pages.has(asked.key)) return;
  const page = read(asked.filter);
  page.catch(() => {});
  pages.set(asked.key, page);
}

export async function listForRow(deps: Deps, loaders: Loaders, row: { id: string; jobId: string; domain: string }, args: RowExecutionArgs) {
  const { first, filter } = rowExecutionQuery(row, args);
  // Most pages were not read ahead (only job(jobId, domain) does): no key to make for them.
  const prefetched = loaders.rowExecutionPages.size ? loaders.rowExecutionPages.get(rowPageKey(row, filter)) : undefined;
  const { nodes, totalCount } = (prefetched && (await prefetched.catch(() => undefined))) || (await q.listRowExecutions(deps.sql, row.id, filter));
  const page = nodes.slice(0, first);
  const last = page[page.length - 1];
  return { nodes: page, totalCount, pageInfo: { hasNextPage: nodes.length > first, endCursor: last ? encodeCursor(last.id) : null } };
}

type LogPageArgs = { afterSeq?: number | null; first?: number | null; levels?: string[] | null; text?: string | null };

/** A log page request, checked: the read's own filter, its size, and its key among a request's prefetched pages. */
function logQuery(id: number, args: LogPageArgs) {
  const first = pageSize(args.first, 500, 5000);
  const afterSeq = args.afterSeq ?? 0;
  if (!Number.isInteger(afterSeq) || afterSeq < 0) throw badInput('afterSeq', 'afterSeq must be 0 or more.');
  if (args.text && args.text.length > 200) throw badInput('text', 'Search text is limited to 200 characters.');
  const levels = args.levels?.filter((l) => LOG_LEVELS.includes(l));
  const filter = { afterSeq, first: first + 1, levels: levels ?? undefined, text: args.text ?? undefined };
  return { first, filter, key: JSON.stringify([id, filter]) };
}

function readLogPage(deps: Deps, v: Viewer, id: number, filter: ReturnType<typeof logQuery>['filter']) {
  return withScope(deps.sql, scopeOf(v), (tx) => readLogs(tx, id, filter));
}

/**
 * Starts reading a log page of execution `id` at the same time as the execution itself (a query
 * that asks for both): the two reads go out together instead of one after the other. logsPage
 * takes the page up once the execution is found visible; otherwise it is dropped unread. Row-level
 * security applies to it as to any read of the viewer's. Only plain pages (no level or text
 * filter): logsPage can tell whether such a page is as new as the execution read beside it.
 */
export function prefetchLogs(deps: Deps, v: Viewer, loaders: Loaders, id: string | number, args: LogPageArgs) {
  const n = parseExecutionId(id);
  if (n === undefined || args.levels?.length || args.text) return;
  prefetch(loaders.logPages, () => logQuery(n, args), (filter) => readLogPage(deps, v, n, filter));
}

/**
 * Whether a plain page holds every entry the execution said it had when it was read: the page's
 * read may have started a moment before the execution's, and a reader who sees a run ended must
 * see its last lines. Seqs are consecutive and written with last_seq in one statement.
 */
function asNewAs(rows: readonly LogRecord[], filter: ReturnType<typeof logQuery>['filter'], lastSeq: number) {
  return rows.length >= Math.min(filter.first, Math.max(0, lastSeq - filter.afterSeq));
}

export async function logsPage(deps: Deps, v: Viewer, loaders: Loaders, e: q.ExecutionRecord, args: LogPageArgs) {
  const { first, filter, key } = logQuery(e.id, args);
  const prefetched = loaders.logPages.get(key);
  let rows = prefetched ? await prefetched : undefined;
  if (!rows || !asNewAs(rows, filter, e.lastSeq)) rows = await readLogPage(deps, v, e.id, filter);
  return { entries: rows.slice(0, first), hasMore: rows.length > first };
}

export async function cancelExecution(deps: Deps, v: Viewer, loaders: Loaders, id: string) {
  const e = await mustGet(deps, v, loaders, id);
  if (e.status !== 'IN_PROGRESS') return e;
  // Nobody runs it yet: cancel on the spot. Otherwise the owning worker hears the NOTIFY and aborts.
  const done = await q.cancelUnclaimed(deps.sql, e.id, v.email);
  const result = done ?? (await q.requestCancel(deps.sql, e.id, v.email)) ?? (await q.findExecution(deps.sql, e.id))!;
  await deps.sql`SELECT pg_notify('jobdeck_cancel', ${String(e.id)}), pg_notify('jobdeck_exec', ${String(e.id)})`;
  await insertAudit(deps.sql, { actor: v.email, action: 'cancelExecution', target: String(e.id), domain: e.domain, address: v.address });
  loaders.execution.clear(e.id);
  return result;
}

export async function deleteExecutions(deps: Deps, v: Viewer, loaders: Loaders, ids: string[]) {
  if (ids.length === 0) throw badInput('ids', 'Give at least one execution id.');
  if (ids.length > 1000) throw badInput('ids', 'At most 1000 executions at once.');
  const found = await Promise.all(ids.map((id) => getExecution(deps, v, loaders, id)));
  const visible = found.filter((e): e is q.ExecutionRecord => !!e);
  const missing = ids.findIndex((_, i) => !found[i]);
  if (missing >= 0) throw notFound(`Execution ${String(ids[missing]).slice(0, 40)}`);
  const running = visible.find((e) => e.status === 'IN_PROGRESS');
  if (running) throw badInput('ids', `Execution ${running.id} is still running; cancel it first.`);
  const n = await deps.sql.begin(async (tx) => {
    const t = tx as unknown as typeof deps.sql;
    const count = await q.deleteFinished(t, visible.map((e) => e.id));
    await insertAudit(t, { actor: v.email, action: 'deleteExecutions', target: visible.map((e) => e.id).join(','), details: { count }, address: v.address });
    return count;
  });
  return n;
}

export async function markLogsRead(deps: Deps, v: Viewer, loaders: Loaders, id: string) {
  const e = await mustGet(deps, v, loaders, id);
  await markRead(deps.sql, v.userId, e.rowId, e.id, e.lastSeq);
  return true;
}

/** A scheduled run that started noticeably after its occurrence (the service was down, or every worker busy). */
export const isLate = (e: ExecutionRecord) => !!e.occurrenceAt && e.startedAt.getTime() - e.occurrenceAt.getTime() > LATE_AFTER_MS;
