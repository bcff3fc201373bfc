import type { ExecutionStatus, JobKind, LogLevel, ReportWhen, Trigger } from './types';

/** Filter chips of the list: the six statuses plus "never run". */
export type StatusFilter = ExecutionStatus | 'NEVER_RUN';

export const STATUS_FILTERS: { value: StatusFilter; label: string }[] = [
  { value: 'SUCCESS', label: 'Success' },
  { value: 'WARNING', label: 'Warning' },
  { value: 'FAILURE', label: 'Failure' },
  { value: 'INTERRUPTED', label: 'Interrupted' },
  { value: 'CANCELLED', label: 'Cancelled' },
  { value: 'IN_PROGRESS', label: 'In progress' },
  { value: 'NEVER_RUN', label: 'Never run' },
];

export const EXECUTION_STATUSES: ExecutionStatus[] = ['SUCCESS', 'WARNING', 'FAILURE', 'INTERRUPTED', 'CANCELLED', 'IN_PROGRESS'];

export const STATUS_LABEL: Record<StatusFilter, string> = {
  SUCCESS: 'Success',
  WARNING: 'Completed with warnings',
  FAILURE: 'Failed',
  INTERRUPTED: 'Interrupted',
  CANCELLED: 'Cancelled',
  IN_PROGRESS: 'In progress',
  NEVER_RUN: 'Never run',
};

/** Mantine colour of each status: green, orange, red, grey; in progress keeps the blue of "running". */
export const STATUS_COLOR: Record<StatusFilter, string> = {
  SUCCESS: 'green',
  WARNING: 'orange',
  FAILURE: 'red',
  INTERRUPTED: 'red',
  CANCELLED: 'gray',
  IN_PROGRESS: 'blue',
  NEVER_RUN: 'gray',
};

export const LEVEL_COLOR: Record<LogLevel, string | undefined> = {
  ERROR: 'red',
  WARNING: 'orange',
  PROGRESS: 'dimmed',
  INFO: undefined,
};

export const LEVELS: LogLevel[] = ['INFO', 'WARNING', 'ERROR', 'PROGRESS'];

export const KIND_LABEL: Record<JobKind, string> = { GLOBAL: 'Per installation', PER_DOMAIN: 'Per domain' };

export const TRIGGER_LABEL: Record<Trigger, string> = { SCHEDULE: 'Schedule', MANUAL: 'Manual', API: 'API' };

export const REPORT_WHEN: { value: ReportWhen; label: string }[] = [
  { value: 'ALWAYS', label: 'Always' },
  { value: 'WARNING_OR_FAILURE', label: 'Only on warning or failure' },
  { value: 'FAILURE', label: 'Only on failure' },
];

export const REASON_LABEL: Record<string, string> = {
  ALREADY_RUNNING: 'already running',
  NOT_FOUND: 'not found',
};
