import type { Resolvers } from '../generated/resolvers';
import { requireViewer } from '../../services/auth';
import * as insight from '../../services/insight';
import * as logSearch from '../../services/log-search';

export const insightResolvers: Resolvers = {
  Query: {
    overview: (_, a, ctx) => insight.overview(ctx.deps, requireViewer(ctx.viewer), a.domain),
    upcoming: (_, a, ctx) => insight.upcoming(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, a),
    searchLogs: (_, a, ctx) => logSearch.searchLogs(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, a),
  },
  Job: {
    stats: (row, a, ctx) => insight.rowStats(ctx.deps, row, a.last),
  },
};
