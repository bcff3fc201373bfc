import DataLoader from 'dataloader';
import { createdAtOf, pageDomains } from '../db/queries/domains';
import type { Viewer } from '../graphql/access';
import { scopeOf } from '../graphql/access';
import { badInput } from '../lib/errors';
import type { Deps } from './deps';
import { decodeCursor, encodeCursor, pageSize } from './paging';

/**
 * The viewer's domains, sorted by name, searched and paged on the server: a picker over 20,000
 * domains reads one page at a time. A domain administrator gets his one domain; a system
 * administrator of some domains those; of all domains every one ("global" is not a domain).
 */
export async function domainList(deps: Pick<Deps, 'sql'>, v: Viewer, text: string | null | undefined, first: number | null | undefined, after: string | null | undefined) {
  const n = pageSize(first, 50, 500);
  const t = text?.trim() || undefined;
  if (t && t.length > 253) throw badInput('text', 'A domain name is at most 253 characters.');
  const cursor = after ? decodeCursor<[string]>(after, 'after', (c) => Array.isArray(c) && c.length === 1 && typeof c[0] === 'string') : undefined;
  const s = scopeOf(v);
  const { nodes, totalCount } = await pageDomains(deps.sql, { only: s.all ? undefined : s.domains, text: t }, { first: n, after: cursor?.[0] });
  const page = nodes.slice(0, n);
  const last = page[page.length - 1];
  return { nodes: page, totalCount, pageInfo: { hasNextPage: nodes.length > n, endCursor: last ? encodeCursor([last.name]) : null } };
}

/**
 * When each domain was created, for Domain objects that came without it (domains, createDomain): one
 * query per request, whatever their number. Only names the viewer was already given reach it.
 */
export function createdAtLoader(deps: Pick<Deps, 'sql'>) {
  return new DataLoader<string, Date | null>(async (names) => {
    const at = await createdAtOf(deps.sql, names);
    return names.map((n) => at.get(n) ?? null);
  });
}
