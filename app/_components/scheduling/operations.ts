import { gql, type TypedDocumentNode } from '@apollo/client';
import type {
  PauseSchedulingMutation,
  PauseSchedulingMutationVariables,
  ResumeSchedulingMutation,
  ResumeSchedulingMutationVariables,
  SchedulerQuery,
  SchedulerQueryVariables,
} from '../../_lib/generated';

/** Whether scheduled occurrences start, as the viewer sees it: the banner on every page polls it. */
export const SCHEDULER: TypedDocumentNode<SchedulerQuery, SchedulerQueryVariables> = gql`
  query Scheduler { scheduler { paused since by reason pausedDomains } }
`;

export const PAUSE_SCHEDULING: TypedDocumentNode<PauseSchedulingMutation, PauseSchedulingMutationVariables> = gql`
  mutation PauseScheduling($domain: String, $reason: String) {
    pauseScheduling(domain: $domain, reason: $reason) { paused since by reason pausedDomains }
  }
`;

export const RESUME_SCHEDULING: TypedDocumentNode<ResumeSchedulingMutation, ResumeSchedulingMutationVariables> = gql`
  mutation ResumeScheduling($domain: String, $missed: MissedPolicy) {
    resumeScheduling(domain: $domain, missed: $missed) { paused since by reason pausedDomains }
  }
`;
