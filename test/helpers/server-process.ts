import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../db/embedded';
import { createTestDatabase } from './db';
import { ADMIN } from './app';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type ServerProcess = { url: string; child: ChildProcess; output: () => string; stop(signal?: NodeJS.Signals): Promise<number | null> };

/**
 * Jobdeck as the README starts it (`npm start` = `tsx server.ts`), as a child process on a fresh
 * test database (or its own embedded PostgreSQL when `embedded` is set), waiting for "listening".
 */
export async function startServerProcess(env: Record<string, string> = {}, opts: { embedded?: boolean; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const db = opts.embedded ? undefined : await createTestDatabase();
  const dataDir = opts.embedded ? mkdtempSync(path.join(os.tmpdir(), 'jobdeck-srv-')) : undefined;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
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
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
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
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      await db?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
