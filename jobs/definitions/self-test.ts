import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { defineJob, type JobContext } from '../types';
import { formatBytes, plural, stopIfAborted } from './util';

/** An Agenda job this late and unlocked means no worker is picking jobs up. */
export const AGENDA_LATE_SECONDS = 60;
const GB = 1024 ** 3;

async function checkDatabase(ctx: JobContext) {
  const { sql } = ctx.services;
  const startedMs = performance.now();
  await sql`SELECT 1`;
  const roundTripMs = performance.now() - startedMs;
  const [v] = await sql<{ server_version: string }[]>`SHOW server_version`;
  ctx.log.info(`database: OK, round trip ${roundTripMs.toFixed(1)} ms, PostgreSQL ${v?.server_version ?? '?'}`);
}

async function checkAgenda(ctx: JobContext) {
  const { sql } = ctx.services;
  const [t] = await sql<{ present: boolean }[]>`SELECT to_regclass('agenda_jobs') IS NOT NULL AS present`;
  if (!t?.present) {
    ctx.log.warn('agenda: table agenda_jobs is missing: the migrations have not run on this database');
    return;
  }
  const [c] = await sql<{ total: number; late: number }[]>`
    SELECT count(*)::int AS total,
           count(*) FILTER (
             WHERE next_run_at < now() - make_interval(secs => ${AGENDA_LATE_SECONDS})
               AND locked_at IS NULL AND disabled IS NOT TRUE
           )::int AS late
    FROM agenda_jobs`;
  const late = c?.late ?? 0;
  const summary = `${plural(c?.total ?? 0, 'job')}, ${late} more than ${AGENDA_LATE_SECONDS} s late`;
  if (late > 0) ctx.log.warn(`agenda: ${summary}: is a worker running (ROLE=all or worker)?`);
  else ctx.log.info(`agenda: OK, ${summary}`);
}

async function checkMail(ctx: JobContext) {
  try {
    ctx.log.info(`mail: OK, ${await ctx.services.checkMail()}`);
  } catch (e) {
    ctx.log.error(`mail: ${(e as Error).message}`);
  }
}

/** DATA_DIR may not exist yet (external DATABASE_URL): measure the volume it would live on. */
async function statNearest(dir: string) {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      return { dir: d, stats: await statfs(d) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(d) === d) throw e;
    }
  }
}

async function checkDisk(ctx: JobContext) {
  const { dir, stats } = await statNearest(ctx.services.config.dataDir);
  const freeBytes = stats.bavail * stats.bsize;
  const totalBytes = stats.blocks * stats.bsize;
  const freePercent = totalBytes > 0 ? (freeBytes / totalBytes) * 100 : 100;
  const line = `disk (${dir}): ${formatBytes(freeBytes)} free of ${formatBytes(totalBytes)} (${freePercent.toFixed(1)} %)`;
  if (freePercent < 1) ctx.log.error(`${line}: almost full, PostgreSQL will stop writing`);
  else if (freePercent < 5 || freeBytes < GB) ctx.log.warn(`${line}: low`);
  else ctx.log.info(`${line}: OK`);
}

export default defineJob({
  id: 'system.self-test',
  description: "Checks Jobdeck's own dependencies: database, scheduler, mail, disk space",
  kind: 'GLOBAL',
  automatic: { kind: 'EVERY_HOURS', every: 1, timeZone: 'UTC' },
  timeoutSeconds: 300,
  async run(ctx) {
    const checks: [string, (c: JobContext) => Promise<void>][] = [
      ['database', checkDatabase],
      ['agenda', checkAgenda],
      ['mail', checkMail],
      ['disk', checkDisk],
    ];
    for (const [i, [name, check]] of checks.entries()) {
      stopIfAborted(ctx.signal);
      // One broken dependency must not hide the state of the others.
      try {
        await check(ctx);
      } catch (e) {
        ctx.log.error(`${name}: ${(e as Error).message}`);
      }
      ctx.progress(Math.floor(((i + 1) / checks.length) * 100));
    }
  },
});
