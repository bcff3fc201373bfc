import { defineJob } from '../types';
import { plural, stopIfAborted } from './util';

/** Revoked or expired API tokens stay this long, so "why did my token stop working" can still be answered. */
export const TOKEN_KEEP_DAYS = 30;
/** Sign-in failure windows older than this no longer throttle anyone. */
export const LOGIN_WINDOW_KEEP_HOURS = 24;

export default defineJob({
  id: 'system.expired-credentials',
  description: `Deletes expired sessions, API tokens revoked or expired more than ${TOKEN_KEEP_DAYS} days ago, and stale sign-in failure counters`,
  kind: 'GLOBAL',
  automatic: { kind: 'EVERY_HOURS', every: 1, timeZone: 'UTC' },
  timeoutSeconds: 600,
  async run(ctx) {
    const { sql } = ctx.services;
    const sessions = await sql`DELETE FROM sessions WHERE expires_at < now()`;
    ctx.log.info(`Deleted ${plural(sessions.count, 'expired session')}.`);
    ctx.progress(33);
    stopIfAborted(ctx.signal);

    const tokens = await sql`
      DELETE FROM api_tokens
      WHERE revoked_at < now() - make_interval(days => ${TOKEN_KEEP_DAYS})
         OR expires_at < now() - make_interval(days => ${TOKEN_KEEP_DAYS})`;
    ctx.log.info(`Deleted ${plural(tokens.count, 'API token')} revoked or expired more than ${TOKEN_KEEP_DAYS} days ago.`);
    ctx.progress(66);
    stopIfAborted(ctx.signal);

    const failures = await sql`
      DELETE FROM login_failures WHERE window_start < now() - make_interval(hours => ${LOGIN_WINDOW_KEEP_HOURS})`;
    ctx.log.info(`Deleted ${plural(failures.count, 'stale sign-in failure counter')}.`);
    ctx.progress(100);
  },
});
