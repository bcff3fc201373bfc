/**
 * Resources with a capacity (a job's `locks`): at most `capacity` runs hold one at once, the others
 * wait first come first served. A run that needs several is granted all of them at once or none,
 * so no run ever holds one resource while it waits for another: no deadlock. A waiting run blocks
 * later arrivals on every resource it wants, so a run that needs many is never starved by a stream
 * of runs that need one.
 *
 * The database decides (resource_claims, one grant pass at a time under an advisory lock); a freed
 * slot's next holder is told by NOTIFY, within milliseconds, with a slow poll behind it.
 */
import type { Sql } from '../db/client';
import * as q from '../db/queries/resources';
import type { CatalogView } from './types';

/** How often a worker with waiting runs runs a pass itself and looks for grants whose NOTIFY it missed. */
export const FALLBACK_POLL_MS = 1000;
/** Carries the ids of the runs just granted (comma-separated), delivered when the pass commits. */
export const GRANTED_CHANNEL = 'jobdeck_resources';
/** NOTIFY payloads stay under PostgreSQL's 8000 bytes. */
const PAYLOAD_CHARS = 7000;

/** Every resource this catalog knows: JOBS_FILE's declared ones, then those only named by locks (capacity 1). */
export function catalogResources(catalog: CatalogView): Map<string, number> {
  const out = new Map<string, number>(catalog.resources ?? []);
  for (const def of catalog.list()) for (const l of def.locks ?? []) if (!out.has(l)) out.set(l, 1);
  return out;
}

/** Every process writes the declared capacities at start (an override set by setResourceCapacity stays). */
export async function syncResources(sql: Sql, catalog: CatalogView) {
  await q.upsertDeclared(sql, [...catalogResources(catalog)].map(([name, capacity]) => ({ name, capacity })));
}

export type Waiting = { resource: string; inUse: number; capacity: number };
export type GrantPlan = {
  /** Runs granted every resource they wait for, in arrival order. */
  granted: number[];
  /** Runs still waiting: the first resource each lacks, with how full it is. */
  waiting: Map<number, Waiting>;
  /** executions.waiting_for values that change (null: no longer waiting). */
  writes: { id: number; resource: string | null }[];
};

/**
 * The decision of one pass, from every live claim in arrival order. A run is granted when each
 * resource it waits for has room (holders < capacity) and no earlier waiting run wants it; a run
 * that is not granted marks its resources as wanted, so later arrivals queue behind it.
 */
export function planGrants(claims: readonly q.ClaimRow[]): GrantPlan {
  const holders = new Map<string, number>();
  const capacity = new Map<string, number>();
  /** Runs with a claim not granted yet, by their first claim's seq (the rows come in seq order). */
  const runs = new Map<number, { wants: string[]; waitingFor: string | null }>();
  for (const c of claims) {
    capacity.set(c.resource, c.capacity);
    if (c.granted) holders.set(c.resource, (holders.get(c.resource) ?? 0) + 1);
    else {
      const r = runs.get(c.executionId) ?? { wants: [], waitingFor: c.waitingFor };
      r.wants.push(c.resource);
      runs.set(c.executionId, r);
    }
  }
  const wanted = new Set<string>();
  const plan: GrantPlan = { granted: [], waiting: new Map(), writes: [] };
  for (const [id, run] of runs) {
    const lacking = run.wants.find((r) => wanted.has(r) || (holders.get(r) ?? 0) >= (capacity.get(r) ?? 1));
    if (lacking === undefined) {
      for (const r of run.wants) holders.set(r, (holders.get(r) ?? 0) + 1);
      plan.granted.push(id);
      if (run.waitingFor !== null) plan.writes.push({ id, resource: null });
      continue;
    }
    for (const r of run.wants) wanted.add(r);
    plan.waiting.set(id, { resource: lacking, inUse: holders.get(lacking) ?? 0, capacity: capacity.get(lacking) ?? 1 });
    if (run.waitingFor !== lacking) plan.writes.push({ id, resource: lacking });
  }
  return plan;
}

function payloads(ids: number[]): string[] {
  const out: string[] = [];
  let cur = '';
  for (const id of ids) {
    const s = String(id);
    if (cur && cur.length + 1 + s.length > PAYLOAD_CHARS) (out.push(cur), (cur = ''));
    cur = cur ? `${cur},${s}` : s;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * One grant pass, inside a transaction that holds lockGrants (taken before it touched any claim, so
 * that arrival order is commit order): claims of ended runs go, grants and waiting_for are written,
 * the granted runs' workers are notified on commit.
 */
async function grantPass(tx: Sql): Promise<GrantPlan> {
  const plan = planGrants(await q.liveClaims(tx));
  // In id order, like every other multi-row update of executions: two of them never wait on each other in a circle.
  plan.writes.sort((a, b) => a.id - b.id);
  await q.applyGrants(tx, plan.granted, plan.writes, payloads(plan.granted));
  return plan;
}

/**
 * A pass in a transaction of its own, after `before` (claims inserted or deleted, a capacity
 * changed, in the same transaction); retried when PostgreSQL picks it as a deadlock's victim.
 */
export async function runGrantPass(sql: Sql, before?: (tx: Sql) => Promise<void>): Promise<GrantPlan> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await sql.begin(async (tx) => {
        const t = tx as unknown as Sql;
        await q.lockGrants(t);
        await before?.(t);
        return grantPass(t);
      })) as GrantPlan;
    } catch (e) {
      if ((e as { code?: string }).code !== '40P01' || attempt >= 3) throw e;
    }
  }
}

type Waiter = { granted: boolean; wake: () => void };

/** An abort's reason stays the run's (cancel, timeout, shutdown): this only stops the wait. */
export class AbortedWhileWaiting extends Error {
  constructor() {
    super('aborted while waiting for a resource');
    this.name = 'AbortedWhileWaiting';
  }
}

/**
 * A worker process's side of resources: claims them for its runs, waits for the grant (NOTIFY,
 * or the fallback poll), gives them back. One per worker process.
 */
export class ResourceBroker {
  private readonly waiters = new Map<number, Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly log: (msg: string) => void,
    private readonly pollMs = FALLBACK_POLL_MS,
  ) {}

  async start() {
    // postgres.js calls onlisten again after a reconnect: grants sent meanwhile were lost, look now.
    const l = await this.sql.listen(GRANTED_CHANNEL, (p) => this.onGranted(p.split(',')), () => void this.check());
    this.unlisten = () => l.unlisten();
  }

  async stop() {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.unlisten?.().catch(() => {});
  }

  /** Runs of this process that wait now. */
  get waiting() {
    return this.waiters.size;
  }

  private onGranted(ids: (string | number)[]) {
    for (const s of ids) {
      const w = this.waiters.get(Number(s));
      if (w && !w.granted) {
        w.granted = true;
        w.wake();
      }
    }
  }

  /** The fallback: a pass of our own (a releaser that died ran none) and a look for grants we were not told of. */
  private async check() {
    if (!this.waiters.size) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.checking) return;
    this.checking = true;
    try {
      const plan = await runGrantPass(this.sql);
      this.onGranted(plan.granted);
      const ids = [...this.waiters.keys()];
      if (ids.length) this.onGranted(await q.grantedAmong(this.sql, ids));
    } catch (e) {
      this.log(`resource grant check failed (retried in ${this.pollMs} ms): ${(e as Error).message}`);
    } finally {
      this.checking = false;
    }
  }

  /**
   * Claims every resource in `locks` for the run and resolves once all are granted; `onWait` gets
   * one line for the run's log when it has to wait. Rejects (having given the claims back) when
   * `signal` aborts first. Resolves to the release, which the run calls when it ends.
   */
  async acquire(executionId: number, locks: readonly string[], signal: AbortSignal, onWait: (line: string) => void): Promise<() => Promise<void>> {
    const names = [...new Set(locks)].sort();
    if (!names.length) return async () => {};
    // Registered before the claim commits: a grant announced right after it is not missed.
    const waiter: Waiter = { granted: false, wake: () => {} };
    this.waiters.set(executionId, waiter);
    try {
      if (signal.aborted) throw new AbortedWhileWaiting();
      const plan = await runGrantPass(this.sql, (tx) => q.insertClaims(tx, executionId, names));
      this.onGranted(plan.granted);
      const mine = plan.waiting.get(executionId);
      if (mine && !waiter.granted) {
        onWait(`Waiting for ${mine.resource} (${mine.inUse} of ${mine.capacity} in use).`);
        if (!this.timer) (this.timer = setInterval(() => void this.check(), this.pollMs)).unref();
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(new AbortedWhileWaiting());
          waiter.wake = () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          };
          if (waiter.granted) return waiter.wake();
          if (signal.aborted) return onAbort();
          signal.addEventListener('abort', onAbort, { once: true });
        });
      }
    } catch (e) {
      this.waiters.delete(executionId);
      await this.release(executionId);
      throw e;
    }
    this.waiters.delete(executionId);
    return () => this.release(executionId);
  }

  /**
   * Gives back what the run holds or waits for, and grants the freed slots in the same transaction.
   * Never throws: claims left behind by a failure stop counting once the run has ended (every pass
   * removes the claims of ended runs).
   */
  async release(executionId: number) {
    try {
      const plan = await runGrantPass(this.sql, (tx) => q.deleteClaims(tx, executionId));
      this.onGranted(plan.granted);
    } catch (e) {
      this.log(`releasing the resources of execution ${executionId} failed (freed when the run ends): ${(e as Error).message}`);
    }
  }
}
