import { defineJob } from '../types';
import { formatBytes, stopIfAborted } from './util';

/** Jobdeck's tables; agenda_jobs (Agenda's, created by the worker) is vacuumed too when it exists. */
export const MAINTAINED_TABLES = [
  'domains',
  'users',
  'user_domains',
  'sessions',
  'api_tokens',
  'login_failures',
  'job_rows',
  'executions',
  'log_entries',
  'log_reads',
  'audit_log',
  'outbox',
  'agenda_jobs',
] as const;

export default defineJob({
  id: 'system.db-maintenance',
  description: "VACUUM (ANALYZE) of Jobdeck's tables, with their sizes and a warning past DB_SIZE_WARN_MB",
  kind: 'GLOBAL',
  automatic: { kind: 'DAILY', days: ['SUN'], times: ['04:00'], timeZone: 'UTC' },
  timeoutSeconds: 6 * 3600,
  async run(ctx) {
    const { sql, config } = ctx.services;
    const present = await sql<{ name: string }[]>`
      SELECT t AS name FROM unnest(${[...MAINTAINED_TABLES]}::text[]) AS t WHERE to_regclass(quote_ident(t)) IS NOT NULL`;
    const names = new Set(present.map((p) => p.name));
    const tables = MAINTAINED_TABLES.filter((t) => names.has(t));

    for (const [i, table] of tables.entries()) {
      // A cancel lands between tables: one VACUUM is not interruptible from here.
      stopIfAborted(ctx.signal);
      const startedMs = Date.now();
      // VACUUM refuses to run in a transaction block, so one plain statement per table.
      // The name comes from the constant list above, never from input.
      await sql.unsafe(`VACUUM (ANALYZE) "${table}"`);
      const [size] = await sql<{ bytes: string }[]>`SELECT pg_total_relation_size(${table}::regclass)::text AS bytes`;
      ctx.log.info(`${table}: vacuumed in ${Date.now() - startedMs} ms, ${formatBytes(Number(size?.bytes ?? 0))}`);
      ctx.progress(Math.floor(((i + 1) / tables.length) * 100));
    }

    const [db] = await sql<{ bytes: string }[]>`SELECT pg_database_size(current_database())::text AS bytes`;
    const dbBytes = Number(db?.bytes ?? 0);
    const limitBytes = config.DB_SIZE_WARN_MB * 1024 * 1024;
    if (dbBytes > limitBytes) {
      ctx.log.warn(
        `Database size ${formatBytes(dbBytes)} is above DB_SIZE_WARN_MB (${config.DB_SIZE_WARN_MB} MB): ` +
          'lower RETENTION_PER_ROW or RETENTION_DAYS, or raise the limit.',
      );
    } else {
      ctx.log.info(`Database size ${formatBytes(dbBytes)} (warning past ${config.DB_SIZE_WARN_MB} MB).`);
    }
  },
});
