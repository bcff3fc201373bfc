import { gql, type TypedDocumentNode } from '@apollo/client';
import type {
  JobCommandQuery,
  JobCommandQueryVariables,
  JobStatsQuery,
  JobStatsQueryVariables,
  UpdateParameterDefaultsMutation,
  UpdateParameterDefaultsMutationVariables,
} from '../../_lib/generated';

/**
 * What a command job runs (system administrators; null otherwise and for TypeScript jobs). Its own
 * query, not part of the shared job fragment: the list never needs it. The log viewer reads the
 * kill grace from it to say what Cancel will do.
 */
export const JOB_COMMAND: TypedDocumentNode<JobCommandQuery, JobCommandQueryVariables> = gql`
  query JobCommand($jobId: String!, $domain: String!) {
    job(jobId: $jobId, domain: $domain) {
      id jobId domain
      command { argv workingDirectory environmentNames killGraceSeconds }
    }
  }
`;

/** The Statistics tab: the row's last `last` ended runs (points oldest first). */
export const JOB_STATS: TypedDocumentNode<JobStatsQuery, JobStatsQueryVariables> = gql`
  query JobStats($jobId: String!, $domain: String!, $last: Int!) {
    job(jobId: $jobId, domain: $domain) {
      id jobId domain
      stats(last: $last) {
        runs successRate durationP50Ms durationP95Ms
        points { executionId startedAt durationMs status }
      }
    }
  }
`;

/** A row's own parameter defaults (replaces them; a secret left out keeps its value, "" clears one). */
export const UPDATE_PARAMETER_DEFAULTS: TypedDocumentNode<UpdateParameterDefaultsMutation, UpdateParameterDefaultsMutationVariables> = gql`
  mutation UpdateParameterDefaults($jobId: String!, $domain: String!, $parameters: [ParameterInput!]!) {
    updateJob(jobId: $jobId, domain: $domain, input: { parameters: $parameters }) { id jobId domain parameterDefaults { name value } }
  }
`;
