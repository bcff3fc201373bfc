import type { Resolvers } from '../generated/resolvers';
import { requireViewer } from '../../services/auth';
import * as workers from '../../services/workers';
import type { WorkerRecord } from '../../services/models';

export const workerResolvers: Resolvers = {
  Query: {
    workers: (_, __, ctx) => workers.workers(ctx.deps, requireViewer(ctx.viewer)),
  },
  Worker: {
    lastHeartbeatAt: (w: WorkerRecord) => w.heartbeatAt,
    lastSeenAt: (w: WorkerRecord) => w.heartbeatAt,
    runningExecutions: (w: WorkerRecord) => w.runningExecutions,
  },
};
