import type { Resolvers } from '../generated/resolvers';
import { requireViewer } from '../../services/auth';
import * as users from '../../services/users';
import type { Context } from '../context';

const need = (ctx: Context) => requireViewer(ctx.viewer);

/** Fields the viewer model lacks come from the users table, once per user and request. */
async function details(ctx: Context, id: string) {
  const [u] = await users.detailsOf(ctx.deps, [id]);
  return u;
}
const idOf = (u: { id: string } | { userId: string }) => ('userId' in u ? u.userId : u.id);

export const userResolvers: Resolvers = {
  Query: {
    users: (_, a, ctx) => users.listUsers(ctx.deps, need(ctx), a),
    user: (_, a, ctx) => users.getUser(ctx.deps, need(ctx), a.id),
    sessions: (_, __, ctx) => users.listSessions(ctx.deps, need(ctx)),
  },
  Mutation: {
    updateUser: (_, a, ctx) => users.updateUser(ctx.deps, need(ctx), a.id, a.input),
    deleteUser: (_, a, ctx) => users.deleteUser(ctx.deps, need(ctx), a.id),
    setPassword: (_, a, ctx) => users.setPassword(ctx.deps, need(ctx), a.userId, a.password),
    changePassword: (_, a, ctx) => users.changePassword(ctx.deps, need(ctx), a.currentPassword, a.newPassword),
    endSession: (_, a, ctx) => users.endSession(ctx.deps, need(ctx), a.id),
  },
  User: {
    disabled: async (u, _, ctx) => ('disabled' in u ? (u.disabled as boolean) : ((await details(ctx, idOf(u)))?.disabled ?? false)),
    mustChangePassword: async (u, _, ctx) =>
      'mustChangePassword' in u ? (u.mustChangePassword as boolean) : ((await details(ctx, idOf(u)))?.mustChangePassword ?? false),
    createdAt: async (u, _, ctx) => ('createdAt' in u ? (u.createdAt as Date) : (await details(ctx, idOf(u)))!.createdAt),
    lastSignInAt: async (u, _, ctx) => ('lastSignInAt' in u ? (u.lastSignInAt as Date | null) : ((await details(ctx, idOf(u)))?.lastSignInAt ?? null)),
  },
};
