/**
 * Resources with a capacity, the parts that need no database: JOBS_FILE's `resources` (accepted,
 * refused naming the field) and the grant pass's decision (first come first served, all or
 * nothing, a run that needs many blocks later arrivals, capacity 0 holds everyone).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { ClaimRow } from '../../db/queries/resources';
import { CatalogError, loadCatalog } from '../../jobs/catalog';
import { catalogResources, planGrants } from '../../jobs/resources';
import { defineJob } from '../../jobs/types';

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

/** Claims in arrival order: [execution, resource, granted, capacity]. */
const claims = (rows: [number, string, boolean, number][], waitingFor: Record<number, string> = {}): ClaimRow[] =>
  rows.map(([executionId, resource, granted, capacity]) => ({ executionId, resource, granted, capacity, waitingFor: waitingFor[executionId] ?? null }));

describe('planGrants', () => {
  test('room is granted in arrival order, the rest wait for the first resource they lack', () => {
    const p = planGrants(claims([[1, 'a', true, 2], [2, 'a', false, 2], [3, 'a', false, 2], [4, 'a', false, 2]]));
    assert.deepEqual(p.granted, [2]);
    assert.deepEqual(Object.fromEntries(p.waiting), { 3: { resource: 'a', inUse: 2, capacity: 2 }, 4: { resource: 'a', inUse: 2, capacity: 2 } });
    assert.deepEqual(p.writes, [{ id: 3, resource: 'a' }, { id: 4, resource: 'a' }]);
  });

  test('all or nothing: a run that needs two takes both or neither', () => {
    const p = planGrants(claims([[1, 'b', true, 1], [2, 'a', false, 1], [2, 'b', false, 1]]));
    assert.deepEqual(p.granted, []);
    assert.deepEqual(p.waiting.get(2), { resource: 'b', inUse: 1, capacity: 1 });
  });

  test('a waiting run that needs many blocks later arrivals on each of its resources (no starvation)', () => {
    // 2 wants a (full) and b (free); 3 wants only b and arrived later: it waits behind 2. 4 wants c: free.
    const p = planGrants(claims([[1, 'a', true, 1], [2, 'a', false, 1], [2, 'b', false, 1], [3, 'b', false, 1], [4, 'c', false, 1]]));
    assert.deepEqual(p.granted, [4]);
    assert.deepEqual(p.waiting.get(3), { resource: 'b', inUse: 0, capacity: 1 });
    // Once a frees, 2 takes both, and 3 still waits for b.
    const q = planGrants(claims([[2, 'a', false, 1], [2, 'b', false, 1], [3, 'b', false, 1]], { 2: 'a', 3: 'b' }));
    assert.deepEqual(q.granted, [2]);
    assert.deepEqual(q.writes, [{ id: 2, resource: null }]);
  });

  test('capacity 0 holds every run that needs the resource; unchanged waiting_for is not rewritten', () => {
    const p = planGrants(claims([[5, 'x', false, 0], [6, 'x', false, 0]], { 5: 'x', 6: 'x' }));
    assert.deepEqual(p.granted, []);
    assert.deepEqual(p.writes, []);
    assert.equal(p.waiting.size, 2);
  });
});
