import type { ExecutionStatus, LogLevel, ReportWhen } from './types';

/** Filter chips of the list: the six statuses plus "never run". */
export type StatusFilter = ExecutionStatus | 'NEVER_RUN';

// Labels are in messages/<locale>/common.json ("statusFilter", "status", "kind", "trigger",
// "reportWhen", "reason", "level"); useLabels() (app/_lib/use-labels.ts) reads them.

export const STATUS_FILTERS: StatusFilter[] = ['SUCCESS', 'WARNING', 'FAILURE', 'INTERRUPTED', 'CANCELLED', 'IN_PROGRESS', 'NEVER_RUN'];

export const EXECUTION_STATUSES: ExecutionStatus[] = ['SUCCESS', 'WARNING', 'FAILURE', 'INTERRUPTED', 'CANCELLED', 'IN_PROGRESS'];

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

export const REPORT_WHEN: ReportWhen[] = ['ALWAYS', 'WARNING_OR_FAILURE', 'FAILURE'];
