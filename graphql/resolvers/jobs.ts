import type { Resolvers } from '../generated/resolvers';
import type { RowRecord } from '../../services/models';
import { requireViewer } from '../../services/auth';
import * as bulk from '../../services/bulk';
import * as executions from '../../services/executions';
import * as jobs from '../../services/jobs';
import type { Rule } from '../../services/models';
import type { Context } from '../context';
import { childFieldArgs, selectedFieldsAt } from '../lookahead';
import type { GraphQLResolveInfo } from 'graphql';

type JobRow = jobs.JobView;
type Args = Record<string, never>;

export const jobResolvers = {
  Query: {
    jobs: (_: unknown, a: { filter?: Parameters<typeof jobs.listJobs>[3]; first?: number; after?: string; orderBy?: jobs.JobOrderArg }, ctx: Context, info: GraphQLResolveInfo) =>
      jobs.listJobs(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, a.filter, a.first, a.after, a.orderBy, {
        brief: jobs.briefExecutionFields(selectedFieldsAt(info, ['nodes', 'lastExecution']) ?? []),
      }),
    job: (_: unknown, a: { jobId: string; domain: string }, ctx: Context, info: GraphQLResolveInfo) =>
      jobs.getJob(ctx.deps, requireViewer(ctx.viewer), a.jobId, a.domain, { loaders: ctx.loaders, executions: childFieldArgs(info, 'Job', 'executions') }),
    jobsByRefs: (_: unknown, a: { refs: { jobId: string; domain: string }[] }, ctx: Context) =>
      jobs.getJobs(ctx.deps, requireViewer(ctx.viewer), a.refs),
    previewRule: (_: unknown, a: { rule: jobs.RuleInputArg; count?: number; job?: { jobId: string; domain: string } | null }, ctx: Context) =>
      jobs.previewRule(ctx.deps, requireViewer(ctx.viewer), a.rule, a.count, ctx.locale, a.job),
  },
  Mutation: {
    executeNow: (_: unknown, a: { jobs: { jobId: string; domain: string }[]; parameters?: { name: string; value: string }[] | null }, ctx: Context) =>
      jobs.executeNow(ctx.deps, requireViewer(ctx.viewer), a.jobs, a.parameters),
    updateJob: (_: unknown, a: { jobId: string; domain: string; input: Parameters<typeof jobs.updateJob>[4] }, ctx: Context) =>
      jobs.updateJob(ctx.deps, requireViewer(ctx.viewer), a.jobId, a.domain, a.input),
    updateJobs: (_: unknown, a: { select: bulk.JobSelectionArg; input: bulk.BulkUpdateInput }, ctx: Context) =>
      bulk.updateJobs(ctx.deps, requireViewer(ctx.viewer), a.select, a.input),
    executeSelection: (_: unknown, a: { select: bulk.JobSelectionArg; parameters?: { name: string; value: string }[] | null }, ctx: Context) =>
      bulk.executeSelection(ctx.deps, requireViewer(ctx.viewer), a.select, a.parameters),
  },
  Job: {
    description: (r: RowRecord, _: Args, ctx: Context) => ctx.deps.catalog.get(r.jobId)?.description ?? '',
    plan: (r: RowRecord, _: Args, ctx: Context) => jobs.planOf(ctx.deps, r, ctx.locale),
    automaticRule: (r: RowRecord, _: Args, ctx: Context) => jobs.automaticRuleFor(ctx.deps, r),
    report: (r: RowRecord) => ({ send: r.reportSend, recipients: r.reportRecipients, when: r.reportWhen }),
    // last_execution_id is a bigint: postgres.js hands it over as a string, while the loader is keyed by
    // number (executions are read as id::int). Unnormalized, load('12') missed the primed entry and the
    // batch answered undefined: lastExecution was null and running false for every row.
    lastExecution: (r: JobRow, _: Args, ctx: Context) => jobs.lastExecutionOf(ctx.loaders, r),
    running: (r: JobRow, _: Args, ctx: Context) => {
      const e = jobs.lastExecutionOf(ctx.loaders, r);
      return e instanceof Promise ? e.then((x) => x?.status === 'IN_PROGRESS') : e?.status === 'IN_PROGRESS';
    },
    hasUnreadLogs: (r: JobRow, _: Args, ctx: Context) => jobs.hasUnread(ctx.deps, requireViewer(ctx.viewer), r),
    locks: (r: RowRecord, _: Args, ctx: Context) => ctx.deps.catalog.get(r.jobId)?.locks ?? [],
    timeoutSeconds: (r: RowRecord, _: Args, ctx: Context) => ctx.deps.catalog.get(r.jobId)?.timeoutSeconds ?? 3600,
    executions: (r: RowRecord, a: Parameters<typeof executions.listForRow>[3], ctx: Context) => executions.listForRow(ctx.deps, ctx.loaders, r, a),
  },
  Rule: {
    every: (r: Rule) => r.every ?? null,
    days: (r: Rule) => r.days ?? null,
    times: (r: Rule) => r.times ?? null,
    cron: (r: Rule) => r.cron ?? null,
    spreadMinutes: (r: Rule) => r.spreadMinutes || null,
    summary: (r: Rule, _: Args, ctx: Context) => jobs.ruleSummary(r, ctx.locale),
  },
};
