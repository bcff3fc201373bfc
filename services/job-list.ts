/**
 * The jobs list: a page of the rows the viewer sees, filtered and ordered, with a cursor that names
 * its order; and the filter itself, which bulk selections (services/bulk.ts) share.
 */
import { listRows, type RowListFilter, type RowOrder, type RowOrderField, type RowSortKey } from '../db/queries/job-list';
import { withScope } from '../db/scope';
import { badInput } from '../lib/errors';
import { domainCondition, scopeOf, type Viewer } from './access';
import type { Deps, Loaders } from './deps';
import { decodeCursor, encodeCursor, pageSize } from './paging';

const ORDER_FIELDS: readonly string[] = ['JOB', 'DOMAIN', 'LAST_EXECUTION', 'NEXT_RUN'] satisfies RowOrderField[];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// What a sort key's first part looks like per order, as PostgreSQL prints it (see listRows): a
// forged cursor is refused here rather than failing a cast in the query.
const KEY_SHAPE: Record<RowOrderField, (a: string, b: string) => boolean> = {
  JOB: () => true,
  DOMAIN: () => true,
  LAST_EXECUTION: (a, b) => /^-?\d{1,19}$/.test(a) && UUID.test(b),
  NEXT_RUN: (a, b) => /^(-?infinity|\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d){0,2})$/.test(a) && UUID.test(b),
};

export type JobOrderArg = { field: string; direction?: string | null } | null | undefined;

function parseOrder(o: JobOrderArg): RowOrder {
  if (!o) return { field: 'JOB', desc: false };
  if (!ORDER_FIELDS.includes(o.field)) throw badInput('orderBy.field', `Sort by one of ${ORDER_FIELDS.join(', ')}.`);
  const dir = o.direction ?? 'ASC';
  if (dir !== 'ASC' && dir !== 'DESC') throw badInput('orderBy.direction', 'direction is ASC or DESC.');
  return { field: o.field as RowOrderField, desc: dir === 'DESC' };
}

/**
 * The default order keeps the cursor it always had ([jobId, domain]); the others name their order,
 * so a cursor from one order is refused by another instead of cutting the list at a wrong place.
 */
const orderTag = (o: RowOrder) => `${o.field}:${o.desc ? 'DESC' : 'ASC'}`;
const isDefault = (o: RowOrder) => o.field === 'JOB' && !o.desc;
function encodeRowCursor(o: RowOrder, key: RowSortKey) {
  return encodeCursor(isDefault(o) ? key : [orderTag(o), ...key]);
}
function decodeRowCursor(o: RowOrder, after: string): RowSortKey {
  const strings = (c: unknown): c is string[] => Array.isArray(c) && c.every((x) => typeof x === 'string');
  const c = decodeCursor<string[]>(after, 'after', (c) =>
    strings(c) && (isDefault(o) ? c.length === 2 : c.length === 3 && c[0] === orderTag(o) && KEY_SHAPE[o.field](c[1]!, c[2]!)));
  return (isDefault(o) ? c : c.slice(1)) as RowSortKey;
}

export type JobFilterArg = {
  statuses?: string[] | null;
  neverRun?: boolean | null;
  text?: string | null;
  domain?: string | null;
  kind?: 'GLOBAL' | 'PER_DOMAIN' | null;
  jobId?: string | null;
};

// Each job's description in lower case, made once: lowering 5,000 descriptions was most of a
// text-filtered page's time with a catalog that size.
const lowered = new WeakMap<object, string>();
function matchingDescriptions(deps: Deps, text: string) {
  const ids: string[] = [];
  for (const j of deps.catalog.list()) {
    let d = lowered.get(j);
    if (d === undefined) {
      d = j.description.toLowerCase();
      lowered.set(j, d);
    }
    if (d.includes(text)) ids.push(j.id);
  }
  return ids;
}

/** A JobFilter as the queries take it: the jobs list's, and a bulk selection's (`field`: where it was given). */
export function rowFilter(deps: Deps, filter: JobFilterArg | null | undefined, field: string): RowListFilter {
  const text = filter?.text?.trim() || undefined;
  if (text && text.length > 200) throw badInput(`${field}.text`, 'Search text is limited to 200 characters.');
  const descriptionMatches = text ? matchingDescriptions(deps, text.toLowerCase()) : undefined;
  return {
    statuses: filter?.statuses ?? undefined,
    neverRun: filter?.neverRun ?? undefined,
    text,
    descriptionMatches,
    domain: filter?.domain ?? undefined,
    kind: filter?.kind ?? undefined,
    jobId: filter?.jobId ?? undefined,
  };
}

export async function listJobs(
  deps: Deps,
  v: Viewer,
  loaders: Loaders,
  filter: JobFilterArg | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  orderBy?: JobOrderArg,
  opts: { count?: boolean; brief?: boolean } = {},
) {
  const n = pageSize(first, 50, 500);
  const order = parseOrder(orderBy);
  const cursor = after ? decodeRowCursor(order, after) : undefined;
  const f = rowFilter(deps, filter, 'filter');
  // Rows of jobs no longer in the catalog are left out by job_rows.in_catalog (kept by the catalog
  // sync at start). Passing this process's job ids as well cost every row a walk of the whole
  // catalog: with 1,000 jobs, `jobs { totalCount }` took 17.8 ms instead of 3.3 ms.
  // The same scope twice: in the WHERE clause, and by row-level security under jobdeck_tenant.
  const { nodes, totalCount, lastExecutions } = await withScope(deps.sql, scopeOf(v), async (tx) => {
    const listed = await listRows(
      tx,
      tx`${domainCondition(tx, v, tx`r.domain`)}` as unknown as ReturnType<typeof tx>,
      v.userId,
      f,
      { first: n, after: cursor, order, count: opts.count, brief: opts.brief },
    );
    return listed;
  });
  const page = nodes.slice(0, n);
  // Brief last executions stay on their rows: primed, a later load of one in this request would miss columns.
  for (const e of lastExecutions) loaders.execution.prime(e.id, e);
  const last = page[page.length - 1];
  return {
    nodes: page,
    totalCount,
    pageInfo: { hasNextPage: nodes.length > n, endCursor: last ? encodeRowCursor(order, last.sortKey) : null },
  };
}
