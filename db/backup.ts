/**
 * Backup and restore of the embedded PostgreSQL, with PostgreSQL's own online backup functions:
 * pg_backup_start / pg_backup_stop around a copy of the data folder, the WAL written meanwhile
 * kept by a temporary replication slot and copied after, and the backup_label PostgreSQL hands
 * back. The copy is a data folder that PostgreSQL itself recovers to the moment pg_backup_stop
 * returned: everything committed before the backup started is in it. No dump format of our own.
 *
 *   npm run backup -- <folder>     while Jobdeck runs (or not: then a plain copy of a stopped server)
 *   npm run restore -- <folder>    while Jobdeck is stopped; the current DATA_DIR is kept aside
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

/** What a data folder holds that a backup leaves out (PostgreSQL's documentation, "Making a Base Backup Using the Low Level API"). */
const SKIP_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map']);
const EMPTY_DIRS = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);

type Owner = { uid: number; gid: number };

/** Copies a tree keeping modes and the owner of the source (as root, the postgres user must own the copy). */
async function copyTree(from: string, to: string, opts: { top?: boolean } = {}): Promise<number> {
  const st = await fs.stat(from);
  await fs.mkdir(to, { recursive: true, mode: st.mode & 0o777 });
  await chown(to, st);
  let bytes = 0;
  for (const e of await fs.readdir(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (opts.top && SKIP_FILES.has(e.name)) continue;
    if (e.name.startsWith('pgsql_tmp')) continue;
    try {
      if (e.isDirectory()) {
        if (opts.top && EMPTY_DIRS.has(e.name)) {
          const s = await fs.stat(src);
          await fs.mkdir(dst, { mode: s.mode & 0o777 });
          await chown(dst, s);
        } else bytes += await copyTree(src, dst);
      } else if (e.isFile()) {
        const s = await fs.stat(src);
        await fs.copyFile(src, dst);
        await fs.chmod(dst, s.mode & 0o777);
        await chown(dst, s);
        bytes += s.size;
      }
    } catch (err) {
      // A file removed while the server runs (a dropped table, a recycled segment) is not needed.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return bytes;
}

async function chown(p: string, o: Owner) {
  if (process.getuid?.() === 0) await fs.chown(p, o.uid, o.gid);
}

/** The running embedded server of a DATA_DIR, from its postmaster.pid; undefined when none runs. */
async function runningServer(dataDir: string): Promise<{ url: string } | undefined> {
  const pid = await fs.readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => '');
  const [pidLine, , , portLine] = pid.split('\n');
  if (!pidLine || !portLine) return undefined;
  try {
    process.kill(Number(pidLine), 0);
  } catch {
    return undefined;
  }
  const password = await fs.readFile(path.join(dataDir, 'pg-password'), 'utf8');
  return { url: `postgres://jobdeck:${encodeURIComponent(password)}@127.0.0.1:${Number(portLine)}/jobdeck` };
}

export type BackupResult = { target: string; online: boolean; bytes: number; startLsn?: string; stopLsn?: string; ms: number };

/** Makes `target` (new or empty) a consistent copy of DATA_DIR, taken while the server runs. */
export async function backupEmbedded(dataDir: string, target: string): Promise<BackupResult> {
  const t0 = Date.now();
  const source = path.resolve(dataDir);
  target = path.resolve(target);
  if (existsSync(target) && (await fs.readdir(target)).length > 0) throw new Error(`${target} is not empty: give a new folder.`);
  if (!existsSync(path.join(source, 'pg', 'PG_VERSION'))) throw new Error(`${source} holds no embedded PostgreSQL.`);
  await fs.mkdir(target, { recursive: true, mode: 0o755 });
  await fs.copyFile(path.join(source, 'pg-password'), path.join(target, 'pg-password'));
  await fs.chmod(path.join(target, 'pg-password'), 0o600);
  const server = await runningServer(source);
  if (!server) {
    // Stopped: the folder is consistent as it is.
    const bytes = await copyTree(path.join(source, 'pg'), path.join(target, 'pg'));
    return { target, online: false, bytes, ms: Date.now() - t0 };
  }
  // One connection: the backup belongs to the session that started it.
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const slot = `jobdeck_backup_${process.pid}`;
  try {
    // The slot keeps every WAL segment from here on until it is dropped, however long the copy takes.
    await sql`SELECT pg_create_physical_replication_slot(${slot}, true, true)`;
    const [start] = await sql<{ lsn: string }[]>`SELECT pg_backup_start('jobdeck', true)::text AS lsn`;
    const bytes = await copyTree(path.join(source, 'pg'), path.join(target, 'pg'), { top: true });
    const [stop] = await sql<{ lsn: string; labelfile: string; spcmapfile: string }[]>`
      SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(false)`;
    const pgTarget = path.join(target, 'pg');
    const owner = await fs.stat(path.join(source, 'pg'));
    await fs.writeFile(path.join(pgTarget, 'backup_label'), stop!.labelfile, { mode: 0o600 });
    await chown(path.join(pgTarget, 'backup_label'), owner);
    if (stop!.spcmapfile) {
      await fs.writeFile(path.join(pgTarget, 'tablespace_map'), stop!.spcmapfile, { mode: 0o600 });
      await chown(path.join(pgTarget, 'tablespace_map'), owner);
    }
    // The segment holding the stop LSN is complete on disk once pg_backup_stop has returned.
    await sql`SELECT pg_switch_wal()`;
    const walBytes = await copyTree(path.join(source, 'pg', 'pg_wal'), path.join(pgTarget, 'pg_wal'));
    return { target, online: true, bytes: bytes + walBytes, startLsn: start!.lsn, stopLsn: stop!.lsn, ms: Date.now() - t0 };
  } finally {
    await sql`SELECT pg_drop_replication_slot(${slot})`.catch(() => {});
    await sql.end();
  }
}

/** Puts a backup in place of DATA_DIR (kept aside as DATA_DIR.before-restore-<time>); Jobdeck must be stopped. */
export async function restoreEmbedded(backup: string, dataDir: string): Promise<{ dataDir: string; keptAside?: string }> {
  backup = path.resolve(backup);
  dataDir = path.resolve(dataDir);
  if (!existsSync(path.join(backup, 'pg', 'PG_VERSION')) || !existsSync(path.join(backup, 'pg-password')))
    throw new Error(`${backup} is not a Jobdeck backup (no pg/PG_VERSION or pg-password).`);
  if (await runningServer(dataDir)) throw new Error(`Jobdeck's PostgreSQL is running on ${dataDir}: stop Jobdeck first.`);
  let keptAside: string | undefined;
  if (existsSync(dataDir)) {
    keptAside = `${dataDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await fs.rename(dataDir, keptAside);
  }
  await fs.mkdir(dataDir, { recursive: true, mode: 0o755 });
  await fs.copyFile(path.join(backup, 'pg-password'), path.join(dataDir, 'pg-password'));
  await fs.chmod(path.join(dataDir, 'pg-password'), 0o600);
  await copyTree(path.join(backup, 'pg'), path.join(dataDir, 'pg'));
  return { dataDir, keptAside };
}

async function main() {
  const [command, folder] = process.argv.slice(2);
  const dataDir = path.resolve(process.env.DATA_DIR || './.data');
  if ((command !== 'backup' && command !== 'restore') || !folder) {
    console.error('Usage: npm run backup -- <new folder>   |   npm run restore -- <backup folder>   (DATA_DIR as for npm start)');
    process.exit(2);
  }
  if (command === 'backup') {
    const r = await backupEmbedded(dataDir, folder);
    console.log(`Backup of ${dataDir} in ${r.target}: ${(r.bytes / 1e6).toFixed(1)} MB in ${(r.ms / 1000).toFixed(1)} s${r.online ? ` (online, WAL ${r.startLsn} → ${r.stopLsn})` : ' (server stopped: plain copy)'}.`);
  } else {
    const r = await restoreEmbedded(folder, dataDir);
    console.log(`Restored ${path.resolve(folder)} into ${r.dataDir}${r.keptAside ? `; the previous data is in ${r.keptAside}` : ''}. Start Jobdeck: PostgreSQL recovers from the backup on its first start.`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
