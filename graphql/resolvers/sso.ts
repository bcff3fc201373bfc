import type { Resolvers } from '../generated/resolvers';
import { signInMethods } from '../../services/sso';

export const ssoResolvers: Resolvers = {
  Query: {
    signInMethods: (_, __, ctx) => signInMethods(ctx.deps),
  },
};
