/**
 * Every server a test starts writes what it logs to one file of the run (JOBDECK_LOG_COPY, set by
 * test/run.ts); at the end the run looks through all of it for credentials.
 */
import { appendFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { createLogger } from '../../lib/logger';

const file = () => process.env.JOBDECK_LOG_COPY;

/** The logger of an in-process test app: JSON to the run's file, on the console only with JOBDECK_TEST_LOG. */
export function testLogger(): Logger {
  return createLogger({ format: 'json', level: 'debug', copyTo: file(), quiet: !process.env.JOBDECK_TEST_LOG });
}

/** What a child server process printed, kept with the rest. */
export function keepServerOutput(output: string) {
  const f = file();
  if (f && output) appendFileSync(f, output.endsWith('\n') ? output : `${output}\n`);
}

/** Credentials as they would look in a log line; each hit is a leak. */
const LEAKS: [string, RegExp][] = [
  ['session cookie', /jobdeck_session=(?!\[redacted\])[^;\s"]{8,}/],
  ['bearer token', /Bearer\s+(?!\[redacted\])[\w.~+/-]{8,}/i],
  ['API token', /\bjd_(?!\[redacted\])[\w-]{20,}/],
  ['URL with a password', /\w+:\/\/[^:/\s"]+:(?!\[redacted\])[^@\s"]+@/],
  ['password field', /"(?:password|newPassword|currentPassword|ADMIN_PASSWORD)"\s*:\s*"(?!\[redacted\])/],
];

export function findLeaks(text: string, knownSecrets: string[] = []): { line: number; what: string }[] {
  const out: { line: number; what: string }[] = [];
  text.split('\n').forEach((l, i) => {
    for (const [what, re] of LEAKS) if (re.test(l)) out.push({ line: i + 1, what });
    for (const s of knownSecrets) if (s && l.includes(s)) out.push({ line: i + 1, what: 'a test password' });
  });
  return out;
}
