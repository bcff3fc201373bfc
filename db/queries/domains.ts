import type { Sql } from '../client';

/** A domain as the API hands it on; createdAt is read on demand where a caller only had the name. */
export type DomainRecord = { name: string; createdAt?: Date };

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

/**
 * One page of domain names in name order, and how many match: `only` limits to a viewer's set
 * (undefined: every domain), `text` matches part of the name. Names are stored lower-case.
 */
export async function pageDomains(sql: Sql, f: { only?: string[]; text?: string }, page: { first: number; after?: string }) {
  const where = sql`TRUE
    ${f.only ? sql`AND name = ANY(${f.only})` : sql``}
    ${f.text ? sql`AND strpos(name, lower(${f.text})) > 0` : sql``}`;
  const [nodes, [count]] = await Promise.all([
    sql<{ name: string; createdAt: Date }[]>`
      SELECT name, created_at AS "createdAt" FROM domains
      WHERE ${where} ${page.after !== undefined ? sql`AND name > ${page.after}` : sql``}
      ORDER BY name LIMIT ${page.first + 1}`,
    sql<{ n: number }[]>`SELECT count(*)::int AS n FROM domains WHERE ${where}`,
  ]);
  return { nodes, totalCount: count!.n };
}

export async function createdAtOf(sql: Sql, names: readonly string[]) {
  const rows = await sql<{ name: string; createdAt: Date }[]>`SELECT name, created_at AS "createdAt" FROM domains WHERE name = ANY(${names as string[]})`;
  return new Map(rows.map((r) => [r.name, r.createdAt]));
}
