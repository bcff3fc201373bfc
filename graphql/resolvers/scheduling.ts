import type { Resolvers } from '../generated/resolvers';
import { requireViewer } from '../../services/auth';
import * as scheduling from '../../services/scheduling';

export const schedulingResolvers: Resolvers = {
  Query: {
    scheduler: (_, __, ctx) => scheduling.schedulerState(ctx.deps, requireViewer(ctx.viewer)),
  },
  Mutation: {
    pauseScheduling: (_, a, ctx) => scheduling.pauseScheduling(ctx.deps, requireViewer(ctx.viewer), a.domain, a.reason),
    resumeScheduling: (_, a, ctx) => scheduling.resumeScheduling(ctx.deps, requireViewer(ctx.viewer), a.domain, a.missed),
  },
};
