import { gql, type TypedDocumentNode } from '@apollo/client';
import type { LogContextQuery, LogContextQueryVariables, SearchLogsQuery, SearchLogsQueryVariables } from '../../_lib/generated';

/** Matching lines, newest executions first; the search is the page's URL state. */
export const SEARCH_LOGS: TypedDocumentNode<SearchLogsQuery, SearchLogsQueryVariables> = gql`
  query SearchLogs($search: LogSearch!, $first: Int, $after: String) {
    searchLogs(search: $search, first: $first, after: $after) {
      pageInfo { endCursor hasNextPage }
      nodes {
        execution { id jobId domain startedAt status }
        entry { seq at level message }
      }
    }
  }
`;

/** A few lines around a hit: `afterSeq` is exclusive, so seq-3 and 5 lines are the two before and the two after. */
export const LOG_CONTEXT: TypedDocumentNode<LogContextQuery, LogContextQueryVariables> = gql`
  query LogContext($id: ID!, $afterSeq: Int!, $first: Int!) {
    execution(id: $id) {
      id
      logs(afterSeq: $afterSeq, first: $first) { entries { seq at level message } hasMore }
    }
  }
`;
