import { listWorkers } from '../db/queries/workers';
import { isSystemAdmin, type Viewer } from './access';
import type { Deps } from './deps';
import { forbidden } from '../lib/errors';

/** The worker fleet: system administrators only (hosts and processes are the operator's, not a tenant's). */
export async function workers(deps: Deps, v: Viewer) {
  if (!isSystemAdmin(v)) throw forbidden('Only system administrators can see the workers.');
  return listWorkers(deps.sql, deps.config.LEASE_SECONDS);
}
