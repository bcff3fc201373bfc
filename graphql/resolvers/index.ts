import { DateTime } from '../scalars';
import { adminResolvers } from './admin';
import { authResolvers } from './auth';
import { domainResolvers } from './domains';
import { executionResolvers } from './executions';
import { jobCommandResolvers } from './job-command';
import { jobResolvers } from './jobs';
import { mailResolvers } from './mail';
import { ssoResolvers } from './sso';
import { userResolvers } from './users';
import { workerResolvers } from './workers';
import { insightResolvers } from './insight';
import { resourceResolvers } from './resources';
import { schedulingResolvers } from './scheduling';
import { parameterResolvers } from './parameters';
import { assuranceResolvers } from './assurance';

export const resolvers = [
  {
    DateTime,
    Query: { ok: () => true },
    Mutation: { _noop: () => null },
  },
  authResolvers,
  jobResolvers,
  jobCommandResolvers,
  executionResolvers,
  mailResolvers,
  adminResolvers,
  domainResolvers,
  userResolvers,
  ssoResolvers,
  workerResolvers,
  insightResolvers,
  resourceResolvers,
  schedulingResolvers,
  parameterResolvers,
  assuranceResolvers,
];
