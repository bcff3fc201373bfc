import { gql, type TypedDocumentNode } from '@apollo/client';
import type { RunParametersQuery, RunParametersQueryVariables } from '../../_lib/generated';

/**
 * What the "Execute now" form needs: the parameters the job declares and this row's own defaults
 * (secret values come back null). Its own query: the list's rows never carry parameters.
 */
export const RUN_PARAMETERS: TypedDocumentNode<RunParametersQuery, RunParametersQueryVariables> = gql`
  query RunParameters($jobId: String!, $domain: String!) {
    job(jobId: $jobId, domain: $domain) {
      id jobId domain
      parameters { name description type required default choices secret }
      parameterDefaults { name value }
    }
  }
`;
