import { defineJob } from '../types';
import { plural, stopIfAborted } from './util';

/** Executions examined per statement: keeps each DELETE (and its cascades) short. */
export const RETENTION_BATCH = 10_000;

/**
 * Deletes finished executions beyond the newest RETENTION_PER_ROW of their row, and those that
 * started more than RETENTION_DAYS ago; log entries and outbox rows go with them (ON DELETE CASCADE).
 * "Newest" is by id, which the database hands out in creation order.
 * A row's last execution (job_rows.last_execution_id) is always kept: the list shows its status,
 * and a dangling pointer would make the row look like it never ran.
 */
export default defineJob({
  id: 'system.retention',
  description: 'Deletes old executions and their logs (keeps RETENTION_PER_ROW per row, RETENTION_DAYS days)',
  kind: 'GLOBAL',
  automatic: { kind: 'DAILY', days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], times: ['03:00'], timeZone: 'UTC' },
  locks: ['executions'],
  timeoutSeconds: 3 * 3600,
  async run(ctx) {
    const { sql, config } = ctx.services;
    const perRow = config.RETENTION_PER_ROW;
    const days = config.RETENTION_DAYS;
    ctx.log.info(`Keeping the newest ${perRow} finished executions per row and those of the last ${days} days.`);

    // The id below which each row's finished executions are surplus, computed once with an index
    // probe per row (executions_row_id_idx); rows with fewer than `perRow` executions have none.
    const cutoffs = await sql<{ rowId: string; keepFrom: string }[]>`
      SELECT r.id AS "rowId", k.id::text AS "keepFrom"
      FROM job_rows r
      CROSS JOIN LATERAL (
        SELECT e.id FROM executions e
        WHERE e.row_id = r.id AND e.status <> 'IN_PROGRESS'
        ORDER BY e.id DESC OFFSET ${perRow - 1} LIMIT 1
      ) k`;
    const rowIds = cutoffs.map((c) => c.rowId);
    const keepFroms = cutoffs.map((c) => c.keepFrom);

    const [range] = await sql<{ minId: string | null; maxId: string | null }[]>`
      SELECT min(id)::text AS "minId", max(id)::text AS "maxId" FROM executions`;
    if (!range?.minId || !range.maxId) {
      ctx.log.info('No executions: nothing to delete.');
      return;
    }
    const minId = Number(range.minId);
    const span = Math.max(1, Number(range.maxId) - minId);
    ctx.log.info(`${plural(cutoffs.length, 'row')} above the per-row limit.`);

    // One keyset pass over the primary key: each batch reads RETENTION_BATCH ids and deletes the
    // doomed ones among them, so the cost stays linear however many executions there are.
    let lastId = String(minId - 1);
    let byAge = 0;
    let byCount = 0;
    let examined = 0;
    for (;;) {
      stopIfAborted(ctx.signal);
      const [res] = await sql<{ lastId: string | null; seen: number; old: number; surplus: number }[]>`
        WITH cut AS (
          SELECT * FROM unnest(${rowIds}::uuid[], ${keepFroms}::bigint[]) AS c(row_id, keep_from)
        ),
        batch AS (
          SELECT id, row_id, status, started_at FROM executions
          WHERE id > ${lastId}::bigint ORDER BY id LIMIT ${RETENTION_BATCH}
        ),
        doomed AS (
          SELECT b.id, b.started_at < now() - make_interval(days => ${days}) AS old
          FROM batch b LEFT JOIN cut ON cut.row_id = b.row_id
          WHERE b.status <> 'IN_PROGRESS'
            AND (b.started_at < now() - make_interval(days => ${days}) OR b.id < cut.keep_from)
            AND NOT EXISTS (SELECT 1 FROM job_rows r WHERE r.last_execution_id = b.id)
        ),
        deleted AS (
          DELETE FROM executions e USING doomed d WHERE e.id = d.id RETURNING d.old
        )
        SELECT (SELECT max(id)::text FROM batch) AS "lastId",
               (SELECT count(*)::int FROM batch) AS seen,
               (SELECT count(*)::int FROM deleted WHERE old) AS old,
               (SELECT count(*)::int FROM deleted WHERE NOT old) AS surplus`;
      if (!res?.lastId) break;
      lastId = res.lastId;
      byAge += res.old;
      byCount += res.surplus;
      examined += res.seen;
      ctx.progress(Math.min(99, Math.floor(((Number(lastId) - minId) / span) * 100)));
      if (res.seen < RETENTION_BATCH) break;
    }
    ctx.progress(100);
    ctx.log.info(
      `Examined ${plural(examined, 'execution')}; deleted ${byAge + byCount}: ` +
        `${byAge} older than ${days} days, ${byCount} beyond the newest ${perRow} of their row.`,
    );
  },
});
