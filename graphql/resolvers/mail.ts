import type { Resolvers } from '../generated/resolvers';
import { requireViewer } from '../../services/auth';
import * as mail from '../../services/mail';
import type { Context } from '../context';

export const mailResolvers: Resolvers = {
  Query: {
    outbox: (_: unknown, a: { status?: string | null; first?: number; after?: string | null }, ctx: Context) =>
      mail.listOutbox(ctx.deps, requireViewer(ctx.viewer), a),
  },
  Mutation: {
    retryReport: (_: unknown, a: { id: string }, ctx: Context) => mail.retryReport(ctx.deps, requireViewer(ctx.viewer), a.id),
  },
};
