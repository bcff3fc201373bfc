import { z } from 'zod';
import { isPlainAddress } from '../lib/email';
import type { Sql } from '../db/client';
import * as creds from '../db/queries/credentials';
import { existingDomains, insertDomain } from '../db/queries/domains';
import { countUsers, findUserByEmail, insertUser, touchSignIn, type UserRecord } from '../db/queries/users';
import { hashPassword, hashSecret, newSecret, verifyPassword } from './credentials';
import type { Viewer } from './access';
import { isSuperAdmin, isSystemAdmin } from './access';
import type { Config } from '../lib/config';
import { limitedSignIn } from './login-limits';
import { credentialCache, forgetCredentials } from './credential-cache';
import { AppError, badInput, forbidden, notFound, unauthenticated } from '../lib/errors';

export const SESSION_COOKIE = 'jobdeck_session';

export type AuthDeps = { sql: Sql; config: Config; onCreated?: (kind: 'domain', name: string) => Promise<void> };

// Plain local@domain only: no display names, quotes, spaces, commas or line breaks.
export const emailSchema = z.string().max(254).refine(isPlainAddress);
export const domainNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/)
  .refine((d) => d !== 'global', 'is reserved')
  // A tenant is a name, not an address: URL parsers read a host whose last label is a number
  // ("127.0.0.1", "2130706433", "127.1", "10.0.0.0x1") as IPv4, and no top-level domain is numeric.
  // IPv6 ("[::1]", "::1") never gets here: brackets and colons fail the pattern above.
  .refine((d) => !/(?:^|\.)(?:\d+|0x[0-9a-f]*)$/.test(d), 'is an IP address; use a domain name such as acme.example');

function toViewer(u: UserRecord, via: Viewer['via'], credentialHash: string, address?: string): Viewer {
  return { userId: u.id, email: u.email, role: u.role, allDomains: u.allDomains, domains: u.domains, via, credentialHash, address };
}

/**
 * Resolves a session cookie or bearer token into a viewer; undefined when neither is valid. What a
 * credential resolved to is kept a few seconds (services/credential-cache.ts); any change that can
 * end or narrow it, in any process, forgets it at once.
 */
export async function authenticate(
  deps: AuthDeps,
  cred: { sessionToken?: string; bearer?: string; address?: string },
): Promise<Viewer | undefined> {
  const via = cred.bearer ? 'token' : cred.sessionToken ? 'session' : undefined;
  if (!via) return undefined;
  const h = hashSecret(via === 'token' ? cred.bearer! : cred.sessionToken!);
  const cache = credentialCache(deps.sql);
  const key = `${via}:${h}`;
  const kept = cache.get(key);
  if (kept) return toViewer(kept, via, h, cred.address);
  const ticket = cache.ticket();
  const u = via === 'token' ? await creds.userByApiToken(deps.sql, h) : await creds.userBySession(deps.sql, h, deps.config.SESSION_IDLE_MINUTES);
  if (!u) return undefined;
  const { holdsUntil, ...user } = u;
  cache.keep(key, ticket, user, holdsUntil);
  return toViewer(user, via, h, cred.address);
}

/** Whether the credential behind a live subscription still holds. */
export async function credentialAlive(deps: AuthDeps, v: Viewer) {
  return v.via === 'token'
    ? creds.apiTokenAlive(deps.sql, v.credentialHash)
    : creds.sessionAlive(deps.sql, v.credentialHash, deps.config.SESSION_IDLE_MINUTES);
}

export async function login(deps: AuthDeps, input: { email: string; password: string; address?: string; userAgent?: string }) {
  if (!deps.config.PASSWORD_SIGN_IN) throw forbidden('Password sign-in is turned off here: use "Sign in with SSO", or an API token.');
  const email = input.email.trim().toLowerCase();
  if (!email || email.length > 254) throw badInput('email', 'Enter the email address of your account.');
  if (!input.password || input.password.length > 1024) throw badInput('password', 'Enter your password.');
  const user = await limitedSignIn(deps.sql, email, input.address, async () => {
    const found = await findUserByEmail(deps.sql, email);
    // Hashed even for an unknown email, so the answer's timing does not tell which accounts exist.
    const ok = await verifyPassword(found?.passwordHash, input.password);
    return found && ok ? found : undefined;
  });
  if (!user) throw new AppError('UNAUTHENTICATED', 'Wrong email or password.');
  // Said only to whoever knows the password.
  if (user.disabled) throw new AppError('UNAUTHENTICATED', 'This account is disabled. Ask an administrator to enable it.');
  return openSession(deps, user, input);
}

/** A new session for a user who proved who he is (password or single sign-on): the cookie value and its lifetime. */
export async function openSession(deps: AuthDeps, user: UserRecord, from: { address?: string; userAgent?: string }) {
  await touchSignIn(deps.sql, user.id);
  const token = newSecret();
  await creds.insertSession(deps.sql, {
    tokenHash: hashSecret(token),
    userId: user.id,
    maxHours: deps.config.SESSION_MAX_HOURS,
    address: from.address,
    userAgent: from.userAgent,
  });
  return { user: toViewer(user, 'session', hashSecret(token)), token, maxAgeSeconds: deps.config.SESSION_MAX_HOURS * 3600 };
}

export async function logout(deps: AuthDeps, v: Viewer | undefined) {
  if (v?.via === 'session') await creds.deleteSession(deps.sql, v.credentialHash);
  forgetCredentials(deps.sql);
  return true;
}

export function requireViewer(v: Viewer | undefined): Viewer {
  if (!v) throw unauthenticated();
  return v;
}

export async function createApiToken(deps: AuthDeps, v: Viewer, name: string) {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100) throw badInput('name', 'Give the token a name of 1 to 100 characters.');
  const token = newSecret('jd_');
  const id = await creds.insertApiToken(deps.sql, { userId: v.userId, name: trimmed, tokenHash: hashSecret(token) });
  return { id, name: trimmed, token };
}

export async function revokeApiToken(deps: AuthDeps, v: Viewer, id: string) {
  if (!z.string().uuid().safeParse(id).success) throw notFound('API token');
  if (!(await creds.revokeApiToken(deps.sql, v.userId, id))) throw notFound('API token');
  forgetCredentials(deps.sql);
  return true;
}

export const listApiTokens = (deps: AuthDeps, v: Viewer) => creds.listApiTokens(deps.sql, v.userId);

export async function createDomain(deps: AuthDeps, v: Viewer, name: string) {
  if (!isSuperAdmin(v)) throw forbidden('Only a system administrator of all domains can create domains.');
  const parsed = domainNameSchema.safeParse(name.trim().toLowerCase());
  if (!parsed.success) throw badInput('name', 'Use a domain name such as acme.example (letters, digits, dots and dashes).');
  const created = await deps.sql.begin(async (tx) => {
    if (!(await insertDomain(tx as unknown as Sql, parsed.data))) return false;
    return true;
  });
  if (!created) throw new AppError('CONFLICT', `Domain ${parsed.data} already exists.`);
  await deps.onCreated?.('domain', parsed.data);
  return { name: parsed.data };
}

export async function createUser(
  deps: AuthDeps,
  v: Viewer,
  input: { email: string; password: string; role: 'SYSTEM_ADMIN' | 'DOMAIN_ADMIN'; domains: string[] },
) {
  if (!isSystemAdmin(v)) throw forbidden('Only a system administrator can create users.');
  if (input.role === 'SYSTEM_ADMIN' && !v.allDomains)
    throw forbidden('Only a system administrator of all domains can make someone a system administrator.');
  const email = input.email.trim().toLowerCase();
  if (!emailSchema.safeParse(email).success) throw badInput('email', 'Enter a plain address such as name@example.com.');
  if (input.password.length < 12 || input.password.length > 256)
    throw badInput('password', 'Use a password of 12 to 256 characters.');
  if (input.domains.length > 10_000) throw badInput('domains', 'Too many domains.');
  const domains = [...new Set(input.domains.map((d) => d.trim().toLowerCase()))];
  if (input.role === 'DOMAIN_ADMIN' && domains.length !== 1)
    throw badInput('domains', 'A domain administrator has exactly one domain.');
  const known = await existingDomains(deps.sql, domains);
  // A supervisor can only hand out domains he supervises; others answer like unknown ones.
  const outOfReach = domains.find((d) => !known.has(d) || (!v.allDomains && !v.domains.includes(d)));
  if (outOfReach !== undefined) throw badInput('domains', `Unknown domain ${JSON.stringify(outOfReach.slice(0, 100))}.`);
  const allDomains = input.role === 'SYSTEM_ADMIN' && domains.length === 0;
  if (allDomains && !v.allDomains) throw badInput('domains', 'List the domains this administrator supervises.');
  try {
    return await insertUser(deps.sql, { email, passwordHash: await hashPassword(input.password), role: input.role, allDomains, domains });
  } catch (e) {
    if ((e as { code?: string }).code === 'DUPLICATE') throw badInput('email', `A user ${email} already exists.`);
    throw e;
  }
}

/** First start: a system administrator from ADMIN_EMAIL/ADMIN_PASSWORD, or admin@localhost with a printed password. */
export async function ensureFirstAdmin(deps: AuthDeps, print: (line: string) => void) {
  await deps.sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(7355609)`;
    if ((await countUsers(tx as unknown as Sql)) > 0) return;
    const email = deps.config.ADMIN_EMAIL?.toLowerCase() ?? 'admin@localhost';
    const password = deps.config.ADMIN_PASSWORD ?? newSecret().slice(0, 20);
    // A printed password has been in a terminal and the logs: the console asks for a new one at once.
    const printed = !deps.config.ADMIN_PASSWORD;
    await insertUser(tx as unknown as Sql, {
      email, passwordHash: await hashPassword(password), role: 'SYSTEM_ADMIN', allDomains: true, domains: [], mustChangePassword: printed,
    });
    if (deps.config.ADMIN_PASSWORD) print(`Created the first system administrator ${email}.`);
    else print(`Created the first system administrator ${email} with password ${password} (shown once; change it).`);
  });
}
