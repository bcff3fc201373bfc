import { gql, type TypedDocumentNode } from '@apollo/client';
import type { DashboardQuery, DashboardQueryVariables } from '../../_lib/generated';

/**
 * Everything the dashboard shows, in one round trip: it is read again as a whole whenever an
 * execution changes (the numbers and the next runs move together).
 */
export const DASHBOARD: TypedDocumentNode<DashboardQuery, DashboardQueryVariables> = gql`
  query Dashboard($domain: String, $filter: JobFilter, $first: Int) {
    overview(domain: $domain) {
      running waiting succeededLast24h warningsLast24h failedLast24h openAlerts
      rowsByStatus { status count }
    }
    upcoming(filter: $filter, first: $first) {
      nodes { at job { id jobId domain description } }
      pageInfo { hasNextPage }
    }
  }
`;
