import type { Resolvers } from '../generated/resolvers';
import { requireViewer } from '../../services/auth';
import * as resources from '../../services/resources';
import type { ExecutionRecord } from '../../services/models';

export const resourceResolvers: Resolvers = {
  Query: {
    resources: (_, __, ctx) => resources.listResources(ctx.deps, requireViewer(ctx.viewer)),
  },
  Mutation: {
    setResourceCapacity: (_, a, ctx) => resources.setResourceCapacity(ctx.deps, requireViewer(ctx.viewer), a.name, a.capacity),
  },
  Execution: {
    // A run that ended waits for nothing, whatever a worker that died left in the column.
    waitingFor: (e: ExecutionRecord) => (e.status === 'IN_PROGRESS' ? e.waitingFor : null),
  },
};
