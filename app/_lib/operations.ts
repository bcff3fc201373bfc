import { gql, type TypedDocumentNode } from '@apollo/client';
import type {
  ApiToken, Connection, ExecuteResult, ExecutionStatus, ExecutionSummary, JobDetail, JobFilter, JobRef,
  JobRow, LogEntry, LogLevel, OutboxMessage, OutboxStatus, PlanInput, ReportInput, RuleInput, Viewer,
} from './types';

// Every Job selection carries jobId and domain: the cache keys Job rows by them (see apollo.ts), so a
// live Execution (which names its jobId and domain) finds its row without a lookup.

const EXECUTION_SUMMARY = gql`
  fragment ExecutionSummary on Execution {
    id jobId domain status trigger triggeredBy startedAt endedAt durationMs progress lastSeq warningCount errorCount
  }
`;

const RULE_FIELDS = gql`
  fragment RuleFields on Rule { kind every days times cron timeZone summary }
`;

const JOB_ROW = gql`
  fragment JobRowFields on Job {
    id jobId domain description kind
    plan { kind summary }
    lastExecution { ...ExecutionSummary }
    nextRunAt running hasUnreadLogs
  }
  ${EXECUTION_SUMMARY}
`;

const JOB_DETAIL = gql`
  fragment JobDetailFields on Job {
    ...JobRowFields
    plan { kind summary rule { ...RuleFields } }
    automaticRule { ...RuleFields }
    report { send recipients when }
    locks timeoutSeconds
  }
  ${JOB_ROW}
  ${RULE_FIELDS}
`;

const VIEWER_FIELDS = gql`
  fragment ViewerFields on User { id email role domains allDomains }
`;

/* ---------- auth ---------- */

export const VIEWER: TypedDocumentNode<{ viewer: Viewer | null }, Record<string, never>> = gql`
  query Viewer { viewer { ...ViewerFields } }
  ${VIEWER_FIELDS}
`;

export const LOGIN: TypedDocumentNode<{ login: Viewer }, { email: string; password: string }> = gql`
  mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { ...ViewerFields } }
  ${VIEWER_FIELDS}
`;

export const LOGOUT: TypedDocumentNode<{ logout: boolean }, Record<string, never>> = gql`
  mutation Logout { logout }
`;

export const API_TOKENS: TypedDocumentNode<{ apiTokens: ApiToken[] }, Record<string, never>> = gql`
  query ApiTokens { apiTokens { id name createdAt lastUsedAt revokedAt } }
`;

export const CREATE_API_TOKEN: TypedDocumentNode<
  { createApiToken: { id: string; name: string; token: string } },
  { name: string }
> = gql`
  mutation CreateApiToken($name: String!) { createApiToken(name: $name) { id name token } }
`;

export const REVOKE_API_TOKEN: TypedDocumentNode<{ revokeApiToken: boolean }, { id: string }> = gql`
  mutation RevokeApiToken($id: ID!) { revokeApiToken(id: $id) }
`;

/* ---------- jobs ---------- */

export const JOBS: TypedDocumentNode<
  { jobs: Connection<JobRow> },
  { filter?: JobFilter | null; first?: number; after?: string | null }
> = gql`
  query Jobs($filter: JobFilter, $first: Int, $after: String) {
    jobs(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { endCursor hasNextPage }
      nodes { ...JobRowFields }
    }
  }
  ${JOB_ROW}
`;

/** One row, re-read when one of its executions ends (nextRunAt and hasUnreadLogs move then). */
export const JOB_ROW_QUERY: TypedDocumentNode<{ job: JobRow | null }, JobRef> = gql`
  query JobRow($jobId: String!, $domain: String!) { job(jobId: $jobId, domain: $domain) { ...JobRowFields } }
  ${JOB_ROW}
`;

const jobRowsDocs = new Map<number, TypedDocumentNode<Record<string, JobRow | null>, Record<string, string>>>();
/**
 * Several rows in one request: `r0: job(jobId: $j0, domain: $d0) { ...JobRowFields }` and so on,
 * used to re-read the rows whose executions just ended (a "select all → Execute now" ends hundreds).
 * Variables are j0, d0, j1, d1, …
 */
export function jobRowsQuery(n: number) {
  let doc = jobRowsDocs.get(n);
  if (!doc) {
    const idx = Array.from({ length: n }, (_, i) => i);
    doc = gql`
      query JobRows(${idx.map((i) => `$j${i}: String!, $d${i}: String!`).join(', ')}) {
        ${idx.map((i) => `r${i}: job(jobId: $j${i}, domain: $d${i}) { ...JobRowFields }`).join('\n')}
      }
      ${JOB_ROW}
    `;
    jobRowsDocs.set(n, doc);
  }
  return doc;
}

export const EXECUTION_FRAGMENT: TypedDocumentNode<ExecutionSummary> = EXECUTION_SUMMARY;

export const JOB: TypedDocumentNode<{ job: JobDetail | null }, JobRef> = gql`
  query Job($jobId: String!, $domain: String!) { job(jobId: $jobId, domain: $domain) { ...JobDetailFields } }
  ${JOB_DETAIL}
`;

export const PREVIEW_RULE: TypedDocumentNode<
  { previewRule: { summary: string; next: string[] } },
  { rule: RuleInput; count?: number }
> = gql`
  query PreviewRule($rule: RuleInput!, $count: Int) { previewRule(rule: $rule, count: $count) { summary next } }
`;

export const UPDATE_JOB: TypedDocumentNode<
  { updateJob: JobDetail },
  { jobId: string; domain: string; input: { plan?: PlanInput; report?: ReportInput } }
> = gql`
  mutation UpdateJob($jobId: String!, $domain: String!, $input: JobUpdate!) {
    updateJob(jobId: $jobId, domain: $domain, input: $input) { ...JobDetailFields }
  }
  ${JOB_DETAIL}
`;

export const EXECUTE_NOW: TypedDocumentNode<{ executeNow: ExecuteResult[] }, { jobs: JobRef[] }> = gql`
  mutation ExecuteNow($jobs: [JobRef!]!) {
    executeNow(jobs: $jobs) { job { jobId domain } execution { ...ExecutionSummary } reason }
  }
  ${EXECUTION_SUMMARY}
`;

/* ---------- executions ---------- */

export const JOB_EXECUTIONS: TypedDocumentNode<
  { job: { id: string; jobId: string; domain: string; executions: Connection<ExecutionSummary> } | null },
  JobRef & { first?: number; after?: string | null; statuses?: ExecutionStatus[] | null }
> = gql`
  query JobExecutions($jobId: String!, $domain: String!, $first: Int, $after: String, $statuses: [ExecutionStatus!]) {
    job(jobId: $jobId, domain: $domain) {
      id jobId domain
      executions(first: $first, after: $after, statuses: $statuses) {
        totalCount
        pageInfo { endCursor hasNextPage }
        nodes { ...ExecutionSummary }
      }
    }
  }
  ${EXECUTION_SUMMARY}
`;

export const EXECUTION: TypedDocumentNode<{ execution: (ExecutionSummary & { droppedLines: number }) | null }, { id: string }> = gql`
  query Execution($id: ID!) { execution(id: $id) { ...ExecutionSummary droppedLines } }
  ${EXECUTION_SUMMARY}
`;

export const EXECUTION_LOGS: TypedDocumentNode<
  { execution: { id: string; status: ExecutionStatus; logs: { entries: LogEntry[]; hasMore: boolean } } | null },
  { id: string; afterSeq: number; first: number; levels?: LogLevel[] | null }
> = gql`
  query ExecutionLogs($id: ID!, $afterSeq: Int!, $first: Int!, $levels: [LogLevel!]) {
    execution(id: $id) { id status logs(afterSeq: $afterSeq, first: $first, levels: $levels) { entries { seq at level message } hasMore } }
  }
`;

export const CANCEL_EXECUTION: TypedDocumentNode<{ cancelExecution: ExecutionSummary }, { id: string }> = gql`
  mutation CancelExecution($id: ID!) { cancelExecution(id: $id) { ...ExecutionSummary } }
  ${EXECUTION_SUMMARY}
`;

export const DELETE_EXECUTIONS: TypedDocumentNode<{ deleteExecutions: number }, { ids: string[] }> = gql`
  mutation DeleteExecutions($ids: [ID!]!) { deleteExecutions(ids: $ids) }
`;

export const MARK_LOGS_READ: TypedDocumentNode<{ markLogsRead: boolean }, { executionId: string }> = gql`
  mutation MarkLogsRead($executionId: ID!) { markLogsRead(executionId: $executionId) }
`;

/* ---------- subscriptions ---------- */

export const EXECUTION_UPDATED: TypedDocumentNode<
  { executionUpdated: ExecutionSummary },
  { jobId?: string | null; domain?: string | null }
> = gql`
  subscription ExecutionUpdated($jobId: String, $domain: String) {
    executionUpdated(jobId: $jobId, domain: $domain) { ...ExecutionSummary }
  }
  ${EXECUTION_SUMMARY}
`;

export const EXECUTION_LOG: TypedDocumentNode<{ executionLog: LogEntry }, { executionId: string; afterSeq: number }> = gql`
  subscription ExecutionLog($executionId: ID!, $afterSeq: Int) {
    executionLog(executionId: $executionId, afterSeq: $afterSeq) { seq at level message }
  }
`;

/* ---------- mail (graphql/schema/mail.graphql) ---------- */

const OUTBOX_FIELDS = gql`
  fragment OutboxFields on OutboxMessage {
    id executionId messageId recipients subject status attempts lastError createdAt sentAt nextAttemptAt html
  }
`;

export const OUTBOX: TypedDocumentNode<
  { outbox: { nodes: OutboxMessage[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } },
  { status?: OutboxStatus | null; first?: number; after?: string | null }
> = gql`
  query Outbox($status: OutboxStatus, $first: Int, $after: String) {
    outbox(status: $status, first: $first, after: $after) {
      pageInfo { endCursor hasNextPage }
      nodes { ...OutboxFields }
    }
  }
  ${OUTBOX_FIELDS}
`;

export const RETRY_REPORT: TypedDocumentNode<{ retryReport: OutboxMessage }, { id: string }> = gql`
  mutation RetryReport($id: ID!) { retryReport(id: $id) { ...OutboxFields } }
  ${OUTBOX_FIELDS}
`;
