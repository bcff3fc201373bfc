import { gql, type TypedDocumentNode } from '@apollo/client';
import type { AuditPageQuery, AuditPageQueryVariables } from '../../_lib/generated';

/** Newest first; the filter is the page's URL state. */
export const AUDIT_PAGE: TypedDocumentNode<AuditPageQuery, AuditPageQueryVariables> = gql`
  query AuditPage($filter: AuditFilter, $first: Int, $after: String) {
    auditLog(filter: $filter, first: $first, after: $after) {
      pageInfo { endCursor hasNextPage }
      nodes { id at actor action target domain details address }
    }
  }
`;
