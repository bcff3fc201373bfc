/**
 * Resources with a capacity (API.md "Fleet operations"): every signed-in viewer sees them, with the
 * holders and waiters among the runs he may see; only a system administrator of all domains changes
 * a capacity, and the change acts at once (a raise grants waiting runs in the same transaction).
 */
import { insertAudit } from '../db/queries/audit';
import { claimCounts, findResources, setCapacity } from '../db/queries/resources';
import { withScope } from '../db/scope';
import { MAX_RESOURCE_CAPACITY } from '../jobs/catalog';
import { catalogResources, runGrantPass } from '../jobs/resources';
import { badInput, forbidden } from '../lib/errors';
import { isSuperAdmin, scopeOf, type Viewer } from './access';
import type { Deps } from './deps';

export type ResourceView = { name: string; capacity: number; inUse: number; waiting: number };

/** The named resources (every one this deployment knows when `only` is unset), sorted by name. */
async function views(deps: Deps, v: Viewer, only?: string[]): Promise<ResourceView[]> {
  const known = catalogResources(deps.catalog);
  const names = only ?? [...known.keys()].sort((a, b) => a.localeCompare(b));
  if (!names.length) return [];
  const scope = scopeOf(v);
  const [rows, counts] = await Promise.all([
    findResources(deps.sql, names),
    withScope(deps.sql, scope, (tx) => claimCounts(tx, scope)),
  ]);
  const byName = new Map(rows.map((r) => [r.name, r]));
  const used = new Map(counts.map((c) => [c.resource, c]));
  return names.map((name) => {
    const r = byName.get(name);
    return {
      name,
      capacity: r ? (r.capacity ?? r.declaredCapacity) : (known.get(name) ?? 1),
      inUse: used.get(name)?.inUse ?? 0,
      waiting: used.get(name)?.waiting ?? 0,
    };
  });
}

export function listResources(deps: Deps, v: Viewer) {
  return views(deps, v);
}

export async function setResourceCapacity(deps: Deps, v: Viewer, name: string, capacity: number) {
  if (!isSuperAdmin(v)) throw forbidden('Only a system administrator of all domains can change the capacity of a resource.');
  const known = catalogResources(deps.catalog);
  if (!known.has(name)) {
    const shown = name.length > 100 ? `${name.slice(0, 100)}…` : name;
    throw badInput('name', `No job locks a resource named "${shown}" and JOBS_FILE declares none: see the resources query for the names.`);
  }
  if (!Number.isInteger(capacity) || capacity < 0 || capacity > MAX_RESOURCE_CAPACITY)
    throw badInput('capacity', `Give a capacity from 0 (holds every run that needs it) to ${MAX_RESOURCE_CAPACITY}.`);
  // The override, its audit entry and the grants a raise allows commit together.
  await runGrantPass(deps.sql, async (tx) => {
    const before = (await findResources(tx, [name]))[0];
    await setCapacity(tx, name, known.get(name)!, capacity, v.email);
    await insertAudit(tx, {
      actor: v.email,
      action: 'setResourceCapacity',
      target: name,
      address: v.address,
      details: { capacity, before: before ? (before.capacity ?? before.declaredCapacity) : known.get(name) },
    });
    return { resources: [name] };
  });
  return (await views(deps, v, [name]))[0]!;
}
