/**
 * User administration and one's own account (API.md "Administration and identity"). Who manages
 * whom: a system administrator of all domains, everyone; a system administrator of some domains,
 * the domain administrators of those domains (and makes nobody a system administrator); a domain
 * administrator, nobody. A user outside the viewer's reach answers like one that does not exist.
 * Nobody disables, deletes or demotes himself, and the last enabled system administrator of all
 * domains stays one. Disabling, deleting or a new password ends the user's sessions at once.
 */
import { z } from 'zod';
import type { Sql } from '../db/client';
import { insertAudit } from '../db/queries/audit';
import * as creds from '../db/queries/credentials';
import { existingDomains } from '../db/queries/domains';
import * as users from '../db/queries/users';
import { hashPassword, verifyPassword } from './credentials';
import type { Viewer } from './access';
import { badInput, forbidden, notFound } from '../lib/errors';
import type { Deps } from './deps';
import { limitedSignIn } from './login-limits';
import { forgetCredentials } from './credential-cache';
import { decodeCursor, encodeCursor, pageSize } from './paging';

type Role = users.UserRecord['role'];
const ROLES: Role[] = ['SYSTEM_ADMIN', 'DOMAIN_ADMIN'];
const isUuid = (id: string) => z.string().uuid().safeParse(id).success;

function reachOf(v: Viewer): users.UserReach {
  if (v.role !== 'SYSTEM_ADMIN') throw forbidden('A domain administrator manages no users.');
  return v.allDomains ? { all: true } : { all: false, domains: v.domains, self: v.userId };
}

function checkPassword(field: string, password: string) {
  if (password.length < 12 || password.length > 256) throw badInput(field, 'Use a password of 12 to 256 characters.');
}

async function audit(sql: Sql, v: Viewer, action: string, target: string, details?: Record<string, unknown>) {
  await insertAudit(sql, { actor: v.email, action, target, address: v.address, details });
}

export async function listUsers(
  deps: Deps,
  v: Viewer,
  a: { filter?: { text?: string | null; role?: string | null; domain?: string | null; disabled?: boolean | null } | null; first?: number | null; after?: string | null },
) {
  const reach = reachOf(v);
  const first = pageSize(a.first, 50, 200);
  const f = a.filter ?? {};
  if (f.text && f.text.length > 254) throw badInput('filter.text', 'Search with at most 254 characters.');
  if (f.role && !ROLES.includes(f.role as Role)) throw badInput('filter.role', 'role must be SYSTEM_ADMIN or DOMAIN_ADMIN.');
  if (f.domain && f.domain.length > 253) throw badInput('filter.domain', 'This is not a domain name.');
  const afterEmail = a.after ? decodeCursor<string>(a.after, 'after', (c) => typeof c === 'string' && c.length <= 254) : undefined;
  const { rows, totalCount } = await users.listUsers(
    deps.sql,
    reach,
    { text: f.text?.trim() || undefined, role: (f.role as Role) ?? undefined, domain: f.domain?.trim().toLowerCase() || undefined, disabled: f.disabled ?? undefined },
    { first, afterEmail },
  );
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return { nodes, totalCount, pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.email) : null } };
}

export async function getUser(deps: Deps, v: Viewer, id: string) {
  const reach = reachOf(v);
  if (!isUuid(id)) return null;
  return (await users.findUserInReach(deps.sql, reach, id)) ?? null;
}

/** A user's details by id, for fields the viewer model lacks (disabled, mustChangePassword, createdAt, lastSignInAt). */
export async function detailsOf(deps: Deps, ids: readonly string[]) {
  return users.userDetails(deps.sql, ids);
}

async function target(deps: Deps, v: Viewer, id: string) {
  const reach = reachOf(v);
  const u = isUuid(id) ? await users.findUserInReach(deps.sql, reach, id) : undefined;
  if (!u) throw notFound('User');
  if (!reach.all && u.id === v.userId) throw forbidden('You cannot change your own account here: ask a system administrator of all domains.');
  return u;
}

const isSuper = (u: { role: Role; allDomains: boolean; disabled: boolean }) => u.role === 'SYSTEM_ADMIN' && u.allDomains && !u.disabled;

async function keepLastSuperAdmin(sql: Sql, u: users.UserDetails, what: string) {
  if (isSuper(u) && (await users.otherEnabledSuperAdmins(sql, u.id)) === 0)
    throw forbidden(`${u.email} is the last enabled system administrator of all domains: make another one before you ${what} him.`);
}

export async function updateUser(deps: Deps, v: Viewer, id: string, input: { role?: string | null; domains?: string[] | null; disabled?: boolean | null }) {
  const u = await target(deps, v, id);
  if (input.role && !ROLES.includes(input.role as Role)) throw badInput('input.role', 'role must be SYSTEM_ADMIN or DOMAIN_ADMIN.');
  const role = (input.role as Role | undefined) ?? u.role;
  if (role === 'SYSTEM_ADMIN' && !v.allDomains) throw forbidden('Only a system administrator of all domains can make someone a system administrator.');
  let domains: string[] | undefined;
  if (input.domains) {
    if (input.domains.length > 10_000) throw badInput('input.domains', 'Too many domains.');
    domains = [...new Set(input.domains.map((d) => d.trim().toLowerCase()))];
    const known = await existingDomains(deps.sql, domains);
    const outOfReach = domains.find((d) => !known.has(d) || (!v.allDomains && !v.domains.includes(d)));
    if (outOfReach !== undefined) throw badInput('input.domains', `Unknown domain ${JSON.stringify(outOfReach.slice(0, 100))}.`);
  }
  const finalDomains = domains ?? (u.allDomains ? [] : u.domains);
  if (role === 'DOMAIN_ADMIN' && finalDomains.length !== 1) throw badInput('input.domains', 'A domain administrator has exactly one domain.');
  const allDomains = role === 'SYSTEM_ADMIN' && finalDomains.length === 0;
  const disabled = input.disabled ?? u.disabled;
  const after = { role, allDomains, disabled };
  if (u.id === v.userId && (disabled || (isSuper(u) && !isSuper(after)) || (u.role === 'SYSTEM_ADMIN' && role !== 'SYSTEM_ADMIN')))
    throw forbidden('You cannot disable or demote yourself: ask another system administrator.');
  if (!isSuper(after)) await keepLastSuperAdmin(deps.sql, u, disabled && !u.disabled ? 'disable' : 'demote');
  await deps.sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    await users.updateUserRow(t, u.id, { role, allDomains, domains: domains ?? (role !== u.role || allDomains !== u.allDomains ? finalDomains : undefined), disabled });
    if (disabled && !u.disabled) await creds.deleteSessionsOf(t, u.id);
    await audit(t, v, 'updateUser', u.email, { role, allDomains, domains: allDomains ? [] : finalDomains, disabled });
  });
  forgetCredentials(deps.sql);
  if (disabled !== u.disabled || role !== u.role) await creds.credentialsChanged(deps.sql, u.id);
  return (await users.userDetails(deps.sql, [u.id]))[0]!;
}

export async function deleteUser(deps: Deps, v: Viewer, id: string) {
  const u = await target(deps, v, id);
  if (u.id === v.userId) throw forbidden('You cannot delete yourself: ask another system administrator.');
  await keepLastSuperAdmin(deps.sql, u, 'delete');
  await deps.sql.begin(async (tx) => {
    await users.deleteUserRow(tx as unknown as Sql, u.id);
    await audit(tx as unknown as Sql, v, 'deleteUser', u.email);
  });
  forgetCredentials(deps.sql);
  await creds.credentialsChanged(deps.sql, u.id);
  return true;
}

export async function setPassword(deps: Deps, v: Viewer, userId: string, password: string) {
  const reach = reachOf(v);
  const u = isUuid(userId) ? await users.findUserInReach(deps.sql, reach, userId) : undefined;
  if (!u) throw notFound('User');
  checkPassword('password', password);
  const hash = await hashPassword(password);
  await deps.sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    // An administrator knows this password too: its owner is asked to choose his own.
    await users.setPasswordHash(t, u.id, hash, true);
    await creds.deleteSessionsOf(t, u.id);
    await audit(t, v, 'setPassword', u.email);
  });
  forgetCredentials(deps.sql);
  await creds.credentialsChanged(deps.sql, u.id);
  return true;
}

/** The viewer's own password; a wrong current one counts as a failed sign-in. Ends his other sessions. */
export async function changePassword(deps: Deps, v: Viewer, currentPassword: string, newPassword: string) {
  if (!currentPassword || currentPassword.length > 1024) throw badInput('currentPassword', 'Enter your current password.');
  checkPassword('newPassword', newPassword);
  const ok = await limitedSignIn(deps.sql, v.email, v.address, async () =>
    (await verifyPassword(await users.passwordHashOf(deps.sql, v.userId), currentPassword)) ? true : undefined,
  );
  if (!ok) throw badInput('currentPassword', 'This is not your current password.');
  const hash = await hashPassword(newPassword);
  await deps.sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    await users.setPasswordHash(t, v.userId, hash, false);
    await creds.deleteSessionsOf(t, v.userId, v.via === 'session' ? v.credentialHash : undefined);
    await audit(t, v, 'changePassword', v.email);
  });
  forgetCredentials(deps.sql);
  await creds.credentialsChanged(deps.sql, v.userId);
  return true;
}

export const listSessions = (deps: Deps, v: Viewer) =>
  creds.sessionsOf(deps.sql, v.userId, v.via === 'session' ? v.credentialHash : undefined, deps.config.SESSION_IDLE_MINUTES);

export async function endSession(deps: Deps, v: Viewer, id: string) {
  if (!isUuid(id) || !(await creds.deleteSessionById(deps.sql, v.userId, id))) throw notFound('Session');
  await audit(deps.sql, v, 'endSession', v.email);
  forgetCredentials(deps.sql);
  await creds.credentialsChanged(deps.sql, v.userId);
  return true;
}

