import DataLoader from 'dataloader';
import type { Sql } from '../db/client';
import { insertAudit } from '../db/queries/audit';
import { credentialsChanged } from '../db/queries/credentials';
import { createdAtOf, deleteDomainCascade, domainImpact as impactOf, insertDomains, pageDomains } from '../db/queries/domains';
import type { Viewer } from './access';
import { canSeeDomain, isSuperAdmin, isSystemAdmin, scopeOf } from './access';
import { domainNameSchema } from './auth';
import { forgetCredentials } from './credential-cache';
import { AppError, badInput, forbidden, notFound } from '../lib/errors';
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

/** One call may carry a whole tenant list; past this it is a mistake more likely than a migration. */
const MAX_NAMES = 20_000;
/** How many of the created names the audit entry lists (the counts are always there). */
const AUDITED_NAMES = 100;

const normalise = (name: string) => name.trim().toLowerCase();

/**
 * Creates the domains that do not exist yet and answers every name asked for, each with `created`
 * (false: it existed already). All or nothing: one bad name answers BAD_USER_INPUT on `names[i]`
 * and creates none. One INSERT for all of them, then their rows and next runs set-based.
 */
export async function createDomains(deps: Deps, v: Viewer, names: string[]) {
  if (!isSuperAdmin(v)) throw forbidden('Only a system administrator of all domains can create domains.');
  if (names.length > MAX_NAMES) throw badInput('names', `Send at most ${MAX_NAMES} names in one call.`);
  const wanted: string[] = [];
  const seen = new Set<string>();
  names.forEach((raw, i) => {
    const name = normalise(raw);
    if (raw.length > 1000 || !domainNameSchema.safeParse(name).success)
      throw badInput(`names[${i}]`, `${JSON.stringify(raw.slice(0, 100))} is not a domain name: use letters, digits, dots and dashes, such as acme.example.`);
    if (!seen.has(name)) wanted.push((seen.add(name), name));
  });
  if (!wanted.length) return [];
  const created = new Set(
    await deps.sql.begin(async (tx) => {
      const t = tx as unknown as Sql;
      const fresh = await insertDomains(t, wanted);
      if (fresh.length)
        await insertAudit(t, {
          actor: v.email, action: 'createDomains', target: fresh.length === 1 ? fresh[0] : `${fresh.length} domains`, address: v.address,
          details: { created: fresh.length, existed: wanted.length - fresh.length, names: fresh.slice(0, AUDITED_NAMES), more: Math.max(0, fresh.length - AUDITED_NAMES) },
        });
      return fresh;
    }),
  );
  // The new domains' rows exist (with their next runs) before the answer goes out.
  await deps.engine.syncDomains([...created]);
  const at = await createdAtOf(deps.sql, wanted);
  return wanted.map((name) => ({ name, createdAt: at.get(name), created: created.has(name) }));
}

/** What deleting a domain takes with it, for the confirmation; null when unknown or out of the viewer's scope. */
export async function domainImpact(deps: Pick<Deps, 'sql'>, v: Viewer, name: string) {
  if (!isSystemAdmin(v)) throw forbidden('Only system administrators manage domains.');
  const n = normalise(name);
  if (n.length > 253 || n === 'global' || !canSeeDomain(v, n)) return null;
  return (await impactOf(deps.sql, n)) ?? null;
}

/**
 * Deletes a domain, its rows, their executions and logs, and its domain administrators, in one
 * transaction; refused with ALREADY_RUNNING while one of its executions is in progress.
 */
export async function deleteDomain(deps: Pick<Deps, 'sql'>, v: Viewer, name: string) {
  if (!isSuperAdmin(v)) throw forbidden('Only a system administrator of all domains can delete domains.');
  const n = normalise(name);
  if (name.length > 1000 || !domainNameSchema.safeParse(n).success)
    throw badInput('name', 'This is not a domain name: use letters, digits, dots and dashes, such as acme.example.');
  await deps.sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    const r = await deleteDomainCascade(t, n);
    if (r === 'missing') throw notFound(`Domain ${n}`);
    if (r === 'running') throw new AppError('ALREADY_RUNNING', `A job of ${n} is running: cancel it or wait until it ends, then delete the domain.`);
    await insertAudit(t, {
      actor: v.email, action: 'deleteDomain', target: n, domain: n, address: v.address,
      details: { rows: r.rows, executions: r.executions, domainAdmins: r.domainAdmins },
    });
    // Delivered at commit: the deleted administrators' open WebSockets close.
    for (const id of r.adminIds) await credentialsChanged(t, id);
  });
  forgetCredentials(deps.sql);
  return true;
}
