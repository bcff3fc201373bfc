import type { Sql } from '../client';

export async function listDomains(sql: Sql, only?: string[]) {
  const rows = only
    ? await sql<{ name: string }[]>`SELECT name FROM domains WHERE name = ANY(${only}) ORDER BY name`
    : await sql<{ name: string }[]>`SELECT name FROM domains ORDER BY name`;
  return rows.map((r) => r.name);
}

export async function existingDomains(sql: Sql, names: string[]) {
  const rows = await sql<{ name: string }[]>`SELECT name FROM domains WHERE name = ANY(${names})`;
  return new Set(rows.map((r) => r.name));
}

/** false when it already exists. */
export async function insertDomain(sql: Sql, name: string) {
  const rows = await sql`INSERT INTO domains (name) VALUES (${name}) ON CONFLICT DO NOTHING RETURNING name`;
  return rows.length > 0;
}
