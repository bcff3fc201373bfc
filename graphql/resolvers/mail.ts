import type { Resolvers } from '../generated/resolvers';
import { requireViewer } from '../../services/auth';
import type { OutboxMessage } from '../../services/models';
import * as executions from '../../services/executions';
import * as mail from '../../services/mail';
import type { Context } from '../context';

export const mailResolvers: Resolvers = {
  Query: {
    outbox: (_: unknown, a: { status?: string | null; first?: number; after?: string | null }, ctx: Context) =>
      mail.listOutbox(ctx.deps, requireViewer(ctx.viewer), a),
    mailTransport: (_: unknown, _a: unknown, ctx: Context) => mail.mailTransport(ctx.deps, requireViewer(ctx.viewer)),
  },
  Mutation: {
    retryReport: (_: unknown, a: { id: string }, ctx: Context) => mail.retryReport(ctx.deps, requireViewer(ctx.viewer), a.id),
  },
  OutboxMessage: {
    execution: (m: OutboxMessage, _: unknown, ctx: Context) => executions.getExecution(ctx.deps, requireViewer(ctx.viewer), ctx.loaders, m.executionId),
  },
};
