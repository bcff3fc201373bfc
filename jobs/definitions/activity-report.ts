import { defineJob } from '../types';
import { plural } from './util';

/** Failures and warnings listed one per line up to this many; the rest are counted. */
export const REPORT_MAX_LISTED = 100;
const STATUS_ORDER = ['SUCCESS', 'WARNING', 'FAILURE', 'CANCELLED', 'INTERRUPTED', 'IN_PROGRESS'];

export default defineJob({
  id: 'domain.activity-report',
  description: "Summary of the domain's job executions of the last 24 hours",
  kind: 'PER_DOMAIN',
  automatic: { kind: 'DAILY', days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], times: ['06:00'], timeZone: 'UTC' },
  timeoutSeconds: 600,
  async run(ctx) {
    const { sql } = ctx.services;
    // This very execution is in the window; it reports on the others.
    const counts = await sql<{ status: string; n: number }[]>`
      SELECT status::text AS status, count(*)::int AS n FROM executions
      WHERE domain = ${ctx.domain} AND started_at >= now() - interval '24 hours' AND id <> ${ctx.executionId}
      GROUP BY status`;
    counts.sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status));
    const total = counts.reduce((s, c) => s + c.n, 0);
    const byStatus = counts.map((c) => `${c.status} ${c.n}`).join(', ');
    ctx.log.info(`${ctx.domain}, last 24 h: ${plural(total, 'execution')}${total ? ` (${byStatus})` : ''}`);
    ctx.progress(50);

    const notable = await sql<{ jobId: string; status: string; startedAt: Date; error: string | null }[]>`
      SELECT job_id AS "jobId", status::text AS status, started_at AS "startedAt", error FROM executions
      WHERE domain = ${ctx.domain} AND started_at >= now() - interval '24 hours' AND id <> ${ctx.executionId}
        AND status IN ('FAILURE', 'INTERRUPTED', 'WARNING')
      ORDER BY started_at, id LIMIT ${REPORT_MAX_LISTED + 1}`;
    for (const e of notable.slice(0, REPORT_MAX_LISTED)) {
      const why = e.error ? `: ${e.error.slice(0, 200)}` : '';
      ctx.log.info(`${e.status} ${e.jobId} started ${e.startedAt.toISOString()}${why}`);
    }
    const listedAll = notable.length <= REPORT_MAX_LISTED;
    if (!listedAll) ctx.log.info(`… more failures and warnings are not listed (first ${REPORT_MAX_LISTED} shown).`);

    const failed = counts.filter((c) => c.status === 'FAILURE' || c.status === 'INTERRUPTED').reduce((s, c) => s + c.n, 0);
    if (failed > 0) ctx.log.warn(`${ctx.domain}: ${failed} of ${total} executions of the last 24 h failed or were interrupted.`);
    ctx.progress(100);
  },
});
