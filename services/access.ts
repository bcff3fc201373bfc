import type { Sql } from '../db/client';
import { listDomains } from '../db/queries/domains';
import { scopeCondition } from '../db/scope';

/** The authenticated principal behind a request or a WebSocket. Scope comes from here, never from arguments. */
export type Viewer = {
  userId: string;
  email: string;
  role: 'SYSTEM_ADMIN' | 'DOMAIN_ADMIN';
  /** A system administrator who supervises every domain. */
  allDomains: boolean;
  /** Supervised domains (SYSTEM_ADMIN with a set) or the one domain (DOMAIN_ADMIN). */
  domains: string[];
  via: 'session' | 'token';
  /** Hash of the session cookie or API token: subscriptions re-check it is still alive. */
  credentialHash: string;
  address?: string;
};

/**
 * Which execution domains a viewer may see: the one rule every read and write path calls.
 * A system administrator sees "global" and his domains; a domain administrator only his domain.
 */
export type Scope = { global: boolean; all: boolean; domains: string[] };

export function scopeOf(v: Viewer): Scope {
  if (v.role === 'SYSTEM_ADMIN') return { global: true, all: v.allDomains, domains: v.domains };
  return { global: false, all: false, domains: v.domains.slice(0, 1) };
}

export function canSeeDomain(v: Viewer, domain: string): boolean {
  const s = scopeOf(v);
  if (domain === 'global') return s.global;
  return s.all || s.domains.includes(domain);
}

/** SQL condition on a `domain` column restricting rows to the viewer's scope. */
export function domainCondition(sql: Sql, v: Viewer, column = sql`domain`) {
  return scopeCondition(sql, scopeOf(v), column);
}

/** The tenant domains the viewer may see (never "global"). */
export async function visibleDomains(sql: Sql, v: Viewer): Promise<string[]> {
  const s = scopeOf(v);
  return listDomains(sql, s.all ? undefined : s.domains);
}

export const isSystemAdmin = (v: Viewer) => v.role === 'SYSTEM_ADMIN';
export const isSuperAdmin = (v: Viewer) => v.role === 'SYSTEM_ADMIN' && v.allDomains;
