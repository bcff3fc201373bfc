// The search's state lives in the query string so a search can be bookmarked and shared:
//   /search?q=timeout&job=retention.purge&domain=acme.example&levels=ERROR,WARNING&from=2026-11-01&to=2026-11-29
// `from` and `to` are days of the viewer's calendar: runs started from the start of `from` to the end of `to`.
import type { LogSearch } from '../../_lib/generated';
import { LEVELS } from '../../_lib/status';
import type { LogLevel } from '../../_lib/types';

/** The API's bounds on the text (services/log-search.ts), checked here before anything is sent. */
export const TEXT_MIN = 2;
export const TEXT_MAX = 200;

export interface SearchState {
  q: string;
  job: string;
  domain: string | null;
  levels: LogLevel[];
  /** YYYY-MM-DD or null. */
  from: string | null;
  to: string | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const KNOWN = new Set<string>(LEVELS);

export function parseSearch(p: URLSearchParams): SearchState {
  const day = (k: string) => {
    const v = p.get(k);
    return v && DAY.test(v) ? v : null;
  };
  return {
    q: p.get('q') ?? '',
    job: p.get('job') ?? '',
    domain: p.get('domain') || null,
    levels: (p.get('levels') ?? '').split(',').filter((l): l is LogLevel => KNOWN.has(l)),
    from: day('from'),
    to: day('to'),
  };
}

/** Why a text cannot be searched for, or null when it can. Characters, not UTF-16 units, as the server counts. */
export function textProblem(q: string): 'short' | 'long' | null {
  const n = [...q].length;
  if (n < TEXT_MIN || !q.trim()) return 'short';
  if (n > TEXT_MAX) return 'long';
  return null;
}

/** The first moment of a day of the viewer's calendar, plus `days` days (ISO). */
function dayStart(day: string, days = 0): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + days).toISOString();
}

/** The API's input for a state, or null while there is nothing to search for. */
export function toLogSearch(s: SearchState): LogSearch | null {
  if (textProblem(s.q)) return null;
  return {
    text: s.q,
    jobId: s.job.trim() || null,
    domain: s.domain,
    levels: s.levels.length ? s.levels : null,
    startedAfter: s.from ? dayStart(s.from) : null,
    startedBefore: s.to ? dayStart(s.to, 1) : null,
  };
}
