/**
 * Resources with a capacity, the parts that need no database: JOBS_FILE's `resources` (accepted,
 * refused naming the field), the grant pass's decision (first come first served, all or nothing, a
 * run that needs many blocks later arrivals, capacity 0 holds everyone), and that a pass reading
 * only the heads of the queues that changed decides as one that reads every claim.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { ResourceState, WaitingClaim } from '../../db/queries/resources';
import { CatalogError, loadCatalog } from '../../jobs/catalog';
import { planGrants, planPass, type GrantState } from '../../jobs/grant-plan';
import { catalogResources } from '../../jobs/resources';
import { defineJob } from '../../jobs/types';
import { rng } from '../helpers/rng';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-resources-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const builtin = defineJob({ id: 'system.retention', description: 'b', kind: 'GLOBAL', locks: ['executions'], run: async () => {} });
async function load(doc: unknown) {
  const file = path.join(dir, `jobs-${n++}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return loadCatalog({ jobsFile: file, builtins: [builtin], killGraceMs: 1000, maxLineChars: 1000 });
}
async function refused(doc: unknown) {
  const err = await load(doc).then(() => assert.fail('accepted'), (e: unknown) => e);
  assert.ok(err instanceof CatalogError, String(err));
  return err.message;
}
const job = { id: 'acme.mail', description: 'd', kind: 'PER_DOMAIN', command: ['true'], locks: ['mail-store', 'smtp'] };

describe('JOBS_FILE resources', () => {
  test('declared capacities, and locks that name none of them at capacity 1', async () => {
    const c = await load({ jobs: [job], resources: { 'mail-store': { capacity: 4 }, idle: { capacity: 0 } } });
    assert.deepEqual([...c.resources], [['mail-store', 4], ['idle', 0]]);
    assert.deepEqual([...catalogResources(c)].sort(), [['executions', 1], ['idle', 0], ['mail-store', 4], ['smtp', 1]]);
    assert.deepEqual([...(await load({ jobs: [job] })).resources], []);
  });

  test('bad declarations are refused, naming the field', async () => {
    assert.match(await refused({ jobs: [], resources: { 'mail-store': { capacity: -1 } } }), /resources\.mail-store\.capacity: must be at least 0/);
    assert.match(await refused({ jobs: [], resources: { 'mail-store': { capacity: 10_001 } } }), /resources\.mail-store\.capacity: must be at most 10000/);
    assert.match(await refused({ jobs: [], resources: { 'mail-store': { capacity: 1.5 } } }), /resources\.mail-store\.capacity: must be a whole number/);
    assert.match(await refused({ jobs: [], resources: { 'mail-store': { capacity: '4' } } }), /resources\.mail-store\.capacity: must be a whole number/);
    assert.match(await refused({ jobs: [], resources: { 'mail-store': {} } }), /resources\.mail-store\.capacity: is required/);
    assert.match(await refused({ jobs: [], resources: { 'mail-store': { capacity: 1, size: 2 } } }), /resources\.mail-store\.size: unknown key/);
    assert.match(await refused({ jobs: [], resources: { 'mail-store': 4 } }), /resources\.mail-store: must be an object like/);
    assert.match(await refused({ jobs: [], resources: [] }), /resources: must be an object like/);
    assert.match(await refused({ jobs: [], resources: { ['x'.repeat(101)]: { capacity: 1 } } }), /resources\.x+: a resource name is 1 to 100 characters/);
  });
});

/** Every claim in arrival order, [execution, resource, granted, capacity]: the state and the waiting claims planGrants takes. */
function planOf(rows: [number, string, boolean, number][], waitingFor: Record<number, string> = {}) {
  const resources = new Map<string, ResourceState>();
  for (const [, r, granted, capacity] of rows) {
    const s = resources.get(r) ?? { capacity, holders: 0 };
    if (granted) s.holders++;
    resources.set(r, s);
  }
  const claims: WaitingClaim[] = rows
    .map(([executionId, resource, granted], seq) => ({ executionId, resource, seq, granted, waitingFor: waitingFor[executionId] ?? null }))
    .filter((c) => !c.granted)
    .map(({ granted: _, ...c }) => c);
  return planGrants(resources, claims);
}

describe('planGrants', () => {
  test('room is granted in arrival order, the rest wait for the first resource they lack', () => {
    const p = planOf([[1, 'a', true, 2], [2, 'a', false, 2], [3, 'a', false, 2], [4, 'a', false, 2]]);
    assert.deepEqual(p.granted, [2]);
    assert.deepEqual(Object.fromEntries(p.waiting), { 3: { resource: 'a', inUse: 2, capacity: 2 }, 4: { resource: 'a', inUse: 2, capacity: 2 } });
    assert.deepEqual(p.writes, [{ id: 3, resource: 'a' }, { id: 4, resource: 'a' }]);
  });

  test('all or nothing: a run that needs two takes both or neither', () => {
    const p = planOf([[1, 'b', true, 1], [2, 'a', false, 1], [2, 'b', false, 1]]);
    assert.deepEqual(p.granted, []);
    assert.deepEqual(p.waiting.get(2), { resource: 'b', inUse: 1, capacity: 1 });
  });

  test('a waiting run that needs many blocks later arrivals on each of its resources (no starvation)', () => {
    // 2 wants a (full) and b (free); 3 wants only b and arrived later: it waits behind 2. 4 wants c: free.
    const p = planOf([[1, 'a', true, 1], [2, 'a', false, 1], [2, 'b', false, 1], [3, 'b', false, 1], [4, 'c', false, 1]]);
    assert.deepEqual(p.granted, [4]);
    assert.deepEqual(p.waiting.get(3), { resource: 'b', inUse: 0, capacity: 1 });
    // Once a frees, 2 takes both, and 3 still waits for b.
    const q = planOf([[2, 'a', false, 1], [2, 'b', false, 1], [3, 'b', false, 1]], { 2: 'a', 3: 'b' });
    assert.deepEqual(q.granted, [2]);
    assert.deepEqual(q.writes, [{ id: 2, resource: null }]);
  });

  test('capacity 0 holds every run that needs the resource; unchanged waiting_for is not rewritten', () => {
    const p = planOf([[5, 'x', false, 0], [6, 'x', false, 0]], { 5: 'x', 6: 'x' });
    assert.deepEqual(p.granted, []);
    assert.deepEqual(p.writes, []);
    assert.equal(p.waiting.size, 2);
  });
});

/** resource_claims and executions in memory, read the way db/queries/resources.ts reads them. */
class Model implements GrantState {
  claims: { executionId: number; resource: string; seq: number; granted: boolean }[] = [];
  waitingFor = new Map<number, string | null>();
  ended = new Set<number>();
  capacity = new Map<string, number>();
  reads = 0;
  private seq = 0;
  private live = () => this.claims.filter((c) => !this.ended.has(c.executionId));
  private waitingClaims = () => this.live().filter((c) => !c.granted).map(({ executionId, resource, seq }) => ({ executionId, resource, seq, waitingFor: this.waitingFor.get(executionId) ?? null }));

  async resources(names: string[]) {
    return new Map(names.map((n) => [n, this.state(n)] as const));
  }
  state(n: string): ResourceState {
    return { capacity: this.capacity.get(n) ?? 1, holders: this.live().filter((c) => c.resource === n && c.granted).length };
  }
  async heads(limits: Map<string, number>, runs: number[]) {
    const picked = new Set(runs);
    const waiting = this.waitingClaims();
    for (const [n, limit] of limits) for (const c of waiting.filter((w) => w.resource === n).slice(0, limit)) picked.add(c.executionId);
    const out = waiting.filter((c) => picked.has(c.executionId));
    this.reads += out.length;
    return out;
  }
  /** The pass that reads every claim. */
  full() {
    const names = [...new Set(this.live().map((c) => c.resource))];
    return planGrants(new Map(names.map((n) => [n, this.state(n)])), this.waitingClaims());
  }
  insert(id: number, names: string[]) {
    for (const resource of names) this.claims.push({ executionId: id, resource, seq: ++this.seq, granted: false });
  }
  remove(id: number) {
    const names = this.claims.filter((c) => c.executionId === id).map((c) => c.resource);
    this.claims = this.claims.filter((c) => c.executionId !== id);
    this.waitingFor.set(id, null);
    return names;
  }
  apply(plan: { granted: number[]; writes: { id: number; resource: string | null }[] }) {
    for (const c of this.claims) if (plan.granted.includes(c.executionId)) c.granted = true;
    for (const w of plan.writes) this.waitingFor.set(w.id, w.resource);
  }
}

describe('planPass', () => {
  test('reading only the heads of the queues that changed decides as reading every claim (random arrivals, releases, capacity changes, runs ending without a release)', async () => {
    const names = ['a', 'b', 'c', 'd'];
    for (let seed = 1; seed <= 100; seed++) {
      const rand = rng(seed);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
      const m = new Model();
      for (const n of names) m.capacity.set(n, Math.floor(rand() * 4));
      let next = 1;
      for (let step = 0; step < 80; step++) {
        const x = rand();
        const runs = [...new Set(m.claims.map((c) => c.executionId))].filter((id) => !m.ended.has(id));
        let touched: string[];
        let newcomer: number[] = [];
        if (x < 0.55 || !runs.length) {
          const id = next++;
          const wants = names.filter(() => rand() < 0.4);
          if (!wants.length) wants.push(pick(names));
          m.insert(id, wants);
          touched = wants;
          newcomer = [id];
        } else if (x < 0.85) touched = m.remove(pick(runs));
        else if (x < 0.95) {
          const r = pick(names);
          m.capacity.set(r, Math.floor(rand() * 4));
          touched = [r];
        } else {
          // A worker died: its run ended, claims left; the fallback poll's full pass tidies and looks at every queue.
          m.ended.add(pick(runs));
          m.claims = m.claims.filter((c) => !m.ended.has(c.executionId));
          touched = [...new Set(m.claims.map((c) => c.resource))];
        }
        const expected = m.full();
        const plan = await planPass(m, touched, newcomer);
        const at = `seed ${seed}, step ${step}`;
        assert.deepEqual(plan.granted, expected.granted, at);
        assert.deepEqual(
          [...plan.writes].sort((p, q) => p.id - q.id),
          [...expected.writes].sort((p, q) => p.id - q.id),
          at,
        );
        for (const id of newcomer) if (!plan.granted.includes(id)) assert.deepEqual(plan.waiting.get(id), expected.waiting.get(id), at);
        m.apply(plan);
        // Nothing left to grant, every waiting_for right: what the next pass relies on.
        const after = m.full();
        assert.deepEqual([after.granted, after.writes], [[], []], at);
      }
    }
  });

  test('a release under 1,000 waiting runs reads the queue\'s head, not the queue', async () => {
    const m = new Model();
    m.capacity.set('mail-store', 4);
    for (let id = 1; id <= 1004; id++) {
      m.insert(id, ['mail-store']);
      m.apply(await planPass(m, ['mail-store'], [id]));
    }
    assert.equal(m.state('mail-store').holders, 4);
    m.reads = 0;
    const plan = await planPass(m, m.remove(2));
    assert.deepEqual(plan.granted, [5]);
    assert.deepEqual(plan.writes, [{ id: 5, resource: null }]);
    assert.equal(m.reads, 1);
  });
});
