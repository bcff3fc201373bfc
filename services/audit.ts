import { listAudit } from '../db/queries/audit';
import { isSystemAdmin, scopeOf, type Viewer } from '../graphql/access';
import { forbidden } from '../lib/errors';
import type { Deps } from './deps';
import { decodeCursor, encodeCursor, pageSize } from './paging';

export async function auditLog(deps: Deps, v: Viewer, a: { first?: number | null; after?: string | null }) {
  if (!isSystemAdmin(v)) throw forbidden('Only system administrators can read the audit trail.');
  const first = pageSize(a.first, 50, 500);
  const afterId = a.after ? decodeCursor<number>(a.after, 'after', (c) => Number.isInteger(c) && (c as number) > 0) : undefined;
  const s = scopeOf(v);
  const rows = await listAudit(deps.sql, { first, afterId, domains: s.all ? null : [...s.domains, 'global'], actor: v.email });
  const nodes = rows.slice(0, first).map((r) => ({ ...r, id: String(r.id), details: r.details === null ? null : JSON.stringify(r.details) }));
  const last = rows[Math.min(rows.length, first) - 1];
  return { nodes, pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.id) : null } };
}
