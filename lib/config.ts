import path from 'node:path';
import { z } from 'zod';
import { compileTrustProxy } from './client-address';

const intFrom = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: `must start with ${protocols.join(' or ')}` },
    )
    .optional();

export const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

const isZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** Every variable Jobdeck reads. Read once, at start; documented in README "Configuration". */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  /** HTTP port of the web role. 0 picks a free one (tests). Default 3000. */
  PORT: intFrom(3000, 0, 65535),
  /** Address to listen on. Default 0.0.0.0. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** all = web + worker in one process; web = HTTP/GraphQL only; worker = runs jobs only. */
  ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  /** PostgreSQL to use; unset: an embedded server is started in DATA_DIR. */
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  /** Where the embedded PostgreSQL keeps its data. Default ./.data */
  DATA_DIR: z.string().min(1).default('./.data'),
  /** JSON file declaring command jobs (see README). */
  JOBS_FILE: z.string().min(1).optional(),
  /** smtp:// or smtps:// URL of the mail server; unset: reports stay in the local outbox (Mail page). */
  SMTP_URL: optionalUrl(['smtp:', 'smtps:']),
  /** Sender of report emails. Default jobdeck@localhost */
  MAIL_FROM: z.string().email().default('jobdeck@localhost'),
  /** Public address of the console, for links in reports and the WebSocket Origin check. */
  PUBLIC_URL: optionalUrl(['http:', 'https:']),
  /**
   * Which proxies' X-Forwarded-For is believed for the client address (sign-in limits, audit):
   * unset = none; a hop count such as 1; or addresses/CIDRs/loopback,linklocal,uniquelocal.
   */
  TRUST_PROXY: z
    .string()
    .refine(
      (v) => {
        try {
          compileTrustProxy(v);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be a hop count (e.g. 1) or a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal' },
    )
    .optional(),
  /** When set, GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
  /** A port on which a process also serves /metrics, /healthz and /readyz (a worker-only process has no other). Unset: off. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** json: one JSON object a line (for a log collector); text: readable lines. Default text. */
  LOG_FORMAT: z.enum(['json', 'text']).default('text'),
  /** The least severe level printed. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Single sign-on (OpenID Connect) with PUBLIC_URL: the provider's issuer URL (http only on a loopback address). */
  OIDC_ISSUER: optionalUrl(['http:', 'https:']),
  OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
  /** false: password sign-in is off (login answers FORBIDDEN); API tokens and single sign-on still work. Default true. */
  PASSWORD_SIGN_IN: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** First system administrator, created when no user exists. */
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(256).optional(),
  /** Default IANA time zone of rules that name none. Default: the server's. */
  DEFAULT_TIME_ZONE: z
    .string()
    .refine(isZone, { message: 'must be an IANA time zone such as Europe/Paris' })
    .default(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'),
  /** A session ends after this many minutes without a request. Default 720 (12 h). */
  SESSION_IDLE_MINUTES: intFrom(720, 1, 60 * 24 * 30),
  /** A session ends this many hours after sign-in whatever happens. Default 168 (7 days). */
  SESSION_MAX_HOURS: intFrom(168, 1, 24 * 365),
  /** How often a worker proves its runs are alive. Default 5. */
  HEARTBEAT_SECONDS: intFrom(5, 1, 300),
  /** A run whose heartbeat is older than this is INTERRUPTED. Default 30; must exceed HEARTBEAT_SECONDS. */
  LEASE_SECONDS: intFrom(30, 2, 3600),
  /** Executions one worker process runs at once. Default 20. */
  WORKER_CONCURRENCY: intFrom(20, 1, 1000),
  /** Seconds a stopping worker waits for running executions before it marks them INTERRUPTED. Default 30. */
  DRAIN_TIMEOUT_SECONDS: intFrom(30, 0, 3600),
  /** Seconds between SIGTERM and SIGKILL when a command job is cancelled. Default 10. */
  KILL_GRACE_SECONDS: intFrom(10, 0, 600),
  /** Log entries kept per execution; the rest are counted and dropped. Default 1000000. */
  LOG_MAX_LINES: intFrom(1_000_000, 100, 100_000_000),
  /** Longest log message kept, in characters; longer ones are cut. Default 16384. */
  LOG_MAX_LINE_CHARS: intFrom(16_384, 80, 1_000_000),
  /** Retention job: executions kept per row. Default 100. */
  RETENTION_PER_ROW: intFrom(100, 1, 1_000_000),
  /** Retention job: executions older than this many days are removed. Default 90. */
  RETENTION_DAYS: intFrom(90, 1, 36500),
  /** Database maintenance warns when the database is larger than this many MB. Default 10240. */
  DB_SIZE_WARN_MB: intFrom(10_240, 1, 10_000_000),
  /** Report emails: log lines shown before the middle is cut. Default 200. */
  REPORT_MAX_LINES: intFrom(200, 10, 100_000),
  /** searchLogs: longest a search may run, in milliseconds, before it is cut short. Default 5000. */
  SEARCH_TIMEOUT_MS: intFrom(5000, 50, 600_000),
  /** Report emails: their language, en or fr. Default en. */
  REPORT_LOCALE: z.enum(['en', 'fr']).default('en'),
});

export type Config = z.infer<typeof schema> & { dataDir: string };

/** Thrown for a bad environment; the message names the variable. */
export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '' && v !== undefined));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.LEASE_SECONDS <= c.HEARTBEAT_SECONDS * 2) {
    throw new ConfigError('Invalid configuration:\n  LEASE_SECONDS: must be more than twice HEARTBEAT_SECONDS');
  }
  if ((c.ADMIN_EMAIL === undefined) !== (c.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('Invalid configuration:\n  ADMIN_PASSWORD: ADMIN_EMAIL and ADMIN_PASSWORD go together');
  }
  const oidc = [c.OIDC_ISSUER, c.OIDC_CLIENT_ID, c.OIDC_CLIENT_SECRET];
  if (oidc.some((v) => v !== undefined) && oidc.some((v) => v === undefined))
    throw new ConfigError('Invalid configuration:\n  OIDC_ISSUER: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together');
  if (c.OIDC_ISSUER && !c.PUBLIC_URL) throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: single sign-on needs PUBLIC_URL (its redirect URI is <PUBLIC_URL>/auth/oidc/callback)');
  if (c.OIDC_ISSUER && new URL(c.OIDC_ISSUER).protocol === 'http:' && !isLoopback(new URL(c.OIDC_ISSUER).hostname))
    throw new ConfigError('Invalid configuration:\n  OIDC_ISSUER: an http:// issuer is accepted only on a loopback address; use https://');
  if (!c.PASSWORD_SIGN_IN && !c.OIDC_ISSUER) throw new ConfigError('Invalid configuration:\n  PASSWORD_SIGN_IN: false needs single sign-on (OIDC_ISSUER), or nobody could sign in to the console');
  return { ...c, dataDir: path.resolve(c.DATA_DIR) };
}
