import DataLoader from 'dataloader';
import { findExecutions, type ExecutionRecord } from '../db/queries/executions';
import { withScope } from '../db/scope';
import { scopeOf, type Viewer } from './access';
import type { Deps, Loaders } from './deps';

/** Per request; with a viewer, the batch runs under row-level security in the viewer's scope. */
export function makeLoaders(deps: Deps, viewer?: Viewer): Loaders {
  return {
    execution: new DataLoader<number, ExecutionRecord | undefined>(async (ids) => {
      const rows = viewer
        ? await withScope(deps.sql, scopeOf(viewer), (tx) => findExecutions(tx, [...ids]))
        : await findExecutions(deps.sql, [...ids]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id));
    }),
    logPages: new Map(),
    rowExecutionPages: new Map(),
  };
}

