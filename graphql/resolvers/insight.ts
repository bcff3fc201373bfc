import type { Resolvers } from '../generated/resolvers';
import { requireViewer } from '../../services/auth';
import * as insight from '../../services/insight';
import * as logSearch from '../../services/log-search';
import { briefExecutionFields } from '../../services/jobs';
import { selectedFieldsAt } from '../lookahead';

export const insightResolvers: Resolvers = {
  Query: {
    overview: (_, a, ctx) => insight.overview(ctx.deps, requireViewer(ctx.viewer), a.domain),
    upcoming: (_, a, ctx, info) =>
      insight.upcoming(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, a, {
        brief: briefExecutionFields(selectedFieldsAt(info, ['nodes', 'job', 'lastExecution']) ?? []),
      }),
    searchLogs: (_, a, ctx) => logSearch.searchLogs(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, a),
  },
  Job: {
    stats: (row, a, ctx) => insight.rowStats(ctx.deps, row, a.last),
  },
};
