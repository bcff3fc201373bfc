import type { Sql } from '../client';
import { scopeCondition, type DbScope } from '../scope';

/** A resource as a grant pass sees it. */
export type ResourceState = {
  /** Effective capacity: the override, else the declared one, else 1 (a lock nobody declared). */
  capacity: number;
  /** Granted claims of runs in progress (a run that ended holds nothing, whether or not its claims are gone). */
  holders: number;
};

/** A waiting run's claim on one resource, as the grant pass reads it. */
export type WaitingClaim = {
  executionId: number;
  resource: string;
  /** Arrival order: a run's claims are inserted together, so any of them places the run. */
  seq: number;
  /** The execution's waiting_for as stored now (the pass writes it only when it changes). */
  waitingFor: string | null;
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

/* ---------- the grant pass: every statement below runs in its transaction (the reads also in the fallback poll's unlocked look) ---------- */

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

/** Gives back what a run holds or waits for, with its waiting_for; returns the resources it had claimed. */
export async function deleteClaims(sql: Sql, executionId: number) {
  const rows = await sql<{ resource: string }[]>`
    WITH gone AS (DELETE FROM resource_claims WHERE execution_id = ${executionId} RETURNING resource),
    cleared AS (UPDATE executions SET waiting_for = NULL WHERE id = ${executionId} AND waiting_for IS NOT NULL)
    SELECT resource FROM gone`;
  return rows.map((r) => r.resource);
}

/*
 * The statements below look a claim's execution up by primary key, in a scalar subquery, rather
 * than joining executions: a join let the planner scan every run in progress (or every execution)
 * while resource_claims' statistics were those of an empty table, as after 1,000 runs queued at once.
 */

/** Capacity and holders of each named resource (one row per name, known to the resources table or not). */
export async function resourceStates(sql: Sql, names: string[]) {
  const rows = await sql<({ resource: string } & ResourceState)[]>`
    SELECT t.name AS resource, coalesce(r.capacity, r.declared_capacity, 1)::int AS capacity,
           (SELECT count(*) FROM resource_claims c
            WHERE c.resource = t.name AND c.granted_at IS NOT NULL
              AND (SELECT e.status FROM executions e WHERE e.id = c.execution_id) = 'IN_PROGRESS')::int AS holders
    FROM unnest(${names}::text[]) AS t(name) LEFT JOIN resources r ON r.name = t.name`;
  return new Map(rows.map((r) => [r.resource, { capacity: r.capacity, holders: r.holders }]));
}

/**
 * The heads of queues: every waiting claim of the first `limit` waiting runs in progress of each
 * resource (an index scan in seq order that stops there, runs that ended are skipped), and of `runs`.
 * OFFSET 0 keeps the claims of the picked runs a lookup by primary key (flattened, it was a scan).
 */
export async function queueHeads(sql: Sql, limits: Map<string, number>, runs: number[]) {
  return sql<WaitingClaim[]>`
    WITH picked AS (
      SELECT h.execution_id FROM unnest(${[...limits.keys()]}::text[], ${[...limits.values()]}::int[]) AS t(name, n)
      CROSS JOIN LATERAL (
        SELECT c.execution_id FROM resource_claims c
        WHERE c.resource = t.name AND c.granted_at IS NULL
          AND (SELECT e.status FROM executions e WHERE e.id = c.execution_id) = 'IN_PROGRESS'
        ORDER BY c.seq LIMIT t.n
      ) h
      UNION SELECT r.id FROM unnest(${runs}::bigint[]) AS r(id) WHERE (SELECT e.status FROM executions e WHERE e.id = r.id) = 'IN_PROGRESS'
    )
    SELECT c.execution_id::int AS "executionId", c.resource, c.seq::float8 AS seq,
           (SELECT e.waiting_for FROM executions e WHERE e.id = c.execution_id) AS "waitingFor"
    FROM picked p
    CROSS JOIN LATERAL (SELECT * FROM resource_claims c WHERE c.execution_id = p.execution_id OFFSET 0) c
    WHERE c.granted_at IS NULL
    ORDER BY c.seq`;
}

/** Every resource some run claims. */
export async function claimedResources(sql: Sql) {
  return (await sql<{ resource: string }[]>`SELECT DISTINCT resource FROM resource_claims`).map((r) => r.resource);
}

/** Whether runs that ended (finished, cancelled, or interrupted after their worker died) left claims behind. */
export async function hasEndedClaims(sql: Sql) {
  const [row] = await sql<{ any: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM resource_claims c WHERE (SELECT e.status FROM executions e WHERE e.id = c.execution_id) <> 'IN_PROGRESS') AS any`;
  return row!.any;
}

/**
 * Removes the claims of runs that ended, with their waiting_for. Only tidiness: a pass already
 * counts no holder and serves no waiter among them.
 */
export async function deleteEndedClaims(sql: Sql) {
  await sql`
    WITH gone AS (
      DELETE FROM resource_claims c WHERE (SELECT e.status FROM executions e WHERE e.id = c.execution_id) <> 'IN_PROGRESS' RETURNING c.execution_id
    )
    UPDATE executions SET waiting_for = NULL WHERE id IN (SELECT execution_id FROM gone) AND waiting_for IS NOT NULL`;
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
