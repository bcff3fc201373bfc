import { gql, type TypedDocumentNode } from '@apollo/client';
import type { WorkersQuery, WorkersQueryVariables } from '../../_lib/generated';

/** The worker fleet: each process, its slots, its heartbeat and what it runs now. */
export const WORKERS: TypedDocumentNode<WorkersQuery, WorkersQueryVariables> = gql`
  query Workers {
    workers {
      id host pid slots running alive startedAt lastSeenAt stoppedAt
      runningExecutions { id jobId domain startedAt progress waitingFor }
    }
  }
`;
