/**
 * Resources with a capacity (a job's `locks`): at most `capacity` runs hold one at once, the others
 * wait first come first served. A run that needs several is granted all of them at once or none,
 * so no run ever holds one resource while it waits for another: no deadlock. A waiting run blocks
 * later arrivals on every resource it wants, so a run that needs many is never starved by a stream
 * of runs that need one.
 *
 * The database decides (resource_claims, one grant pass at a time under an advisory lock); a freed
 * slot's next holder is told by NOTIFY, within milliseconds, with a slow poll behind it. A pass
 * reads only the heads of the queues that changed (jobs/grant-plan.ts), so that a handoff does not
 * cost more when more runs wait.
 */
import type { Sql } from '../db/client';
import * as q from '../db/queries/resources';
import { planPass, type GrantPlan, type GrantState } from './grant-plan';
import type { CatalogView } from './types';

/** How often a worker with waiting runs looks for claims that ended runs left (then runs a full pass) and for grants whose NOTIFY it missed. */
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

/** What a change touched: the pass reads these resources' queues, and these runs (a newcomer's own plan). */
export type Touched = { resources: readonly string[]; runs?: readonly number[] };

const stateIn = (sql: Sql): GrantState => ({
  resources: (names) => q.resourceStates(sql, names),
  heads: (limits, runs) => q.queueHeads(sql, limits, runs),
});

/**
 * One grant pass, inside a transaction that holds lockGrants (taken before it touched any claim, so
 * that arrival order is commit order): grants and waiting_for are written, the granted runs'
 * workers are notified on commit. Without `touched`, a full pass: claims of ended runs go, and the
 * head of every queue is looked at.
 */
async function grantPass(tx: Sql, touched: Touched | void): Promise<GrantPlan> {
  let plan: GrantPlan;
  if (touched) plan = await planPass(stateIn(tx), touched.resources, touched.runs);
  else {
    await q.deleteEndedClaims(tx);
    plan = await planPass(stateIn(tx), await q.claimedResources(tx));
  }
  // In id order, like every other multi-row update of executions: two of them never wait on each other in a circle.
  plan.writes.sort((a, b) => a.id - b.id);
  await q.applyGrants(tx, plan.granted, plan.writes, payloads(plan.granted));
  return plan;
}

/**
 * A pass in a transaction of its own, after `before` (claims inserted or deleted, a capacity
 * changed, in the same transaction), which says what it touched (nothing said: a full pass);
 * retried when PostgreSQL picks it as a deadlock's victim.
 */
export async function runGrantPass(sql: Sql, before?: (tx: Sql) => Promise<Touched | void>): Promise<GrantPlan> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await sql.begin(async (tx) => {
        const t = tx as unknown as Sql;
        // Sent together, run in order by the server: the lock is held before `before` touches a claim.
        const [, touched] = await Promise.all([q.lockGrants(t), before?.(t)]);
        return grantPass(t, touched);
      })) as GrantPlan;
    } catch (e) {
      if ((e as { code?: string }).code !== '40P01' || attempt >= 3) throw e;
    }
  }
}

/**
 * Whether a full pass would change anything, read without the lock: every worker with waiting
 * runs asks each FALLBACK_POLL_MS, and must not queue behind the releases it is a safety net for.
 * A read that overlaps a pass may answer yes wrongly; the full pass then finds nothing to do.
 */
async function fullPassNeeded(sql: Sql): Promise<boolean> {
  if (await q.hasEndedClaims(sql)) return true;
  const plan = await planPass(stateIn(sql), await q.claimedResources(sql));
  return plan.granted.length > 0 || plan.writes.length > 0;
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

  /** The fallback: a full pass when one is due (a releaser that died ran none) and a look for grants we were not told of. */
  private async check() {
    if (!this.waiters.size) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.checking) return;
    this.checking = true;
    try {
      if (await fullPassNeeded(this.sql)) this.onGranted((await runGrantPass(this.sql)).granted);
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
      const plan = await runGrantPass(this.sql, async (tx) => {
        await q.insertClaims(tx, executionId, names);
        return { resources: names, runs: [executionId] };
      });
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
   * Never throws: claims left behind by a failure stop counting once the run has ended (the
   * fallback poll's full pass removes them and serves their queues).
   */
  async release(executionId: number) {
    try {
      const plan = await runGrantPass(this.sql, async (tx) => ({ resources: await q.deleteClaims(tx, executionId) }));
      this.onGranted(plan.granted);
    } catch (e) {
      this.log(`releasing the resources of execution ${executionId} failed (freed when the run ends): ${(e as Error).message}`);
    }
  }
}
