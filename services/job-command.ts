import { isSystemAdmin, type Viewer } from './access';
import type { Deps } from './deps';

export type CommandInfo = {
  argv: string[];
  workingDirectory: string | null;
  environmentNames: string[];
  killGraceSeconds: number;
};

/**
 * What a command job runs, for a row the viewer already sees. System administrators only: a command
 * line is deployment detail, not something a tenant's administrator needs. Null for TypeScript jobs.
 * Built from the catalog's declaration, which holds environment names and never their values.
 */
export function commandInfo(deps: Deps, v: Viewer, jobId: string): CommandInfo | null {
  if (!isSystemAdmin(v)) return null;
  const c = deps.catalog.get(jobId)?.command;
  if (!c) return null;
  return {
    argv: c.argv,
    workingDirectory: c.workingDirectory ?? null,
    environmentNames: c.environmentNames,
    killGraceSeconds: deps.config.KILL_GRACE_SECONDS,
  };
}
