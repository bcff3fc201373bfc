// Result shapes of the GraphQL documents in operations.ts, written by hand until the lead switches
// the client to graphql-codegen; keep them in step with graphql/schema/*.graphql.

export type Role = 'SYSTEM_ADMIN' | 'DOMAIN_ADMIN';
export type JobKind = 'GLOBAL' | 'PER_DOMAIN';
export type PlanKind = 'AUTOMATIC' | 'SCHEDULED' | 'DISABLED';
export type RuleKind = 'EVERY_MINUTES' | 'EVERY_HOURS' | 'DAILY' | 'CRON';
export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';
export type ReportWhen = 'ALWAYS' | 'WARNING_OR_FAILURE' | 'FAILURE';
export type ExecutionStatus = 'IN_PROGRESS' | 'SUCCESS' | 'WARNING' | 'FAILURE' | 'CANCELLED' | 'INTERRUPTED';
export type Trigger = 'SCHEDULE' | 'MANUAL' | 'API';
export type LogLevel = 'PROGRESS' | 'INFO' | 'WARNING' | 'ERROR';

export interface Viewer {
  __typename?: 'User';
  id: string;
  email: string;
  role: Role;
  domains: string[];
  allDomains: boolean;
}

export interface ExecutionSummary {
  __typename?: 'Execution';
  id: string;
  jobId: string;
  domain: string;
  status: ExecutionStatus;
  trigger: Trigger;
  triggeredBy: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  progress: number | null;
  lastSeq: number;
  warningCount: number;
  errorCount: number;
}

export interface Rule {
  __typename?: 'Rule';
  kind: RuleKind;
  every: number | null;
  days: Weekday[] | null;
  times: string[] | null;
  cron: string | null;
  timeZone: string;
  summary: string;
}

export interface JobRow {
  __typename?: 'Job';
  id: string;
  jobId: string;
  domain: string;
  description: string;
  kind: JobKind;
  plan: { __typename?: 'Plan'; kind: PlanKind; summary: string };
  lastExecution: ExecutionSummary | null;
  nextRunAt: string | null;
  running: boolean;
  hasUnreadLogs: boolean;
}

export interface JobDetail extends Omit<JobRow, 'plan'> {
  plan: { __typename?: 'Plan'; kind: PlanKind; summary: string; rule: Rule | null };
  automaticRule: Rule | null;
  report: { __typename?: 'ReportSettings'; send: boolean; recipients: string[]; when: ReportWhen };
  locks: string[];
  timeoutSeconds: number;
}

export interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface Connection<T> {
  nodes: T[];
  totalCount: number;
  pageInfo: PageInfo;
}

export interface JobFilter {
  statuses?: ExecutionStatus[];
  neverRun?: boolean;
  text?: string;
  domain?: string;
  kind?: JobKind;
}

export interface JobRef {
  jobId: string;
  domain: string;
}

export interface RuleInput {
  kind: RuleKind;
  every?: number | null;
  days?: Weekday[] | null;
  times?: string[] | null;
  cron?: string | null;
  timeZone?: string | null;
}

export interface PlanInput {
  kind: PlanKind;
  rule?: RuleInput | null;
}

export interface ReportInput {
  send: boolean;
  recipients: string[];
  when?: ReportWhen | null;
}

export interface LogEntry {
  seq: number;
  at: string;
  level: LogLevel;
  message: string;
}

export interface ExecuteResult {
  job: JobRef;
  execution: ExecutionSummary | null;
  reason: string | null;
}

export interface ApiToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type OutboxStatus = 'PENDING' | 'SENT' | 'FAILED';

export interface OutboxMessage {
  id: string;
  executionId: string;
  messageId: string;
  recipients: string[];
  subject: string;
  html: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string;
}
