// Result shapes of the GraphQL documents in operations.ts. Enums, inputs and fragment shapes are
// generated from the schema and the documents (app/_lib/generated.ts, `npm run codegen`); the
// aliases below keep the console's own names for them.
import type {
  JobRef, LogLevel,
  ExecutionSummaryFragment, JobDetailFieldsFragment, JobRowFieldsFragment, OutboxFieldsFragment, RuleFieldsFragment, ViewerFieldsFragment,
} from './generated';

export type {
  ExecutionStatus, JobFilter, JobKind, JobRef, LogLevel, OutboxStatus, PlanInput, PlanKind, ReportInput, ReportWhen, Role, RuleInput, RuleKind, Trigger, Weekday,
} from './generated';


export type Viewer = ViewerFieldsFragment;

export type ExecutionSummary = ExecutionSummaryFragment;

export type Rule = RuleFieldsFragment;

export type JobRow = JobRowFieldsFragment;

export type JobDetail = JobDetailFieldsFragment;

export interface PageInfo {
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface Connection<T> {
  nodes: T[];
  totalCount: number;
  pageInfo: PageInfo;
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


export type OutboxMessage = OutboxFieldsFragment;
