import type { Sql } from '../client';

export type AuditEntry = {
  actor: string;
  action: string;
  target?: string | null;
  domain?: string | null;
  details?: unknown;
  address?: string | null;
};

export async function insertAudit(sql: Sql, e: AuditEntry) {
  await sql`
    INSERT INTO audit_log (actor, action, target, domain, details, address)
    VALUES (${e.actor}, ${e.action}, ${e.target ?? null}, ${e.domain ?? null}, ${e.details === undefined ? null : sql.json(e.details as never)}, ${e.address ?? null})`;
}

export async function listAudit(sql: Sql, opts: { first: number; afterId?: number }) {
  return sql<{ id: number; at: Date; actor: string; action: string; target: string | null; domain: string | null; details: unknown; address: string | null }[]>`
    SELECT id, at, actor, action, target, domain, details, address FROM audit_log
    WHERE ${opts.afterId ? sql`id < ${opts.afterId}` : sql`true`}
    ORDER BY id DESC LIMIT ${opts.first + 1}`;
}
