import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../db/embedded';
import { createTestDatabase } from './db';
import { keepServerOutput } from './server-logs';
import { ADMIN } from './app';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type ServerProcess = {
  url: string;
  child: ChildProcess;
  /** The embedded PostgreSQL's DATA_DIR, when the server has its own. */
  dataDir?: string;
  /** The exit code of the spawned process (npm's with `npm`). */
  exited: Promise<number | null>;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

export type ServerProcessOptions = {
  /** Its own embedded PostgreSQL in a fresh DATA_DIR (removed by stop()) instead of a test database. */
  embedded?: boolean;
  /** Its own embedded PostgreSQL in this DATA_DIR, which stop() keeps (a restart on the same data). */
  dataDir?: string;
  /**
   * `npm start` itself (npm, then the node it execs) as the leader of a new process group, the way
   * a terminal or a process manager runs it; stop() signals the whole group.
   */
  npm?: boolean;
  /** A port chosen beforehand (when something else must know it first, e.g. PUBLIC_URL). */
  port?: number;
  timeoutMs?: number;
};

/**
 * Jobdeck as the README starts it (`npm start` = `node --import tsx server.ts`), as a child process on a fresh
 * test database (or its own embedded PostgreSQL when `embedded` is set), waiting for "listening".
 */
export async function startServerProcess(env: Record<string, string> = {}, opts: ServerProcessOptions = {}): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const ownData = opts.embedded || opts.dataDir !== undefined;
  const db = ownData ? undefined : await createTestDatabase();
  const dataDir = opts.dataDir ?? (ownData ? mkdtempSync(path.join(os.tmpdir(), 'jobdeck-srv-')) : undefined);
  const [cmd, args]: [string, string[]] = opts.npm ? ['npm', ['start']] : [process.execPath, ['--import', 'tsx', 'server.ts']];
  const inherited = { ...process.env };
  // The test runner's own database must not leak into a server that has its own.
  if (ownData) delete inherited.DATABASE_URL;
  const child = spawn(cmd, args, {
    cwd: ROOT,
    detached: opts.npm ?? false,
    env: {
      ...inherited,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      HEARTBEAT_SECONDS: '1',
      LEASE_SECONDS: '4',
      KILL_GRACE_SECONDS: '1',
      DRAIN_TIMEOUT_SECONDS: '5',
      ...(db ? { DATABASE_URL: db.url } : { DATA_DIR: dataDir! }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => (keepServerOutput(out), r(code))));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${out}`)), opts.timeoutMs ?? 60_000);
    const check = () => {
      if (/listening on/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    dataDir,
    exited,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) {
        if (opts.npm) process.kill(-child.pid!, signal);
        else child.kill(signal);
      }
      const code = await exited;
      await db?.drop();
      if (dataDir && opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
