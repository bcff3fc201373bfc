import { spawn, type ChildProcess } from 'node:child_process';
import { keepServerOutput } from './server-logs';
import { ROOT } from './server-process';

export type WorkerProc = { child: ChildProcess; pid: number; output: () => string; kill(signal?: NodeJS.Signals): Promise<void> };

const live = new Set<ChildProcess>();

/** A separate `ROLE=worker` process on the test database; resolves once it prints its "running" line. */
export async function startWorker(databaseUrl: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<WorkerProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ROLE: 'worker',
      DATABASE_URL: databaseUrl,
      HEARTBEAT_SECONDS: '1',
      LEASE_SECONDS: '4',
      KILL_GRACE_SECONDS: '1',
      DRAIN_TIMEOUT_SECONDS: '2',
      DEFAULT_TIME_ZONE: 'UTC',
      NODE_ENV: 'test',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => (live.delete(child), keepServerOutput(out), r())));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`worker did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      if (/running/.test(out)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (c, s) => {
      clearTimeout(t);
      reject(new Error(`worker exited (${c ?? s}) before it was running:\n${out}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    output: () => out,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Kills every worker process still alive (call in after()). */
export async function reapWorkers() {
  await Promise.all(
    [...live].map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null || c.signalCode !== null) return r();
          c.once('exit', () => r());
          c.kill('SIGKILL');
        }),
    ),
  );
}

/** Polls `fn` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
