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
  const [row] = await sql<(UserRecord & { passwordHash: string })[]>`
    SELECT ${USER_COLUMNS(sql)}, u.password_hash AS "passwordHash" FROM users u WHERE u.email = ${email}`;
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
  u: { email: string; passwordHash: string; role: UserRecord['role']; allDomains: boolean; domains: string[] },
): Promise<UserRecord> {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO users (email, password_hash, role, all_domains)
    VALUES (${u.email}, ${u.passwordHash}, ${u.role}, ${u.allDomains})
    ON CONFLICT (email) DO NOTHING RETURNING id`;
  if (!row) throw Object.assign(new Error('duplicate email'), { code: 'DUPLICATE' });
  for (const d of u.domains) await sql`INSERT INTO user_domains (user_id, domain) VALUES (${row.id}, ${d})`;
  return { id: row.id, email: u.email, role: u.role, allDomains: u.allDomains, domains: [...u.domains].sort() };
}
