import { gql, type TypedDocumentNode } from '@apollo/client';
import type {
  AcknowledgeAlertMutation, AcknowledgeAlertMutationVariables, AlertChangedSubscription, AlertChangedSubscriptionVariables,
  AlertsQuery, AlertsQueryVariables, JobExpectationsQuery, JobExpectationsQueryVariables, OpenAlertCountQuery, OpenAlertCountQueryVariables,
  UpdateExpectationsMutation, UpdateExpectationsMutationVariables,
} from '../../_lib/generated';

const ALERT_FIELDS = gql`
  fragment AlertFields on Alert {
    id kind domain message openedAt resolvedAt acknowledgedAt acknowledgedBy snoozed
    job { jobId domain }
    execution { id jobId domain status }
  }
`;

/** Newest first; the page asks for the open ones, then the rest. */
export const ALERTS: TypedDocumentNode<AlertsQuery, AlertsQueryVariables> = gql`
  query Alerts($filter: AlertFilter, $first: Int, $after: String) {
    alerts(filter: $filter, first: $first, after: $after) { totalCount nodes { ...AlertFields } pageInfo { endCursor hasNextPage } }
  }
  ${ALERT_FIELDS}
`;

/** The header's badge: how many are open in the viewer's scope. */
export const OPEN_ALERT_COUNT: TypedDocumentNode<OpenAlertCountQuery, OpenAlertCountQueryVariables> = gql`
  query OpenAlertCount { alerts(filter: { open: true }, first: 0) { totalCount } }
`;

export const ACKNOWLEDGE_ALERT: TypedDocumentNode<AcknowledgeAlertMutation, AcknowledgeAlertMutationVariables> = gql`
  mutation AcknowledgeAlert($id: ID!) { acknowledgeAlert(id: $id) { ...AlertFields } }
  ${ALERT_FIELDS}
`;

export const ALERT_CHANGED: TypedDocumentNode<AlertChangedSubscription, AlertChangedSubscriptionVariables> = gql`
  subscription AlertChanged { alertChanged { ...AlertFields } }
  ${ALERT_FIELDS}
`;

/** A row's expectations and snooze (the job window's Alerts tab). */
export const JOB_EXPECTATIONS: TypedDocumentNode<JobExpectationsQuery, JobExpectationsQueryVariables> = gql`
  query JobExpectations($jobId: String!, $domain: String!) {
    job(jobId: $jobId, domain: $domain) {
      jobId domain snoozedUntil
      expectations { maxDurationSeconds minDurationSeconds graceSeconds failuresBeforeAlert }
      retry { attempts delaySeconds backoff }
      openAlerts { ...AlertFields }
    }
  }
  ${ALERT_FIELDS}
`;

export const UPDATE_EXPECTATIONS: TypedDocumentNode<UpdateExpectationsMutation, UpdateExpectationsMutationVariables> = gql`
  mutation UpdateExpectations($jobId: String!, $domain: String!, $input: JobUpdate!) {
    updateJob(jobId: $jobId, domain: $domain, input: $input) {
      jobId domain snoozedUntil
      expectations { maxDurationSeconds minDurationSeconds graceSeconds failuresBeforeAlert }
      retry { attempts delaySeconds backoff }
    }
  }
`;
