import type { Resolvers } from '../generated/resolvers';
import { visibleDomains } from '../../services/access';
import * as auth from '../../services/auth';
import { recordAudit } from '../../services/audit';
import type { Context } from '../context';
import type { UserRecord } from '../../services/models';

const need = (ctx: Context) => auth.requireViewer(ctx.viewer);

async function audit(ctx: Context, action: string, target?: string) {
  await recordAudit(ctx.deps, { actor: ctx.viewer?.email ?? 'anonymous', action, target, address: ctx.address });
}

export const authResolvers: Resolvers = {
  Query: {
    viewer: (_: unknown, __: unknown, ctx: Context) => ctx.viewer ?? null,
    domains: async (_: unknown, __: unknown, ctx: Context) =>
      (await visibleDomains(ctx.deps.sql, need(ctx))).map((name) => ({ name })),
    apiTokens: (_: unknown, __: unknown, ctx: Context) => auth.listApiTokens(ctx.deps, need(ctx)),
  },
  Mutation: {
    login: async (_: unknown, a: { email: string; password: string }, ctx: Context) => {
      const r = await auth.login(ctx.deps, { ...a, address: ctx.address, userAgent: ctx.userAgent });
      ctx.setCookie?.(auth.SESSION_COOKIE, r.token, r.maxAgeSeconds);
      await recordAudit(ctx.deps, { actor: r.user.email, action: 'login', address: ctx.address });
      return r.user;
    },
    logout: async (_: unknown, __: unknown, ctx: Context) => {
      await auth.logout(ctx.deps, ctx.viewer);
      ctx.setCookie?.(auth.SESSION_COOKIE, '', 0);
      return true;
    },
    createApiToken: async (_: unknown, a: { name: string }, ctx: Context) => {
      const t = await auth.createApiToken(ctx.deps, need(ctx), a.name);
      await audit(ctx, 'createApiToken', t.id);
      return t;
    },
    revokeApiToken: async (_: unknown, a: { id: string }, ctx: Context) => {
      const ok = await auth.revokeApiToken(ctx.deps, need(ctx), a.id);
      await audit(ctx, 'revokeApiToken', a.id);
      return ok;
    },
    createDomain: async (_: unknown, a: { name: string }, ctx: Context) => {
      const d = await auth.createDomain(ctx.deps, need(ctx), a.name);
      // The new domain's rows exist (with their next runs) before the answer goes out.
      await ctx.deps.engine.syncDomain(d.name);
      await audit(ctx, 'createDomain', d.name);
      return d;
    },
    createUser: async (_: unknown, a: { email: string; password: string; role: UserRecord['role']; domains: string[] }, ctx: Context) => {
      const u = await auth.createUser(ctx.deps, need(ctx), a);
      await audit(ctx, 'createUser', u.email);
      return u;
    },
  },
  User: {
    id: (u) => ('userId' in u ? u.userId : u.id),
    domains: async (u, _, ctx) =>
      u.allDomains ? await visibleDomains(ctx.deps.sql, { ...u, via: 'session', credentialHash: '', userId: '' }) : u.domains,
  },
};
