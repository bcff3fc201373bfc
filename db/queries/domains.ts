import type { Sql } from '../client';

/** A domain as the API hands it on; createdAt is read on demand where a caller only had the name. */
export type DomainRecord = { name: string; createdAt?: Date; created?: boolean };

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

/**
 * Creates every name that does not exist yet, in one statement whatever their number; answers the
 * names that are new (the others existed already). Names come normalised and validated.
 */
export async function insertDomains(sql: Sql, names: string[]) {
  if (!names.length) return [];
  const rows = await sql<{ name: string }[]>`
    INSERT INTO domains (name) SELECT unnest(${names}::text[]) ON CONFLICT DO NOTHING RETURNING name`;
  return rows.map((r) => r.name);
}

export type DomainImpact = { rows: number; executions: number; domainAdmins: number };

/** What deleting the domain takes with it; undefined when it does not exist. */
export async function domainImpact(sql: Sql, name: string): Promise<DomainImpact | undefined> {
  const [r] = await sql<(DomainImpact & { exists: boolean })[]>`
    SELECT EXISTS (SELECT 1 FROM domains WHERE name = ${name}) AS exists,
      (SELECT count(*)::int FROM job_rows WHERE domain = ${name}) AS rows,
      (SELECT count(*)::int FROM executions WHERE domain = ${name}) AS executions,
      (SELECT count(*)::int FROM users u JOIN user_domains ud ON ud.user_id = u.id
        WHERE ud.domain = ${name} AND u.role = 'DOMAIN_ADMIN') AS "domainAdmins"`;
  return r?.exists ? { rows: r.rows, executions: r.executions, domainAdmins: r.domainAdmins } : undefined;
}

/**
 * Deletes a domain with its rows, their executions (a trigger deletes their log entries), their
 * pending Agenda occurrences and its domain administrators; to be called inside a transaction.
 * The rows are locked first: an execution being opened holds a key-share lock on its row, so one
 * that is starting right now either committed before (and is seen as running) or waits and then
 * finds its row gone. Answers 'running' (nothing deleted) while one of its executions is in progress.
 */
export async function deleteDomainCascade(tx: Sql, name: string): Promise<'missing' | 'running' | (DomainImpact & { adminIds: string[] })> {
  const [d] = await tx`SELECT name FROM domains WHERE name = ${name} FOR UPDATE`;
  if (!d) return 'missing';
  const rowIds = (await tx<{ id: string }[]>`SELECT id FROM job_rows WHERE domain = ${name} ORDER BY id FOR UPDATE`).map((r) => r.id);
  const [busy] = await tx`SELECT 1 FROM executions WHERE domain = ${name} AND status = 'IN_PROGRESS' LIMIT 1`;
  if (busy) return 'running';
  const [{ n: executions } = { n: 0 }] = await tx<{ n: number }[]>`
    WITH gone AS (DELETE FROM executions WHERE row_id = ANY(${rowIds}::uuid[]) OR domain = ${name} RETURNING 1)
    SELECT count(*)::int AS n FROM gone`;
  await tx`DELETE FROM job_rows WHERE id = ANY(${rowIds}::uuid[])`;
  // Agenda's table (the name is jobs/agenda.ts OCCURRENCE): a pending occurrence left behind would
  // fire for a row that no longer exists. One a worker holds right now is Agenda's to remove when done.
  if (rowIds.length) {
    await tx`DELETE FROM agenda_jobs WHERE name = 'jobdeck:occurrence' AND locked_at IS NULL AND data->>'rowId' = ANY(${rowIds}::text[])`;
  }
  const admins = await tx<{ id: string }[]>`
    DELETE FROM users u USING user_domains ud
    WHERE ud.user_id = u.id AND ud.domain = ${name} AND u.role = 'DOMAIN_ADMIN' RETURNING u.id`;
  // A domain created again later under this name starts unpaused.
  await tx`DELETE FROM scheduling_pauses WHERE domain = ${name}`;
  // Supervisors of a set lose this one domain (user_domains cascades).
  await tx`DELETE FROM domains WHERE name = ${name}`;
  return { rows: rowIds.length, executions, domainAdmins: admins.length, adminIds: admins.map((a) => a.id) };
}
