import { gql, type TypedDocumentNode } from '@apollo/client';
import type {
  LogErrorAfterQuery,
  LogErrorAfterQueryVariables,
  LogHeadQuery,
  LogHeadQueryVariables,
  LogWindowQuery,
  LogWindowQueryVariables,
} from '../../_lib/generated';

/** Where the log ends now (its length: seqs run from 1 to lastSeq) and whether it still grows. */
export const LOG_HEAD: TypedDocumentNode<LogHeadQuery, LogHeadQueryVariables> = gql`
  query LogHead($id: ID!) { execution(id: $id) { id status lastSeq } }
`;

/**
 * One window of the log: the lines [afterSeq + 1, afterSeq + first] without a filter, or the next
 * `first` matching lines after afterSeq with one. Read with fetchPolicy 'no-cache': the normalised
 * cache would keep every window ever read.
 */
export const LOG_WINDOW: TypedDocumentNode<LogWindowQuery, LogWindowQueryVariables> = gql`
  query LogWindow($id: ID!, $afterSeq: Int!, $first: Int!, $levels: [LogLevel!], $text: String) {
    execution(id: $id) {
      id
      logs(afterSeq: $afterSeq, first: $first, levels: $levels, text: $text) { entries { seq at level message } hasMore }
    }
  }
`;

/** The first ERROR line after afterSeq (0: the first of the log). */
export const LOG_ERROR_AFTER: TypedDocumentNode<LogErrorAfterQuery, LogErrorAfterQueryVariables> = gql`
  query LogErrorAfter($id: ID!, $afterSeq: Int!) {
    execution(id: $id) { id logs(afterSeq: $afterSeq, first: 1, levels: [ERROR]) { entries { seq } } }
  }
`;
