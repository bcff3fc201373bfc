import type { Sql } from '../client';
import { scopeCondition, type DbScope } from '../scope';

/** One claim as the grant pass reads it: claims come in arrival order (seq). */
export type ClaimRow = {
  executionId: number;
  resource: string;
  granted: boolean;
  /** The execution's waiting_for as stored now (the pass writes it only when it changes). */
  waitingFor: string | null;
  /** Effective capacity: the override, else the declared one, else 1 (a lock nobody declared). */
  capacity: number;
};

export type ResourceRecord = { name: string; declaredCapacity: number; capacity: number | null };

/**
 * The declared capacities of this process's catalog (JOBS_FILE's resources, 1 for a lock that
 * names none of them). The override (`capacity`) is left as it is.
 */
export async function upsertDeclared(sql: Sql, declared: { name: string; capacity: number }[]) {
  if (!declared.length) return;
  await sql`
    INSERT INTO resources (name, declared_capacity)
    SELECT n, c FROM unnest(${declared.map((d) => d.name)}::text[], ${declared.map((d) => d.capacity)}::int[]) AS t(n, c)
    ON CONFLICT (name) DO UPDATE SET declared_capacity = excluded.declared_capacity
    WHERE resources.declared_capacity IS DISTINCT FROM excluded.declared_capacity`;
}

export async function findResources(sql: Sql, names: string[]) {
  return sql<ResourceRecord[]>`
    SELECT name, declared_capacity AS "declaredCapacity", capacity FROM resources WHERE name = ANY(${names}::text[])`;
}

/** The override of setResourceCapacity, creating the row when no process has declared it yet. */
export async function setCapacity(sql: Sql, name: string, declaredCapacity: number, capacity: number, by: string) {
  const [row] = await sql<ResourceRecord[]>`
    INSERT INTO resources (name, declared_capacity, capacity, updated_by, updated_at)
    VALUES (${name}, ${declaredCapacity}, ${capacity}, ${by}, now())
    ON CONFLICT (name) DO UPDATE SET capacity = excluded.capacity, updated_by = excluded.updated_by, updated_at = now()
    RETURNING name, declared_capacity AS "declaredCapacity", capacity`;
  return row!;
}

/** Holders and waiters of each resource, counted over the executions in `scope` (viewer-scoped reads: inside withScope). */
export async function claimCounts(sql: Sql, scope: DbScope) {
  return sql<{ resource: string; inUse: number; waiting: number }[]>`
    SELECT c.resource, count(*) FILTER (WHERE c.granted_at IS NOT NULL)::int AS "inUse",
           count(*) FILTER (WHERE c.granted_at IS NULL)::int AS waiting
    FROM resource_claims c JOIN executions e ON e.id = c.execution_id
    WHERE e.status = 'IN_PROGRESS' AND ${scopeCondition(sql, scope, sql`e.domain`)}
    GROUP BY c.resource`;
}

/* ---------- the grant pass: every statement below runs in its transaction ---------- */

/** One grant pass at a time, fleet-wide: taken by each pass, released when its transaction ends. */
export async function lockGrants(sql: Sql) {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended('jobdeck:resources', 0))`;
}

/** Claims the run needs, one per resource, in the order given (their seq is their place in each queue). */
export async function insertClaims(sql: Sql, executionId: number, resources: string[]) {
  await sql`
    INSERT INTO resource_claims (execution_id, resource)
    SELECT ${executionId}, r FROM unnest(${resources}::text[]) WITH ORDINALITY AS t(r, o) ORDER BY o
    ON CONFLICT DO NOTHING`;
}

/** Gives back what a run holds or waits for; its waiting_for goes with it. */
export async function deleteClaims(sql: Sql, executionId: number) {
  await sql`
    WITH gone AS (DELETE FROM resource_claims WHERE execution_id = ${executionId})
    UPDATE executions SET waiting_for = NULL WHERE id = ${executionId} AND waiting_for IS NOT NULL`;
}

/**
 * Claims of runs that ended (finished, cancelled, or interrupted after their worker died) are removed,
 * with their waiting_for: only runs in progress hold capacity. Then every remaining claim, in arrival
 * order, with what the pass needs to decide. One statement (its SELECT sees the rows as they were
 * before the DELETE, and leaves out the same ended runs).
 */
export async function liveClaims(sql: Sql) {
  return sql<ClaimRow[]>`
    WITH gone AS (
      DELETE FROM resource_claims c USING executions e WHERE e.id = c.execution_id AND e.status <> 'IN_PROGRESS' RETURNING c.execution_id
    ), cleared AS (
      UPDATE executions SET waiting_for = NULL WHERE id IN (SELECT execution_id FROM gone) AND waiting_for IS NOT NULL
    )
    SELECT c.execution_id::int AS "executionId", c.resource, c.granted_at IS NOT NULL AS granted, e.waiting_for AS "waitingFor",
           coalesce(r.capacity, r.declared_capacity, 1) AS capacity
    FROM resource_claims c
    JOIN executions e ON e.id = c.execution_id AND e.status = 'IN_PROGRESS'
    LEFT JOIN resources r ON r.name = c.resource
    ORDER BY c.seq`;
}

/**
 * Writes a pass's decisions in one statement: the granted runs' claims, every changed waiting_for,
 * and the news — jobdeck_resources carries the granted ids to the waiting workers, jobdeck_exec each
 * changed execution to the consoles. Both are delivered when the transaction commits.
 */
export async function applyGrants(sql: Sql, granted: number[], waiting: { id: number; resource: string | null }[], payloads: string[]) {
  if (!granted.length && !waiting.length) return;
  await sql`
    WITH g AS (
      UPDATE resource_claims SET granted_at = now() WHERE execution_id = ANY(${granted}::bigint[]) AND granted_at IS NULL
    ), w AS (
      UPDATE executions e SET waiting_for = t.r
      FROM unnest(${waiting.map((w) => w.id)}::bigint[], ${waiting.map((w) => w.resource)}::text[]) AS t(id, r)
      WHERE e.id = t.id
    )
    SELECT pg_notify('jobdeck_resources', p) FROM unnest(${payloads}::text[]) AS p
    UNION ALL
    SELECT pg_notify('jobdeck_exec', id::text) FROM unnest(${waiting.map((w) => w.id)}::bigint[]) AS id`;
}

/** Which of these runs hold every resource they claimed (a worker checking after a lost NOTIFY). */
export async function grantedAmong(sql: Sql, executionIds: number[]) {
  const rows = await sql<{ id: number }[]>`
    SELECT execution_id::int AS id FROM resource_claims WHERE execution_id = ANY(${executionIds}::bigint[])
    GROUP BY execution_id HAVING bool_and(granted_at IS NOT NULL)`;
  return rows.map((r) => r.id);
}
