/**
 * The decision of a grant pass (jobs/resources.ts), with no database: which waiting runs take the
 * freed slots, and what each of the others waits for. A pass reads only the queues whose state
 * changed, and of each only its head: a release costs the same under 1,000 waiting runs as under 1.
 */
import type { ResourceState, WaitingClaim } from '../db/queries/resources';

export type Waiting = { resource: string; inUse: number; capacity: number };
export type GrantPlan = {
  /** Runs granted every resource they wait for, in arrival order. */
  granted: number[];
  /** Runs still waiting (those the pass looked at): the first resource each lacks, with how full it is. */
  waiting: Map<number, Waiting>;
  /** executions.waiting_for values that change (null: no longer waiting). */
  writes: { id: number; resource: string | null }[];
};

/**
 * The decision from the waiting claims of some runs, in arrival order (seq), and the state of every
 * resource they want. A run is granted when each resource it waits for has room (holders <
 * capacity) and no earlier waiting run wants it; a run that is not granted marks its resources as
 * wanted, so later arrivals queue behind it.
 */
export function planGrants(resources: ReadonlyMap<string, ResourceState>, claims: readonly WaitingClaim[]): GrantPlan {
  const holders = new Map<string, number>();
  for (const [name, s] of resources) holders.set(name, s.holders);
  const capacity = (r: string) => resources.get(r)?.capacity ?? 1;
  /** By their first claim's seq: a run's claims are inserted together, under the pass's lock. */
  const runs = new Map<number, { wants: string[]; waitingFor: string | null }>();
  for (const c of [...claims].sort((a, b) => a.seq - b.seq)) {
    const r = runs.get(c.executionId) ?? { wants: [], waitingFor: c.waitingFor };
    r.wants.push(c.resource);
    runs.set(c.executionId, r);
  }
  const wanted = new Set<string>();
  const plan: GrantPlan = { granted: [], waiting: new Map(), writes: [] };
  for (const [id, run] of runs) {
    const lacking = run.wants.find((r) => wanted.has(r) || (holders.get(r) ?? 0) >= capacity(r));
    if (lacking === undefined) {
      for (const r of run.wants) holders.set(r, (holders.get(r) ?? 0) + 1);
      plan.granted.push(id);
      if (run.waitingFor !== null) plan.writes.push({ id, resource: null });
      continue;
    }
    for (const r of run.wants) wanted.add(r);
    plan.waiting.set(id, { resource: lacking, inUse: holders.get(lacking) ?? 0, capacity: capacity(lacking) });
    if (run.waitingFor !== lacking) plan.writes.push({ id, resource: lacking });
  }
  return plan;
}

/** Where a pass reads the state it decides on: the database in the pass's transaction, or a test's model. */
export interface GrantState {
  /** Capacity and holders (runs in progress only) of each named resource. */
  resources(names: string[]): Promise<Map<string, ResourceState>>;
  /**
   * Every waiting claim of the first `limit` waiting runs (in progress only) of each named
   * resource, in seq order, and of the runs in `runs`.
   */
  heads(limits: Map<string, number>, runs: number[]): Promise<WaitingClaim[]>;
}

/**
 * A pass that looks only at `touched` resources (whose holders, capacity or queue changed since the
 * last pass) and at `runs` (a newcomer, whose own plan the caller needs). It equals planGrants over
 * every claim, given that the last pass left nothing grantable and every waiting_for right:
 * - of a resource with `free` slots, only the first max(free, 1) waiting runs can change: after
 *   them the resource is either full or wanted by one of them. The head is read even when nothing
 *   is free, because only a head can begin to lack a resource (its capacity lowered below holders);
 * - a run read may want other resources: their heads are read too (all or nothing), until no run
 *   read wants a resource not read. Runs behind a head on every resource read, and runs on other
 *   resources, keep their decision (waiting) and their waiting_for.
 */
export async function planPass(state: GrantState, touched: Iterable<string>, runs: readonly number[] = []): Promise<GrantPlan> {
  const known = new Map<string, ResourceState>();
  const claims: WaitingClaim[] = [];
  const read = new Set<number>();
  let names = [...new Set(touched)];
  let extra = [...runs];
  while (names.length || extra.length) {
    if (names.length) for (const [n, s] of await state.resources(names)) known.set(n, s);
    const limits = new Map(names.map((n) => [n, Math.max(1, known.get(n)!.capacity - known.get(n)!.holders)] as const));
    const rows = (await state.heads(limits, extra)).filter((c) => !read.has(c.executionId));
    for (const c of rows) claims.push(c);
    for (const c of rows) read.add(c.executionId);
    names = [...new Set(rows.map((c) => c.resource))].filter((r) => !known.has(r));
    extra = [];
  }
  return planGrants(known, claims);
}
