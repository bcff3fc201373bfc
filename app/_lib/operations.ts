import { gql, type TypedDocumentNode } from '@apollo/client';
import type {
  ApiTokensQuery,
  ApiTokensQueryVariables,
  CancelExecutionMutation,
  CancelExecutionMutationVariables,
  CreateApiTokenMutation,
  CreateApiTokenMutationVariables,
  DeleteExecutionsMutation,
  DeleteExecutionsMutationVariables,
  DomainListQuery,
  DomainListQueryVariables,
  ExecuteNowMutation,
  ExecuteNowMutationVariables,
  ExecutionLogBatchSubscription,
  ExecutionLogBatchSubscriptionVariables,
  ExecutionLogsQuery,
  ExecutionLogsQueryVariables,
  ExecutionQuery,
  ExecutionQueryVariables,
  ExecutionUpdatedSubscription,
  ExecutionUpdatedSubscriptionVariables,
  JobExecutionsQuery,
  JobExecutionsQueryVariables,
  JobQuery,
  JobQueryVariables,
  JobRowQuery,
  JobRowQueryVariables,
  JobRowsQuery,
  JobRowsQueryVariables,
  JobsQuery,
  JobsQueryVariables,
  LoginMutation,
  LoginMutationVariables,
  LogoutMutation,
  LogoutMutationVariables,
  MarkLogsReadMutation,
  MarkLogsReadMutationVariables,
  OutboxQuery,
  OutboxQueryVariables,
  PreviewRuleQuery,
  PreviewRuleQueryVariables,
  ResourceUsageQuery,
  ResourceUsageQueryVariables,
  RetryReportMutation,
  RetryReportMutationVariables,
  RevokeApiTokenMutation,
  RevokeApiTokenMutationVariables,
  UpdateJobMutation,
  UpdateJobMutationVariables,
  ViewerQuery,
  ViewerQueryVariables,
} from './generated';
import type {
  ApiToken, Connection, ExecuteResult, ExecutionStatus, ExecutionSummary, JobDetail, JobFilter, JobRef,
  JobRow, LogEntry, LogLevel, OutboxMessage, OutboxStatus, PlanInput, ReportInput, RuleInput, Viewer,
} from './types';

// Every Job selection carries jobId and domain: the cache keys Job rows by them (see apollo.ts), so a
// live Execution (which names its jobId and domain) finds its row without a lookup.

const EXECUTION_SUMMARY = gql`
  fragment ExecutionSummary on Execution {
    id jobId domain status trigger triggeredBy startedAt endedAt durationMs progress lastSeq warningCount errorCount waitingFor attempt retryAt
  }
`;

const RULE_FIELDS = gql`
  fragment RuleFields on Rule { kind every days times cron timeZone spreadMinutes summary }
`;

const JOB_ROW = gql`
  fragment JobRowFields on Job {
    jobId domain description kind
    plan { kind summary }
    lastExecution { id status startedAt waitingFor }
    nextRunAt running hasUnreadLogs
    openAlerts { id kind message }
  }
`;

const JOB_DETAIL = gql`
  fragment JobDetailFields on Job {
    ...JobRowFields
    lastExecution { ...ExecutionSummary }
    plan { kind summary rule { ...RuleFields } }
    automaticRule { ...RuleFields }
    report { send recipients when }
    locks timeoutSeconds
  }
  ${JOB_ROW}
  ${EXECUTION_SUMMARY}
  ${RULE_FIELDS}
`;

const VIEWER_FIELDS = gql`
  fragment ViewerFields on User { id email role domains allDomains }
`;

/* ---------- auth ---------- */

export const VIEWER: TypedDocumentNode<ViewerQuery, ViewerQueryVariables> = gql`
  query Viewer { viewer { ...ViewerFields } }
  ${VIEWER_FIELDS}
`;

export const LOGIN: TypedDocumentNode<LoginMutation, LoginMutationVariables> = gql`
  mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { ...ViewerFields } }
  ${VIEWER_FIELDS}
`;

export const LOGOUT: TypedDocumentNode<LogoutMutation, LogoutMutationVariables> = gql`
  mutation Logout { logout }
`;

export const API_TOKENS: TypedDocumentNode<ApiTokensQuery, ApiTokensQueryVariables> = gql`
  query ApiTokens { apiTokens { id name createdAt lastUsedAt revokedAt } }
`;

export const CREATE_API_TOKEN: TypedDocumentNode<CreateApiTokenMutation, CreateApiTokenMutationVariables> = gql`
  mutation CreateApiToken($name: String!) { createApiToken(name: $name) { id name token } }
`;

export const REVOKE_API_TOKEN: TypedDocumentNode<RevokeApiTokenMutation, RevokeApiTokenMutationVariables> = gql`
  mutation RevokeApiToken($id: ID!) { revokeApiToken(id: $id) }
`;

/* ---------- jobs ---------- */

export const JOBS: TypedDocumentNode<JobsQuery, JobsQueryVariables> = gql`
  query Jobs($filter: JobFilter, $first: Int, $after: String, $orderBy: JobOrder) {
    jobs(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo { endCursor hasNextPage }
      nodes { ...JobRowFields }
    }
  }
  ${JOB_ROW}
`;

/** The domain picker's page: searched and paged on the server (20,000 domains). */
export const DOMAIN_LIST: TypedDocumentNode<DomainListQuery, DomainListQueryVariables> = gql`
  query DomainList($text: String, $first: Int, $after: String) {
    domainList(text: $text, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { name } }
  }
`;

/** One row, re-read when one of its executions ends (nextRunAt and hasUnreadLogs move then). */
export const JOB_ROW_QUERY: TypedDocumentNode<JobRowQuery, JobRowQueryVariables> = gql`
  query JobRow($jobId: String!, $domain: String!) { job(jobId: $jobId, domain: $domain) { ...JobRowFields } }
  ${JOB_ROW}
`;

/** Re-reads the rows whose executions just ended (a "select all → Execute now" ends hundreds). */
export const JOB_ROWS: TypedDocumentNode<JobRowsQuery, JobRowsQueryVariables> = gql`
  query JobRows($refs: [JobRef!]!) { jobsByRefs(refs: $refs) { ...JobRowFields } }
  ${JOB_ROW}
`;

export const EXECUTION_FRAGMENT: TypedDocumentNode<ExecutionSummary> = EXECUTION_SUMMARY;

/** How full each resource is, for the "waiting for …" labels of the list and the log viewer (Resource is keyed by name). */
export const RESOURCE_USAGE: TypedDocumentNode<ResourceUsageQuery, ResourceUsageQueryVariables> = gql`
  query ResourceUsage { resources { name capacity inUse waiting } }
`;

export const JOB: TypedDocumentNode<JobQuery, JobQueryVariables> = gql`
  query Job($jobId: String!, $domain: String!) { job(jobId: $jobId, domain: $domain) { ...JobDetailFields } }
  ${JOB_DETAIL}
`;

export const PREVIEW_RULE: TypedDocumentNode<PreviewRuleQuery, PreviewRuleQueryVariables> = gql`
  query PreviewRule($rule: RuleInput!, $count: Int, $job: JobRef) { previewRule(rule: $rule, count: $count, job: $job) { summary next } }
`;

export const UPDATE_JOB: TypedDocumentNode<UpdateJobMutation, UpdateJobMutationVariables> = gql`
  mutation UpdateJob($jobId: String!, $domain: String!, $input: JobUpdate!) {
    updateJob(jobId: $jobId, domain: $domain, input: $input) { ...JobDetailFields }
  }
  ${JOB_DETAIL}
`;

export const EXECUTE_NOW: TypedDocumentNode<ExecuteNowMutation, ExecuteNowMutationVariables> = gql`
  mutation ExecuteNow($jobs: [JobRef!]!, $parameters: [ParameterInput!]) {
    executeNow(jobs: $jobs, parameters: $parameters) { job { jobId domain } execution { ...ExecutionSummary } reason }
  }
  ${EXECUTION_SUMMARY}
`;

/* ---------- executions ---------- */

export const JOB_EXECUTIONS: TypedDocumentNode<JobExecutionsQuery, JobExecutionsQueryVariables> = gql`
  query JobExecutions($jobId: String!, $domain: String!, $first: Int, $after: String, $statuses: [ExecutionStatus!]) {
    job(jobId: $jobId, domain: $domain) {
      id jobId domain
      retry { attempts }
      executions(first: $first, after: $after, statuses: $statuses) {
        totalCount
        pageInfo { endCursor hasNextPage }
        nodes { ...ExecutionSummary }
      }
    }
  }
  ${EXECUTION_SUMMARY}
`;

export const EXECUTION: TypedDocumentNode<ExecutionQuery, ExecutionQueryVariables> = gql`
  query Execution($id: ID!) { execution(id: $id) { ...ExecutionSummary droppedLines parameters { name value } } }
  ${EXECUTION_SUMMARY}
`;

export const EXECUTION_LOGS: TypedDocumentNode<ExecutionLogsQuery, ExecutionLogsQueryVariables> = gql`
  query ExecutionLogs($id: ID!, $afterSeq: Int!, $first: Int!, $levels: [LogLevel!]) {
    execution(id: $id) { id status logs(afterSeq: $afterSeq, first: $first, levels: $levels) { entries { seq at level message } hasMore } }
  }
`;

export const CANCEL_EXECUTION: TypedDocumentNode<CancelExecutionMutation, CancelExecutionMutationVariables> = gql`
  mutation CancelExecution($id: ID!) { cancelExecution(id: $id) { ...ExecutionSummary } }
  ${EXECUTION_SUMMARY}
`;

export const DELETE_EXECUTIONS: TypedDocumentNode<DeleteExecutionsMutation, DeleteExecutionsMutationVariables> = gql`
  mutation DeleteExecutions($ids: [ID!]!) { deleteExecutions(ids: $ids) }
`;

export const MARK_LOGS_READ: TypedDocumentNode<MarkLogsReadMutation, MarkLogsReadMutationVariables> = gql`
  mutation MarkLogsRead($executionId: ID!) { markLogsRead(executionId: $executionId) }
`;

/* ---------- subscriptions ---------- */

export const EXECUTION_UPDATED: TypedDocumentNode<ExecutionUpdatedSubscription, ExecutionUpdatedSubscriptionVariables> = gql`
  subscription ExecutionUpdated($jobId: String, $domain: String) {
    executionUpdated(jobId: $jobId, domain: $domain) { ...ExecutionSummary }
  }
  ${EXECUTION_SUMMARY}
`;

/** Live log in bursts: every entry that is ready comes in one event (cheap for floods). */
export const EXECUTION_LOG: TypedDocumentNode<ExecutionLogBatchSubscription, ExecutionLogBatchSubscriptionVariables> = gql`
  subscription ExecutionLogBatch($executionId: ID!, $afterSeq: Int) {
    executionLogBatch(executionId: $executionId, afterSeq: $afterSeq) { lastSeq entries { seq at level message } }
  }
`;

/* ---------- mail (graphql/schema/mail.graphql) ---------- */

const OUTBOX_FIELDS = gql`
  fragment OutboxFields on OutboxMessage {
    id executionId messageId recipients subject status attempts lastError createdAt sentAt nextAttemptAt html
    execution { id jobId domain }
  }
`;

export const OUTBOX: TypedDocumentNode<OutboxQuery, OutboxQueryVariables> = gql`
  query Outbox($status: OutboxStatus, $first: Int, $after: String) {
    outbox(status: $status, first: $first, after: $after) {
      pageInfo { endCursor hasNextPage }
      nodes { ...OutboxFields }
    }
  }
  ${OUTBOX_FIELDS}
`;

export const RETRY_REPORT: TypedDocumentNode<RetryReportMutation, RetryReportMutationVariables> = gql`
  mutation RetryReport($id: ID!) { retryReport(id: $id) { ...OutboxFields } }
  ${OUTBOX_FIELDS}
`;
