import type { Resolvers } from '../generated/resolvers';
import { requireViewer } from '../../services/auth';
import { auditLog } from '../../services/audit';
import type { Context } from '../context';

export const adminResolvers: Resolvers = {
  Query: {
    auditLog: (_: unknown, a: { filter?: { actor?: string | null; action?: string | null; domain?: string | null; from?: Date | null; to?: Date | null } | null; first?: number; after?: string | null }, ctx: Context) => auditLog(ctx.deps, requireViewer(ctx.viewer), a),
  },
};
