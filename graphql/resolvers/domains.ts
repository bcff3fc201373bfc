import type DataLoader from 'dataloader';
import { requireViewer } from '../../services/auth';
import { createDomains, createdAtLoader, deleteDomain, domainImpact, domainList } from '../../services/domains';
import type { Context } from '../context';

// Per request: a loader lives as long as its context.
const loaders = new WeakMap<Context, DataLoader<string, Date | null>>();

export const domainResolvers = {
  Query: {
    domainList: (_: unknown, a: { text?: string | null; first?: number | null; after?: string | null }, ctx: Context) =>
      domainList(ctx.deps, requireViewer(ctx.viewer), a.text, a.first, a.after),
    domainImpact: (_: unknown, a: { name: string }, ctx: Context) => domainImpact(ctx.deps, requireViewer(ctx.viewer), a.name),
  },
  Mutation: {
    createDomains: (_: unknown, a: { names: string[] }, ctx: Context) => createDomains(ctx.deps, requireViewer(ctx.viewer), a.names),
    deleteDomain: (_: unknown, a: { name: string }, ctx: Context) => deleteDomain(ctx.deps, requireViewer(ctx.viewer), a.name),
  },
  Domain: {
    created: (d: { created?: boolean }) => d.created ?? null,
    createdAt: (d: { name: string; createdAt?: Date }, _: unknown, ctx: Context) => {
      if (d.createdAt) return d.createdAt;
      let l = loaders.get(ctx);
      if (!l) loaders.set(ctx, (l = createdAtLoader(ctx.deps)));
      return l.load(d.name);
    },
  },
};
