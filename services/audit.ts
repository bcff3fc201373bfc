import { insertAudit, listAudit } from '../db/queries/audit';
import type { AuditFilter } from '../db/queries/audit';
import { isSystemAdmin, scopeOf, type Viewer } from './access';
import { badInput, forbidden } from '../lib/errors';
import type { Deps } from './deps';
import { decodeCursor, encodeCursor, pageSize } from './paging';

type FilterInput = { actor?: string | null; action?: string | null; domain?: string | null; from?: Date | null; to?: Date | null };

function auditFilter(f: FilterInput | null | undefined): AuditFilter {
  if (!f) return {};
  const actor = f.actor?.trim() || undefined;
  const action = f.action?.trim() || undefined;
  const domain = f.domain?.trim().toLowerCase() || undefined;
  if (actor && actor.length > 254) throw badInput('filter.actor', 'Search actors with at most 254 characters.');
  if (action && action.length > 100) throw badInput('filter.action', 'An action name is at most 100 characters.');
  if (domain && domain.length > 253) throw badInput('filter.domain', 'A domain name is at most 253 characters.');
  if (f.from && f.to && f.from > f.to) throw badInput('filter.from', 'The start of the period is after its end: swap them.');
  return { actor, action, domain, from: f.from ?? undefined, to: f.to ?? undefined };
}

export async function auditLog(deps: Deps, v: Viewer, a: { filter?: FilterInput | null; first?: number | null; after?: string | null }) {
  if (!isSystemAdmin(v)) throw forbidden('Only system administrators can read the audit trail.');
  const filter = auditFilter(a.filter);
  const first = pageSize(a.first, 50, 500);
  const afterId = a.after ? decodeCursor<number>(a.after, 'after', (c) => Number.isInteger(c) && (c as number) > 0) : undefined;
  const s = scopeOf(v);
  const rows = await listAudit(deps.sql, { first, afterId, domains: s.all ? null : [...s.domains, 'global'], actor: v.email, filter });
  const nodes = rows.slice(0, first).map((r) => ({ ...r, id: String(r.id), details: r.details === null ? null : JSON.stringify(r.details) }));
  const last = rows[Math.min(rows.length, first) - 1];
  return { nodes, pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.id) : null } };
}

/** What happened, by whom, from where: every changing operation leaves one entry. */
export async function recordAudit(deps: Pick<Deps, 'sql'>, e: { actor: string; action: string; target?: string; domain?: string; details?: unknown; address?: string }) {
  await insertAudit(deps.sql, e);
}
