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

export type AuditRecord = { id: number; at: Date; actor: string; action: string; target: string | null; domain: string | null; details: unknown; address: string | null };

/** Narrows the trail: actor is part of the email (case-insensitive), action and domain exact, from/to bound `at`. */
export type AuditFilter = { actor?: string; action?: string; domain?: string; from?: Date; to?: Date };

/** `domains`: null = every entry; else entries of those domains plus the actor's own. */
export async function listAudit(sql: Sql, opts: { first: number; afterId?: number; domains: string[] | null; actor: string; filter?: AuditFilter }) {
  const f = opts.filter ?? {};
  return sql<AuditRecord[]>`
    SELECT id::int AS id, at, actor, action, target, domain, details, address FROM audit_log
    WHERE ${opts.afterId ? sql`id < ${opts.afterId}` : sql`true`}
      AND ${opts.domains ? sql`(domain = ANY(${opts.domains}) OR actor = ${opts.actor})` : sql`true`}
      ${f.actor ? sql`AND strpos(lower(actor), lower(${f.actor})) > 0` : sql``}
      ${f.action ? sql`AND action = ${f.action}` : sql``}
      ${f.domain ? sql`AND domain = ${f.domain}` : sql``}
      ${f.from ? sql`AND at >= ${f.from}` : sql``}
      ${f.to ? sql`AND at <= ${f.to}` : sql``}
    ORDER BY id DESC LIMIT ${opts.first + 1}`;
}
