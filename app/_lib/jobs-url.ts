import { STATUS_FILTERS, type StatusFilter } from './status';
import type { ExecutionStatus, JobFilter, JobRef } from './types';

// The list's state lives in the query string so a view can be bookmarked and shared:
//   /jobs?status=FAILURE,WARNING&q=purge&job=retention.purge@acme.example&log=123

const KNOWN = new Set<string>(STATUS_FILTERS.map((s) => s.value));

export function parseStatuses(raw: string | null): StatusFilter[] {
  if (!raw) return [];
  return raw.split(',').filter((s): s is StatusFilter => KNOWN.has(s));
}

export function toJobFilter(statuses: StatusFilter[], q: string): JobFilter | null {
  const filter: JobFilter = {};
  const real = statuses.filter((s): s is ExecutionStatus => s !== 'NEVER_RUN');
  if (real.length) filter.statuses = real;
  if (statuses.includes('NEVER_RUN')) filter.neverRun = true;
  if (q.trim()) filter.text = q.trim();
  return Object.keys(filter).length ? filter : null;
}

/** "jobId@domain": domains never contain "@", so the last one splits. */
export function parseJobRef(raw: string | null): JobRef | null {
  if (!raw) return null;
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) return null;
  return { jobId: raw.slice(0, at), domain: raw.slice(at + 1) };
}

export const jobKey = (r: JobRef) => `${r.jobId}@${r.domain}`;

/** A copy of `current` with `changes` applied (null or "" removes a key), as "?a=b" or "". */
export function withParams(current: URLSearchParams, changes: Record<string, string | null>) {
  const p = new URLSearchParams(current);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') p.delete(k);
    else p.set(k, v);
  }
  const s = p.toString().replaceAll('%2C', ',').replaceAll('%40', '@');
  return s ? `?${s}` : '';
}
