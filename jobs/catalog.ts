import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../lib/errors';
import { commandJob, type CommandJobEntry } from './command';
import { declarationProblems } from './parameters';
import { validateRule } from './plan';
import type { JobDefinition } from './types';

/** A JOBS_FILE (or the built-in list) Jobdeck refuses to start with; the message names file, entry and field. */
export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

export interface Catalog {
  jobs: Map<string, JobDefinition>;
  list(): JobDefinition[];
  get(id: string): JobDefinition | undefined;
  /** Resources JOBS_FILE declares, with their capacity (a lock naming none of them has capacity 1). */
  resources: Map<string, number>;
}

export interface LoadCatalogOptions {
  /** Path of the JOBS_FILE; unset: built-in jobs only. */
  jobsFile?: string;
  builtins: JobDefinition[];
  killGraceMs: number;
  maxLineChars: number;
}

export const JOB_ID_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/i;
export const MAX_TIMEOUT_SECONDS = 604_800;
export const DEFAULT_TIMEOUT_SECONDS = 3600;
export { MAX_RETRY_ATTEMPTS, MAX_RETRY_DELAY_SECONDS } from './retry';
import { MAX_RETRY_ATTEMPTS, MAX_RETRY_DELAY_SECONDS } from './retry';

/** zod's "expected string, received undefined" says less than "is required". */
const typed = (expected: string) => ({
  error: (iss: { input?: unknown }) => (iss.input === undefined ? 'is required' : `must be ${expected}`),
});

/** The shape of RuleInput (API.md): types only; what each kind needs is validateRule's (jobs/plan.ts) to say. */
const ruleShape = z.strictObject(
  {
    kind: z.enum(['EVERY_MINUTES', 'EVERY_HOURS', 'DAILY', 'CRON'], typed('one of EVERY_MINUTES, EVERY_HOURS, DAILY, CRON')),
    every: z.number(typed('a whole number')).int('must be a whole number').positive('must be positive').optional(),
    days: z.array(z.enum(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], typed('one of MON … SUN')), typed('an array of weekdays')).optional(),
    times: z.array(z.string(typed('a string')), typed('an array of HH:MM times')).optional(),
    cron: z.string(typed('a string')).optional(),
    timeZone: z.string(typed('a string')).optional(),
    // Checked against the rule's gap by validateRule, like the rest of the rule.
    spreadMinutes: z.number(typed('a whole number of minutes')).int('must be a whole number of minutes').min(0, 'must be 0 or more').optional(),
  },
  typed('an object like {"kind": "EVERY_HOURS", "every": 4}'),
);

const noNul = (s: string) => !s.includes('\0');

/** One declared parameter: types here; names, defaults and choices are declarationProblems' (jobs/parameters.ts). */
const parameterShape = z.strictObject(
  {
    name: z.string(typed('a string')),
    description: z.string(typed('a string')).max(1000, 'must be at most 1000 characters').optional(),
    type: z.enum(['STRING', 'INT', 'BOOLEAN', 'CHOICE'], typed('one of STRING, INT, BOOLEAN, CHOICE')),
    required: z.boolean(typed('true or false')).optional(),
    default: z.string(typed('a string ("42", "true")')).optional(),
    choices: z.array(z.string(typed('a string')), typed('an array of strings')).optional(),
    secret: z.boolean(typed('true or false')).optional(),
  },
  typed('an object like {"name": "batch", "type": "INT"}'),
);

const entrySchema = z.strictObject(
  {
    id: z.string(typed('a string')).regex(JOB_ID_RE, `must match ${JOB_ID_RE.source} (letters, digits, ".", "_", "-"; at most 100)`),
    description: z.string(typed('a string')).trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
    kind: z.enum(['GLOBAL', 'PER_DOMAIN'], typed('"GLOBAL" or "PER_DOMAIN"')),
    command: z
      .array(z.string(typed('a string')).refine(noNul, 'must not contain NUL'), typed('a non-empty array of strings'))
      .min(1, 'must be a non-empty array of strings')
      .refine((c) => c[0] !== '', 'the program (first element) must not be empty'),
    cwd: z.string(typed('a string')).min(1, 'must not be empty').refine(noNul, 'must not contain NUL').optional(),
    env: z
      .record(
        z.string().regex(/^[^=\0]+$/, 'variable names must be non-empty, without "="'),
        z.string(typed('a string')).refine(noNul, 'must not contain NUL'),
        typed('an object of string values'),
      )
      .optional(),
    automatic: ruleShape.optional(),
    timeoutSeconds: z
      .number(typed('a whole number of seconds'))
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1')
      .max(MAX_TIMEOUT_SECONDS, `must be at most ${MAX_TIMEOUT_SECONDS} (7 days)`)
      .default(DEFAULT_TIMEOUT_SECONDS),
    locks: z
      .array(z.string(typed('a string')).min(1, 'must not be empty').max(100, 'must be at most 100 characters'), typed('an array of strings'))
      .max(50, 'at most 50 locks')
      .optional(),
    parameters: z.array(parameterShape, typed('an array of parameters')).optional(),
    retry: z
      .strictObject(
        {
          attempts: z.number(typed('a whole number from 0 to 10')).int('must be a whole number').min(0, 'must be at least 0').max(MAX_RETRY_ATTEMPTS, `must be at most ${MAX_RETRY_ATTEMPTS}`),
          delaySeconds: z.number(typed('a whole number of seconds')).int('must be a whole number of seconds').min(0, 'must be at least 0').max(MAX_RETRY_DELAY_SECONDS, `must be at most ${MAX_RETRY_DELAY_SECONDS} (1 day)`).default(60),
          backoff: z.enum(['FIXED', 'EXPONENTIAL'], typed('"FIXED" or "EXPONENTIAL"')).default('FIXED'),
        },
        typed('an object like {"attempts": 3, "delaySeconds": 60, "backoff": "EXPONENTIAL"}'),
      )
      .optional(),
  },
  typed('an object'),
);

// The validated entry must be what commandJob takes; a drift here is a compile error.
const _entryFits = (e: z.output<typeof entrySchema>): CommandJobEntry => e;
void _entryFits;

/** "jobs[2].command[0]" style, relative to the entry. */
function fieldName(p: PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out;
}

function issueLines(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((iss) => {
    if (iss.code === 'unrecognized_keys') {
      const where = fieldName(iss.path);
      return iss.keys.map((k) => `${where ? `${where}.` : ''}${k}: unknown key`).join('; ');
    }
    const field = fieldName(iss.path);
    return field ? `${field}: ${iss.message}` : iss.message;
  });
}

const entryLabel = (index: number, raw: unknown) => {
  const id = raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'string' ? raw.id : undefined;
  return id === undefined ? `jobs[${index}]` : `jobs[${index}] (id ${JSON.stringify(id)})`;
};

/** A deployment's job list is small; a file past these is a mistake or an attack, not a catalog. */
export const JOBS_FILE_MAX_BYTES = 4 * 1024 * 1024;
export const JOBS_FILE_MAX_ENTRIES = 10_000;

/** A resource's capacity: how many runs may hold it at once (0 holds every run that needs it). */
export const MAX_RESOURCE_CAPACITY = 10_000;

/** `"resources": { "mail-store": { "capacity": 4 } }`, beside `jobs`; names as lock names. */
const resourcesSchema = z.record(
  z.string().min(1).max(100),
  z.strictObject(
    {
      capacity: z
        .number(typed('a whole number'))
        .int('must be a whole number')
        .min(0, 'must be at least 0')
        .max(MAX_RESOURCE_CAPACITY, `must be at most ${MAX_RESOURCE_CAPACITY}`),
    },
    typed('an object like {"capacity": 4}'),
  ),
  {
    error: (iss: { code?: string; input?: unknown }) =>
      iss.code === 'invalid_key' ? 'a resource name is 1 to 100 characters' : iss.input === undefined ? 'is required' : 'must be an object like {"mail-store": {"capacity": 4}}',
  },
);

type FileEntries = { entries: { index: number; entry: CommandJobEntry }[]; resources: Map<string, number> };

async function readEntries(file: string): Promise<FileEntries> {
  const where = `JOBS_FILE ${file}`;
  let text: string;
  try {
    const size = (await stat(file)).size;
    if (size > JOBS_FILE_MAX_BYTES) throw new CatalogError(`${where}: is ${size} bytes; at most ${JOBS_FILE_MAX_BYTES} are read.`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof CatalogError) throw e;
    throw new CatalogError(`${where}: cannot be read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CatalogError(`${where}: is not valid JSON: ${(e as Error).message}`);
  }
  const top = z
    .strictObject({ jobs: z.array(z.unknown(), typed('an array')), resources: resourcesSchema.optional() }, typed('an object {"jobs": [...]}'))
    .safeParse(doc);
  if (!top.success) throw new CatalogError(issueLines(top.error.issues).map((l) => `${where}: ${l}`).join('\n'));
  if (top.data.jobs.length > JOBS_FILE_MAX_ENTRIES)
    throw new CatalogError(`${where}: jobs: ${top.data.jobs.length} entries; at most ${JOBS_FILE_MAX_ENTRIES}.`);

  const problems: string[] = [];
  const out: { index: number; entry: CommandJobEntry }[] = [];
  top.data.jobs.forEach((raw, index) => {
    const label = `${where}: ${entryLabel(index, raw)}`;
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) {
      for (const line of issueLines(parsed.error.issues)) problems.push(`${label}: ${line}`);
      return;
    }
    const entry: CommandJobEntry = parsed.data;
    const paramProblems = declarationProblems(entry.parameters ?? []);
    if (paramProblems.length) {
      for (const p of paramProblems) problems.push(`${label}: ${p.field}: ${p.message}`);
      return;
    }
    if (entry.automatic) {
      try {
        const { timeZone, ...rule } = validateRule(entry.automatic, 'automatic');
        // No zone in the file means DEFAULT_TIME_ZONE when scheduled, not validateRule's fallback.
        entry.automatic = entry.automatic.timeZone === undefined ? rule : { ...rule, timeZone };
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        problems.push(`${label}: ${e.field ?? 'automatic'}: ${e.message}`);
        return;
      }
    }
    // A relative cwd means "next to the JOBS_FILE", not wherever Jobdeck was started from.
    if (entry.cwd !== undefined) entry.cwd = path.resolve(path.dirname(file), entry.cwd);
    out.push({ index, entry });
  });
  if (problems.length) throw new CatalogError(problems.join('\n'));
  const resources = new Map(Object.entries(top.data.resources ?? {}).map(([name, r]) => [name, r.capacity] as const));
  return { entries: out, resources };
}

/** Built-in jobs, then JOBS_FILE's command jobs; an id (compared case-insensitively) appears once. */
export async function loadCatalog(opts: LoadCatalogOptions): Promise<Catalog> {
  const jobs = new Map<string, JobDefinition>();
  /** lower-cased id → who declared it, for the duplicate message. */
  const seen = new Map<string, string>();
  for (const def of opts.builtins) {
    const other = seen.get(def.id.toLowerCase());
    if (other) throw new CatalogError(`built-in job ${JSON.stringify(def.id)} is declared twice (${other})`);
    const paramProblems = declarationProblems(def.parameters ?? []);
    if (paramProblems.length)
      throw new CatalogError(paramProblems.map((p) => `built-in job ${JSON.stringify(def.id)}: ${p.field}: ${p.message}`).join('\n'));
    seen.set(def.id.toLowerCase(), `built-in job ${JSON.stringify(def.id)}`);
    jobs.set(def.id, def);
  }
  let resources = new Map<string, number>();
  if (opts.jobsFile !== undefined) {
    const file = path.resolve(opts.jobsFile);
    const read = await readEntries(file);
    resources = read.resources;
    for (const { index, entry } of read.entries) {
      const label = `jobs[${index}] (id ${JSON.stringify(entry.id)})`;
      const other = seen.get(entry.id.toLowerCase());
      if (other) throw new CatalogError(`JOBS_FILE ${file}: ${label}: id: already used by ${other}`);
      seen.set(entry.id.toLowerCase(), label);
      const def = commandJob(entry, { killGraceMs: opts.killGraceMs, maxLineChars: opts.maxLineChars });
      const env = Object.keys(entry.env ?? {}).sort();
      jobs.set(entry.id, { ...def, command: { argv: [...entry.command], workingDirectory: entry.cwd, environmentNames: env } });
    }
  }
  return {
    jobs,
    list: () => [...jobs.values()],
    get: (id) => jobs.get(id),
    resources,
  };
}
