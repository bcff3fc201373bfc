import type { Sql } from '../client';

export type UserRecord = {
  id: string;
  email: string;
  role: 'SYSTEM_ADMIN' | 'DOMAIN_ADMIN';
  allDomains: boolean;
  domains: string[];
};

export const USER_COLUMNS = (sql: Sql) => sql`
  u.id, u.email, u.role, u.all_domains AS "allDomains",
  coalesce((SELECT array_agg(d.domain ORDER BY d.domain) FROM user_domains d WHERE d.user_id = u.id), '{}') AS domains`;

/** A user as resolvers see it: a stored user, or the viewer resolved from a credential. */
export type UserModel = UserRecord | { userId: string; email: string; role: UserRecord['role']; allDomains: boolean; domains: string[] };

export async function findUserByEmail(sql: Sql, email: string) {
  const [row] = await sql<(UserRecord & { passwordHash: string; disabled: boolean })[]>`
    SELECT ${USER_COLUMNS(sql)}, u.password_hash AS "passwordHash", u.disabled FROM users u WHERE u.email = ${email}`;
  return row;
}

export async function findUserById(sql: Sql, id: string) {
  const [row] = await sql<UserRecord[]>`SELECT ${USER_COLUMNS(sql)} FROM users u WHERE u.id = ${id}`;
  return row;
}

export async function countUsers(sql: Sql) {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM users`;
  return row!.n;
}

export async function insertUser(
  sql: Sql,
  u: { email: string; passwordHash: string; role: UserRecord['role']; allDomains: boolean; domains: string[]; mustChangePassword?: boolean },
): Promise<UserRecord> {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO users (email, password_hash, role, all_domains, must_change_password)
    VALUES (${u.email}, ${u.passwordHash}, ${u.role}, ${u.allDomains}, ${u.mustChangePassword ?? false})
    ON CONFLICT (email) DO NOTHING RETURNING id`;
  if (!row) throw Object.assign(new Error('duplicate email'), { code: 'DUPLICATE' });
  for (const d of u.domains) await sql`INSERT INTO user_domains (user_id, domain) VALUES (${row.id}, ${d})`;
  return { id: row.id, email: u.email, role: u.role, allDomains: u.allDomains, domains: [...u.domains].sort() };
}

/** A user as the administration pages show him. */
export type UserDetails = UserRecord & { disabled: boolean; mustChangePassword: boolean; createdAt: Date; lastSignInAt: Date | null };

const DETAIL_COLUMNS = (sql: Sql) =>
  sql`${USER_COLUMNS(sql)}, u.disabled, u.must_change_password AS "mustChangePassword", u.created_at AS "createdAt", u.last_sign_in_at AS "lastSignInAt"`;

/**
 * Whom a viewer may manage: everyone (`all`), or the domain administrators of some domains (and
 * himself, to read). The one SQL condition every user query of the administration takes.
 */
export type UserReach = { all: true } | { all: false; domains: string[]; self: string };

const inReach = (sql: Sql, r: UserReach) =>
  r.all
    ? sql`true`
    : sql`(u.id = ${r.self} OR (u.role = 'DOMAIN_ADMIN' AND EXISTS (
        SELECT 1 FROM user_domains d WHERE d.user_id = u.id AND d.domain = ANY(${r.domains}::text[]))))`;

export type UserFilterInput = { text?: string; role?: UserRecord['role']; domain?: string; disabled?: boolean };

function filterCondition(sql: Sql, f: UserFilterInput) {
  const parts = [sql`true`];
  if (f.text) parts.push(sql`u.email ILIKE ${`%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  if (f.role) parts.push(sql`u.role = ${f.role}`);
  if (f.domain) parts.push(sql`EXISTS (SELECT 1 FROM user_domains d WHERE d.user_id = u.id AND d.domain = ${f.domain})`);
  if (f.disabled !== undefined) parts.push(sql`u.disabled = ${f.disabled}`);
  return parts.reduce((a, b) => sql`${a} AND ${b}`);
}

/** Sorted by email; `afterEmail` is the last email of the previous page. */
export async function listUsers(sql: Sql, reach: UserReach, f: UserFilterInput, page: { first: number; afterEmail?: string }) {
  const where = sql`${inReach(sql, reach)} AND ${filterCondition(sql, f)}`;
  const [rows, [count]] = await Promise.all([
    sql<UserDetails[]>`
      SELECT ${DETAIL_COLUMNS(sql)} FROM users u
      WHERE ${where} ${page.afterEmail !== undefined ? sql`AND u.email > ${page.afterEmail}` : sql``}
      ORDER BY u.email LIMIT ${page.first + 1}`,
    sql<{ n: number }[]>`SELECT count(*)::int AS n FROM users u WHERE ${where}`,
  ]);
  return { rows, totalCount: count!.n };
}

export async function findUserInReach(sql: Sql, reach: UserReach, id: string) {
  const [row] = await sql<UserDetails[]>`SELECT ${DETAIL_COLUMNS(sql)} FROM users u WHERE u.id = ${id} AND ${inReach(sql, reach)}`;
  return row;
}

export async function userDetails(sql: Sql, ids: readonly string[]) {
  return sql<UserDetails[]>`SELECT ${DETAIL_COLUMNS(sql)} FROM users u WHERE u.id = ANY(${ids as string[]}::uuid[])`;
}

/** Enabled system administrators of all domains, other than `exceptId`: the last one must stay. */
export async function otherEnabledSuperAdmins(sql: Sql, exceptId: string) {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM users WHERE role = 'SYSTEM_ADMIN' AND all_domains AND NOT disabled AND id <> ${exceptId}`;
  return row!.n;
}

export async function updateUserRow(sql: Sql, id: string, u: { role?: UserRecord['role']; allDomains?: boolean; domains?: string[]; disabled?: boolean }) {
  await sql`
    UPDATE users SET
      role = coalesce(${u.role ?? null}::user_role, role),
      all_domains = coalesce(${u.allDomains ?? null}::boolean, all_domains),
      disabled = coalesce(${u.disabled ?? null}::boolean, disabled)
    WHERE id = ${id}`;
  if (u.domains) {
    await sql`DELETE FROM user_domains WHERE user_id = ${id}`;
    if (u.domains.length) await sql`INSERT INTO user_domains (user_id, domain) SELECT ${id}, unnest(${u.domains}::text[])`;
  }
}

export async function deleteUserRow(sql: Sql, id: string) {
  await sql`DELETE FROM users WHERE id = ${id}`;
}

/** `mustChange`: the password was chosen by someone else, so its owner is asked to replace it. */
export async function setPasswordHash(sql: Sql, id: string, passwordHash: string, mustChange: boolean) {
  await sql`UPDATE users SET password_hash = ${passwordHash}, must_change_password = ${mustChange} WHERE id = ${id}`;
}

export async function passwordHashOf(sql: Sql, id: string) {
  const [row] = await sql<{ h: string }[]>`SELECT password_hash AS h FROM users WHERE id = ${id}`;
  return row?.h;
}

export async function touchSignIn(sql: Sql, id: string) {
  await sql`UPDATE users SET last_sign_in_at = now() WHERE id = ${id}`;
}
