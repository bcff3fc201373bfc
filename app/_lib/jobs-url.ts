import { STATUS_FILTERS, type StatusFilter } from './status';
import type { JobOrder } from './generated';
import type { ExecutionStatus, JobFilter, JobKind, JobRef } from './types';

// The list's state lives in the query string so a view can be bookmarked and shared:
//   /jobs?status=FAILURE,WARNING&q=purge&domain=acme.example&sort=-last&job=retention.purge@acme.example&log=123
// `jobId=acme.purge` keeps exactly that job, every domain (what a fleet-wide change selects).
// An execution's log opens at one of its lines (marked) with `line`: /jobs?job=<jobId>@<domain>&log=<executionId>&line=<seq>

const KNOWN = new Set<string>(STATUS_FILTERS);

export function parseStatuses(raw: string | null): StatusFilter[] {
  if (!raw) return [];
  return raw.split(',').filter((s): s is StatusFilter => KNOWN.has(s));
}

export function toJobFilter(statuses: StatusFilter[], q: string, domain: string | null = null, kind: string | null = null, jobId: string | null = null): JobFilter | null {
  const filter: JobFilter = {};
  const real = statuses.filter((s): s is ExecutionStatus => s !== 'NEVER_RUN');
  if (real.length) filter.statuses = real;
  if (statuses.includes('NEVER_RUN')) filter.neverRun = true;
  if (q.trim()) filter.text = q.trim();
  if (domain) filter.domain = domain;
  if (kind === 'GLOBAL' || kind === 'PER_DOMAIN') filter.kind = kind satisfies JobKind;
  if (jobId) filter.jobId = jobId;
  return Object.keys(filter).length ? filter : null;
}

/**
 * The "Sort by" choices: `?sort=next`, `?sort=-last` (a leading "-" is descending); none is the default order.
 * `key` names the choice's words in messages/<locale>/jobs.json ("sorts.<key>").
 */
export const SORTS = [
  { value: '', key: 'job', order: null },
  { value: '-job', key: 'jobDesc', order: { field: 'JOB', direction: 'DESC' } },
  { value: 'domain', key: 'domain', order: { field: 'DOMAIN', direction: 'ASC' } },
  { value: '-domain', key: 'domainDesc', order: { field: 'DOMAIN', direction: 'DESC' } },
  { value: '-last', key: 'lastNewest', order: { field: 'LAST_EXECUTION', direction: 'DESC' } },
  { value: 'last', key: 'lastOldest', order: { field: 'LAST_EXECUTION', direction: 'ASC' } },
  { value: 'next', key: 'nextSoonest', order: { field: 'NEXT_RUN', direction: 'ASC' } },
  { value: '-next', key: 'nextLatest', order: { field: 'NEXT_RUN', direction: 'DESC' } },
] as const satisfies readonly { value: string; key: string; order: JobOrder | null }[];

/** An unknown value falls back to the default order, like an unknown status is dropped. */
export function parseSort(raw: string | null): { value: string; order: JobOrder | null } {
  const s = SORTS.find((x) => x.value === (raw ?? ''));
  return s ? { value: s.value, order: s.order } : { value: '', order: null };
}

/** Orders a status change can move a row in (a filter on status can also make it enter or leave). */
export const liveSensitive = (filter: JobFilter | null, order: JobOrder | null) =>
  Boolean(filter?.statuses?.length || filter?.neverRun || order?.field === 'LAST_EXECUTION' || order?.field === 'NEXT_RUN');

/** "jobId@domain": domains never contain "@", so the last one splits. */
export function parseJobRef(raw: string | null): JobRef | null {
  if (!raw) return null;
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) return null;
  return { jobId: raw.slice(0, at), domain: raw.slice(at + 1) };
}

export const jobKey = (r: JobRef) => `${r.jobId}@${r.domain}`;

/** `line`: a seq (1 or more) of the open log; anything else is no line. */
export function parseLine(raw: string | null): number | null {
  if (!raw || !/^\d{1,10}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && Number.isSafeInteger(n) ? n : null;
}

/** The jobs page with one execution's log open, at line `line` (a seq) when given: a search hit's link. */
export function logHref(ref: JobRef, executionId: string, line?: number | null) {
  return `/jobs${withParams(new URLSearchParams(), { job: jobKey(ref), log: executionId, line: line ? String(line) : null })}`;
}

/**
 * A copy of `current` with `changes` applied (null or "" removes a key), as "?a=b" or "".
 * `line` belongs to the log it points into: opening another log or closing it drops it.
 */
export function withParams(current: URLSearchParams, changes: Record<string, string | null>) {
  const p = new URLSearchParams(current);
  if ('log' in changes && !('line' in changes) && changes.log !== p.get('log')) p.delete('line');
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') p.delete(k);
    else p.set(k, v);
  }
  const s = p.toString().replaceAll('%2C', ',').replaceAll('%40', '@');
  return s ? `?${s}` : '';
}
