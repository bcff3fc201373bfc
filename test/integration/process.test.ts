/**
 * The server as a child process, started the way `npm start` does (`tsx server.ts`, i.e.
 * `node --import tsx server.ts`), stopped with SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import postgres from 'postgres';
import { freePort } from '../../db/embedded';
import { Gql, subscribe } from '../helpers/app';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ADMIN = { email: 'proc-admin@example.com', password: 'process-test-password' };

type Child = { proc: ChildProcess; out: () => string; url: string; exited: Promise<number | null>; startedAt: number; readyAt: number };

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'TEST_PG_URL', 'TEST_TEMPLATE_DB', 'DATA_DIR', 'PORT', 'ROLE', 'JOBS_FILE', 'SMTP_URL', 'PUBLIC_URL']) delete env[k];
  return { ...env, NODE_ENV: 'test', HOST: '127.0.0.1', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, DRAIN_TIMEOUT_SECONDS: '5', ...extra };
}

async function startChild(env: NodeJS.ProcessEnv): Promise<Child> {
  const startedAt = Date.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 90 s:\n${out}`)), 90_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+?):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[2]}`);
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((c) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${c} before listening:\n${out}`));
    });
  });
  // Cold start: spawn to first answered request.
  const r = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { email } }"}' });
  assert.equal(r.status, 200);
  return { proc, out: () => out, url, exited, startedAt, readyAt: Date.now() };
}

async function stopChild(c: Child) {
  const t0 = Date.now();
  c.proc.kill('SIGTERM');
  const code = await Promise.race([c.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
  if (code === 'timeout') c.proc.kill('SIGKILL');
  assert.equal(code, 0, `exit after SIGTERM:\n${c.out()}`);
  return Date.now() - t0;
}

/** Live processes whose command line mentions `needle` (e.g. a postgres with -D DATA_DIR). */
function processesMentioning(needle: string) {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(needle)) found.push(`${pid}: ${cmd}`);
    } catch {
      /* gone */
    }
  }
  return found;
}
const postgresProcesses = () => processesMentioning('postgres').filter((l) => /\/postgres\s|bin\/postgres/.test(l));

async function exercise(c: Child, opts: { createDomain?: string } = {}) {
  const g = await new Gql(c.url).login(ADMIN.email, ADMIN.password);
  assert.equal((await g.ok('{ viewer { email role } }')).viewer.email, ADMIN.email);
  if (opts.createDomain) await g.ok(`mutation($n: String!) { createDomain(name: $n) { name } }`, { n: opts.createDomain });
  const client = g.ws();
  const items = await subscribe(client, 'subscription { heartbeat(seconds: 1, count: 2) }', {}).done;
  await client.dispose();
  assert.equal(items.length, 2);
  assert.ok(items.every((i) => !Number.isNaN(Date.parse(i.heartbeat))));
  return g;
}

test('npm start: embedded PostgreSQL in DATA_DIR, HTTP + WebSocket + console, clean SIGTERM, data kept across restarts', { timeout: 240_000 }, async () => {
  assert.ok(existsSync(path.join(ROOT, '.next/BUILD_ID')), 'The console is not built: run `npm run build` first (CI builds before tests).');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-proc-'));
  try {
    const env = baseEnv({ DATA_DIR: dataDir, PORT: String(await freePort()) });
    const c = await startChild(env);
    console.log(`cold start (spawn → first answered request, fresh DATA_DIR incl. initdb): ${c.readyAt - c.startedAt} ms`);
    assert.ok(processesMentioning(dataDir).length > 0, 'an embedded postgres runs on DATA_DIR');
    await exercise(c, { createDomain: 'kept.example' });
    const html = await fetch(`${c.url}/`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await html.text(), /<html/i);
    const stopMs = await stopChild(c);
    console.log(`SIGTERM → exit 0 in ${stopMs} ms`);
    assert.deepEqual(processesMentioning(dataDir), [], 'no process left on DATA_DIR');

    // Restart on the same DATA_DIR: same admin, same domain.
    const c2 = await startChild(baseEnv({ DATA_DIR: dataDir, PORT: String(await freePort()) }));
    console.log(`warm start (existing DATA_DIR): ${c2.readyAt - c2.startedAt} ms`);
    try {
      const g = await exercise(c2);
      assert.deepEqual((await g.ok('{ domains { name } }')).domains, [{ name: 'kept.example' }]);
      assert.equal(c2.out().match(/Created the first system administrator/g), null, 'no second first-admin');
    } finally {
      await stopChild(c2);
    }
    assert.deepEqual(processesMentioning(dataDir), [], 'no process left on DATA_DIR after the restart');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('DATABASE_URL: uses the given PostgreSQL (127.0.0.1:5432) and starts none', { timeout: 180_000 }, async () => {
  const server = 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `jobdeck_dburl_${randomBytes(5).toString('hex')}`;
  const admin = postgres(server, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-dburl-'));
  try {
    const pgBefore = postgresProcesses().length;
    const url = new URL(server);
    url.pathname = `/${name}`;
    const c = await startChild(baseEnv({ DATABASE_URL: url.toString(), DATA_DIR: dataDir, PORT: String(await freePort()) }));
    try {
      console.log(`start with DATABASE_URL (fresh database): ${c.readyAt - c.startedAt} ms`);
      assert.deepEqual(processesMentioning(dataDir), [], 'no embedded postgres on DATA_DIR');
      assert.ok(postgresProcesses().length <= pgBefore + 0 || !c.out().includes('Embedded PostgreSQL'), 'no embedded server started');
      assert.ok(!c.out().includes('Embedded PostgreSQL'), c.out());
      assert.deepEqual(readdirSync(dataDir), [], 'DATA_DIR untouched');
      await exercise(c, { createDomain: 'dburl.example' });
      const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
      try {
        const [d] = await db<{ n: number }[]>`SELECT count(*)::int AS n FROM domains WHERE name = 'dburl.example'`;
        assert.equal(d?.n, 1, 'migrated and written to the DATABASE_URL database');
        const [u] = await db<{ u: number }[]>`SELECT count(*)::int AS u FROM users`;
        assert.equal(u?.u, 1);
      } finally {
        await db.end();
      }
    } finally {
      await stopChild(c);
    }
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
