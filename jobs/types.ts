import type { RuleJson } from '../db/schema/jobs';

export type JobKind = 'GLOBAL' | 'PER_DOMAIN';
export type LogLevel = 'PROGRESS' | 'INFO' | 'WARNING' | 'ERROR';
export type Rule = RuleJson;

/** What a running job can do. */
export interface JobContext {
  /** The execution domain: a tenant, or "global" for GLOBAL jobs. */
  readonly domain: string;
  readonly executionId: number;
  readonly log: {
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
  };
  /** 0–100; also written to the log as a PROGRESS entry. */
  progress(percent: number): void;
  /** Fires on cancel, timeout or worker shutdown; `signal.reason` says which. */
  readonly signal: AbortSignal;
  /**
   * Resolves when the log backlog is small again; undefined when there is no need to wait.
   * A job that can slow down (a command job reading a pipe) awaits it to keep memory bounded.
   */
  pressure?(): Promise<void> | undefined;
  /** Services of Jobdeck itself, for the built-in jobs. */
  readonly services: JobServices;
  /** This run's parameter values, typed as declared (INT: number, BOOLEAN: boolean, others: string); absent when unset. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
}

/** How a failed run is tried again (API.md "Assurance"): attempts 0–10 after the first; delay doubled each time when EXPONENTIAL; ±20 % jitter. */
export interface RetryPolicy {
  attempts: number;
  delaySeconds: number;
  backoff: 'FIXED' | 'EXPONENTIAL';
}

export type ParameterType = 'STRING' | 'INT' | 'BOOLEAN' | 'CHOICE';

/** A typed argument of a job: runs take a value from executeNow, else the row's default, else this default. */
export interface ParameterDeclaration {
  /** Letters, digits and "_"; a command job receives it as JOBDECK_PARAM_<NAME upper-cased>. */
  name: string;
  description?: string;
  type: ParameterType;
  required?: boolean;
  /** As a string, checked against the type ("42", "true"). */
  default?: string;
  /** CHOICE only: the allowed values. */
  choices?: string[];
  /** Stored for the run, never served back: masked in the API, the console, reports and the run's log. */
  secret?: boolean;
}

/** What built-in jobs may reach. Kept small on purpose: jobs carry ids, not data. */
export interface JobServices {
  sql: import('postgres').Sql;
  config: import('../lib/config').Config;
  /** Checks the mail transport (SMTP verify, or "local outbox" when SMTP_URL is unset). */
  checkMail(): Promise<string>;
}

/** A job, as declared by its developer. One file under jobs/definitions, or one entry of JOBS_FILE. */
export interface JobDefinition {
  /** Stable identifier, e.g. "system.retention". Read-only once deployed. */
  id: string;
  description: string;
  kind: JobKind;
  /** What AUTOMATIC means for this job; undefined: never runs by itself while AUTOMATIC. */
  automatic?: Omit<Rule, 'timeZone'> & { timeZone?: string };
  /** Resources this job locks: two jobs that lock one resource never run at once (the later waits). */
  locks?: string[];
  /** The run is aborted and FAILS after this long. Default 3600. */
  timeoutSeconds?: number;
  /** A FAILURE or INTERRUPTED run starts again (trigger RETRY) while attempts are left; default: no retry. */
  retry?: RetryPolicy;
  /** Typed arguments of a run, in the order the "Execute now" form shows them. */
  parameters?: ParameterDeclaration[];
  /** Set for command jobs (JOBS_FILE): what they run, for administrators to read. */
  command?: CommandDeclaration;
  run(ctx: JobContext): Promise<void>;
}

/**
 * A command job's command as administrators may see it. Only the NAMES of its environment are kept
 * here: the values (often credentials) stay with the process that runs it and never reach a reader.
 */
export interface CommandDeclaration {
  /** Program and arguments, run without a shell. */
  argv: string[];
  /** Absolute; undefined: the directory Jobdeck runs in. */
  workingDirectory?: string;
  environmentNames: string[];
}

export function defineJob(def: JobDefinition): JobDefinition {
  return def;
}

/** The catalog as the rest of the product reads it (the engine's own interfaces live here, in jobs/). */
export type CatalogView = {
  get(id: string): JobDefinition | undefined;
  list(): JobDefinition[];
  /** Resources JOBS_FILE declares with a capacity (a lock naming none of them has capacity 1). */
  resources?: ReadonlyMap<string, number>;
};

/** What the web side needs from the engine (the composition root passes the Scheduler); Agenda lives behind it. */
export interface EngineClient {
  /** Hands freshly opened executions to whichever workers take them first (at `at`: a retry's wake-up when it is due). */
  queueExecutions(executionIds: number[], at?: Date): Promise<void>;
  /** Makes Agenda hold exactly one pending occurrence for the row (none when at is null). */
  scheduleRow(rowId: string, at: Date | null): Promise<void>;
  /** scheduleRow for many rows in a few statements, in the caller's transaction `tx` when given (updateJobs). */
  scheduleRows(rows: { id: string; at: Date | null }[], tx?: import('../db/client').Sql): Promise<void>;
  /** Creates and schedules the rows of a new domain. */
  syncDomain(domain: string): Promise<void>;
  /** The same for many new domains at once, set-based (createDomains). */
  syncDomains(domains: string[]): Promise<void>;
}

