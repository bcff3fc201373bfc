import { DateTime } from '../scalars';
import { adminResolvers } from './admin';
import { authResolvers } from './auth';
import { executionResolvers } from './executions';
import { jobResolvers } from './jobs';
import { mailResolvers } from './mail';

export const resolvers = [
  {
    DateTime,
    Query: { ok: () => true },
    Mutation: { _noop: () => null },
  },
  authResolvers,
  jobResolvers,
  executionResolvers,
  mailResolvers,
  adminResolvers,
];
