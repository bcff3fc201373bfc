/**
 * The one logger of the server (pino). `LOG_FORMAT=json`: one JSON object a line with level, time,
 * msg and context; otherwise readable lines (pino-pretty). Context comes from where the work
 * happens: a request carries its request id, a run its execution id, job and domain, through
 * AsyncLocalStorage, so every line written on their behalf says so without passing it around.
 * Keys that can hold a credential are redacted wherever they appear.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type http from 'node:http';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'json' | 'text';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Context that every line logged inside `logContext.run(context, fn)` carries. */
export const logContext = new AsyncLocalStorage<Record<string, unknown>>();

/** The id every line logged for a request carries: the caller's own X-Request-Id when it is plain, else a new one. */
export function requestIdOf(req: http.IncomingMessage) {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
}

/** Wherever they sit in a logged object, these never leave the process. */
const REDACT = [
  'password', '*.password', 'newPassword', '*.newPassword', 'currentPassword', '*.currentPassword',
  'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'headers.cookie', 'cookie', '*.cookie',
  'secret', '*.secret', 'variables.password', 'variables.p', 'DATABASE_URL', 'SMTP_URL', 'ADMIN_PASSWORD', 'METRICS_TOKEN',
];

/** Credentials that a message string may still carry (a URL with a password, a bearer token, a session cookie). */
const SECRET_PATTERNS: [RegExp, string][] = [
  [/(\w+:\/\/[^:/\s]+:)[^@\s]+@/g, '$1[redacted]@'],
  [/(Bearer\s+)[\w.~+/-]+=*/gi, '$1[redacted]'],
  [/(jobdeck_session=)[^;\s]+/g, '$1[redacted]'],
  [/\bjd_[\w-]{20,}/g, 'jd_[redacted]'],
];

export function scrub(message: string): string {
  let out = message;
  for (const [re, by] of SECRET_PATTERNS) out = out.replace(re, by);
  return out;
}

/**
 * `copyTo`: every line also goes, as JSON, to this file (the test run checks it for secrets at its
 * end); `quiet`: nothing on stdout (tests).
 */
export function createLogger(o: { format?: LogFormat; level?: LogLevel; copyTo?: string; quiet?: boolean; fd?: 1 | 2 } = {}): Logger {
  const options: pino.LoggerOptions = {
    level: o.level ?? 'info',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => logContext.getStore() ?? {},
    redact: { paths: REDACT, censor: '[redacted]' },
    hooks: {
      // Messages are text a person wrote, sometimes around a value that was a credential.
      logMethod(args, method) {
        const i = typeof args[0] === 'string' ? 0 : 1;
        if (typeof args[i] === 'string') args[i] = scrub(args[i] as string);
        return method.apply(this, args as Parameters<typeof method>);
      },
    },
  };
  const fd = o.fd ?? 1;
  const out = o.format === 'json' ? pino.destination({ dest: fd, sync: true }) : pretty({ sync: true, colorize: false, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true, destination: fd });
  const streams: pino.StreamEntry[] = o.quiet ? [] : [{ stream: out as unknown as pino.DestinationStream }];
  const file = o.copyTo;
  if (file) streams.push({ stream: new Writable({ write: (chunk, _enc, cb) => (appendFileSync(file, chunk), cb()) }) });
  if (streams.length === 1 && !file) return pino(options, out);
  return pino(options, pino.multistream(streams));
}

/** The plain `(line) => void` that the composition root hands to every part, at info level. */
export const lineLogger = (logger: Logger) => (line: string) => logger.info(line);
