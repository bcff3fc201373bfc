import type { Resolvers } from '../generated/resolvers';
import type { ExecutionRecord, LogRecord } from '../../services/models';
import { requireViewer } from '../../services/auth';
import * as executions from '../../services/executions';
import { canSeeDomain } from '../../services/access';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import { childFieldArgs } from '../lookahead';
import { badInput, notFound } from '../../lib/errors';

type Args = Record<string, never>;
type LogArgs = { executionId: string; afterSeq?: number };

/** The execution a log subscription follows: visible to the viewer, or NOT_FOUND like a missing one. */
async function logTarget(a: LogArgs, ctx: Context) {
  const v = requireViewer(ctx.viewer);
  const afterSeq = a.afterSeq ?? 0;
  if (!Number.isInteger(afterSeq) || afterSeq < 0) throw badInput('afterSeq', 'afterSeq must be 0 or more.');
  const e = await executions.getExecution(ctx.deps, v, ctx.loaders, a.executionId);
  if (!e) throw notFound(`Execution ${String(a.executionId).slice(0, 40)}`);
  return { e, afterSeq };
}

/**
 * The heartbeat stream. Not an async generator: a generator waiting in its timer cannot be
 * returned until the timer fires, so a client's "complete" (or a closed socket) would hold the
 * subscription, and its place under the per-socket cap, for up to a minute.
 */
function heartbeats(seconds: number, count: number): AsyncIterableIterator<{ heartbeat: Date }> {
  let sent = 0;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const end = { done: true, value: undefined } as IteratorReturnResult<undefined>;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (sent > 0 && !done && sent < count) await new Promise<void>((r) => ((wake = r), (timer = setTimeout(r, seconds * 1000))));
      if (done || sent >= count) return ((done = true), end);
      sent++;
      return { done: false, value: { heartbeat: new Date() } };
    },
    async return() {
      done = true;
      clearTimeout(timer);
      wake?.();
      return end;
    },
  } as AsyncIterableIterator<{ heartbeat: Date }>;
}

export const executionResolvers = {
  Query: {
    execution: (_: unknown, a: { id: string }, ctx: Context, info: GraphQLResolveInfo) => {
      const v = requireViewer(ctx.viewer);
      // Its log page is read at the same time as the execution, not after it.
      for (const args of childFieldArgs(info, 'Execution', 'logs')) executions.prefetchLogs(ctx.deps, v, ctx.loaders, a.id, args);
      return executions.getExecution(ctx.deps, v, ctx.loaders, a.id);
    },
  },
  Mutation: {
    cancelExecution: (_: unknown, a: { id: string }, ctx: Context) =>
      executions.cancelExecution(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, a.id),
    deleteExecutions: (_: unknown, a: { ids: string[] }, ctx: Context) =>
      executions.deleteExecutions(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, a.ids),
    markLogsRead: (_: unknown, a: { executionId: string }, ctx: Context) =>
      executions.markLogsRead(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, a.executionId),
  },
  Subscription: {
    executionLog: {
      subscribe: async (_: unknown, a: LogArgs, ctx: Context) => {
        const { e, afterSeq } = await logTarget(a, ctx);
        return ctx.hub.subscribeLog(e, afterSeq);
      },
      resolve: (entry: unknown) => entry,
    },
    executionLogBatch: {
      subscribe: async (_: unknown, a: LogArgs, ctx: Context) => {
        const { e, afterSeq } = await logTarget(a, ctx);
        return ctx.hub.subscribeLogBatches(e, afterSeq);
      },
      resolve: (entries: readonly LogRecord[]) => ({ entries, lastSeq: entries[entries.length - 1]!.seq }),
    },
    executionUpdated: {
      subscribe: (_: unknown, a: { jobId?: string | null; domain?: string | null }, ctx: Context) => {
        const v = requireViewer(ctx.viewer);
        // Scope is checked for every event, against the viewer of this socket.
        return ctx.hub.subscribeExecutions(
          (e) => canSeeDomain(v, e.domain) && !!ctx.deps.catalog.get(e.jobId) && (!a.jobId || a.jobId === e.jobId) && (!a.domain || a.domain === e.domain),
        );
      },
      resolve: (e: unknown) => e,
    },
    heartbeat: {
      subscribe: (_: unknown, a: { seconds?: number; count?: number }) => {
        const seconds = a.seconds ?? 1;
        const count = a.count ?? 3;
        if (!Number.isInteger(seconds) || seconds < 1 || seconds > 60) throw badInput('seconds', 'seconds must be between 1 and 60.');
        if (!Number.isInteger(count) || count < 1 || count > 100) throw badInput('count', 'count must be between 1 and 100.');
        return heartbeats(seconds, count);
      },
    },
  },
  Execution: {
    id: (e: ExecutionRecord) => String(e.id),
    durationMs: (e: ExecutionRecord) => (e.endedAt ? e.endedAt.getTime() - e.startedAt.getTime() : null),
    scheduledFor: (e: ExecutionRecord) => e.occurrenceAt,
    late: (e: ExecutionRecord) => executions.isLate(e),
    retryOf: (e: ExecutionRecord) => (e.retryOf ? String(e.retryOf) : null),
    retryAt: (e: ExecutionRecord) => (e.status === 'IN_PROGRESS' && !e.owner && e.notBefore && e.notBefore.getTime() > Date.now() ? e.notBefore : null),
    logs: (e: ExecutionRecord, a: Parameters<typeof executions.logsPage>[4], ctx: Context) => executions.logsPage(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, e, a),
  },
  LogEntry: {},
};
