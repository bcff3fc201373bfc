import { gql, type TypedDocumentNode } from '@apollo/client';
import type { UpcomingQuery, UpcomingQueryVariables } from '../../_lib/generated';

/** Occurrences in time order; the window and the filter are the page's URL state. */
export const UPCOMING: TypedDocumentNode<UpcomingQuery, UpcomingQueryVariables> = gql`
  query Upcoming($from: DateTime, $to: DateTime, $filter: JobFilter, $first: Int, $after: String) {
    upcoming(from: $from, to: $to, filter: $filter, first: $first, after: $after) {
      pageInfo { endCursor hasNextPage }
      nodes {
        at
        job {
          jobId domain
          plan { summary }
          lastExecution { id status }
        }
      }
    }
  }
`;
