import { listWorkers, runningOf } from '../db/queries/workers';
import { withScope } from '../db/scope';
import { domainCondition, isSystemAdmin, scopeOf, type Viewer } from './access';
import type { Deps } from './deps';
import { forbidden } from '../lib/errors';

/**
 * The worker fleet: system administrators only (hosts and processes are the operator's, not a
 * tenant's); what each runs now, within the viewer's domains.
 */
export async function workers(deps: Deps, v: Viewer) {
  if (!isSystemAdmin(v)) throw forbidden('Only system administrators can see the workers.');
  const list = await listWorkers(deps.sql, deps.config.LEASE_SECONDS);
  const ids = list.map((w) => w.id);
  const running = await withScope(deps.sql, scopeOf(v), (tx) => runningOf(tx, ids, domainCondition(tx, v, tx`e.domain`) as never));
  return list.map((w) => {
    const runs = running.filter((e) => e.owner === w.id);
    return { ...w, running: runs.length, runningExecutions: runs };
  });
}
