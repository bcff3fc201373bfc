/**
 * Search across every log the viewer may see (API.md "Insight", searchLogs): literal text, narrowed
 * by job, domain, level and a range of start times, newest first, a page at a time, bounded by a
 * statement timeout (SEARCH_TIMEOUT_MS) so no search can hurt other users.
 */
import { searchLogEntries, type LogSearchFilter } from '../db/queries/log-search';
import type { LogLevel } from '../db/queries/logs';
import { withScope } from '../db/scope';
import { badInput } from '../lib/errors';
import { canSeeDomain, scopeOf, type Viewer } from './access';
import type { Deps, Loaders } from './deps';
import { decodeCursor, encodeCursor, pageSize } from './paging';

export const SEARCH_TEXT_MIN = 2;
export const SEARCH_TEXT_MAX = 200;

type SearchInput = {
  text: string;
  jobId?: string | null;
  domain?: string | null;
  levels?: LogLevel[] | null;
  startedAfter?: Date | null;
  startedBefore?: Date | null;
};
type Cursor = { e: number; s: number };

const isCursor = (c: unknown) => !!c && Number.isSafeInteger((c as Cursor).e) && Number.isSafeInteger((c as Cursor).s);

function validate(v: Viewer, s: SearchInput): LogSearchFilter | 'nothing' {
  const text = s.text;
  if ([...text].length < SEARCH_TEXT_MIN || !text.trim()) throw badInput('search.text', `Search for at least ${SEARCH_TEXT_MIN} characters.`);
  if ([...text].length > SEARCH_TEXT_MAX) throw badInput('search.text', `Search for at most ${SEARCH_TEXT_MAX} characters.`);
  const jobId = s.jobId?.trim() || undefined;
  if (jobId && jobId.length > 200) throw badInput('search.jobId', 'This is not a job id.');
  const domain = s.domain?.trim().toLowerCase() || undefined;
  if (domain && domain.length > 253) throw badInput('search.domain', 'This is not a domain name.');
  if (s.startedAfter && s.startedBefore && s.startedAfter.getTime() >= s.startedBefore.getTime()) {
    throw badInput('search.startedBefore', 'startedBefore must be after startedAfter.');
  }
  // A domain outside the viewer's scope answers like one with no logs.
  if (domain && !canSeeDomain(v, domain)) return 'nothing';
  return {
    text,
    jobId,
    domain,
    levels: s.levels?.length ? [...new Set(s.levels)] : undefined,
    startedAfter: s.startedAfter ?? undefined,
    startedBefore: s.startedBefore ?? undefined,
  };
}

/** PostgreSQL's "canceling statement due to statement timeout". */
const isTimeout = (e: unknown) => (e as { code?: string })?.code === '57014';

export async function searchLogs(
  deps: Deps,
  v: Viewer,
  loaders: Loaders,
  a: { search: SearchInput; first?: number | null; after?: string | null },
) {
  const first = pageSize(a.first, 50, 200);
  const after = a.after ? decodeCursor<Cursor>(a.after, 'after', isCursor) : undefined;
  const filter = validate(v, a.search);
  if (filter === 'nothing' || first === 0) return { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } };
  const scope = scopeOf(v);
  const timeoutMs = deps.config.SEARCH_TIMEOUT_MS;
  let rows;
  try {
    rows = await withScope(deps.sql, scope, (tx) => searchLogEntries(tx, scope, filter, { first, after: after && { executionId: after.e, seq: after.s } }), {
      statementTimeoutMs: timeoutMs,
    });
  } catch (e) {
    if (isTimeout(e)) {
      throw badInput('search.text', `This search took longer than ${timeoutMs / 1000} s. Narrow it: a longer text, a job, a domain or a range of dates.`);
    }
    throw e;
  }
  const page = rows.slice(0, first);
  const last = page[page.length - 1];
  const executions = await Promise.all(page.map((r) => loaders.execution.load(r.executionId)));
  return {
    // An execution removed since the search read its lines drops out of the page.
    nodes: page.flatMap((r, i) => {
      const execution = executions[i];
      return execution ? [{ execution, entry: { seq: r.seq, at: r.at, level: r.level, message: r.message } }] : [];
    }),
    pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeCursor({ e: last.executionId, s: last.seq }) : null },
  };
}
