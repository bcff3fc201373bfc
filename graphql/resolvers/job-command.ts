import type { RowRecord } from '../../services/models';
import { requireViewer } from '../../services/auth';
import { commandInfo } from '../../services/job-command';
import type { Context } from '../context';

export const jobCommandResolvers = {
  Job: {
    command: (r: RowRecord, _: Record<string, never>, ctx: Context) => commandInfo(ctx.deps, requireViewer(ctx.viewer), r.jobId),
  },
};
