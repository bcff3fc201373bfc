import type { ExecutionRecord, RowRecord } from '../../services/models';
import * as parameters from '../../services/parameters';
import type { Context } from '../context';

type Args = Record<string, never>;

/** Run parameters: what a job declares, a row's own defaults and a run's values, secret values masked. */
export const parameterResolvers = {
  Job: {
    parameters: (r: RowRecord, _: Args, ctx: Context) => parameters.jobParameters(ctx.deps.catalog.get(r.jobId)),
    parameterDefaults: (r: RowRecord, _: Args, ctx: Context) => parameters.maskValues(ctx.deps.catalog.get(r.jobId), r.parameterDefaults),
  },
  Execution: {
    parameters: (e: ExecutionRecord, _: Args, ctx: Context) => parameters.maskValues(ctx.deps.catalog.get(e.jobId), e.parameters),
  },
};
