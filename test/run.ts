/**
 * The test command. Starts one real PostgreSQL for the whole run (embedded, or the server in
 * DATABASE_URL), migrates a template database once, then runs node's test runner; each test file
 * clones the template into a database of its own (graphile-worker's way), so files never share state.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { connect } from '../db/client';
import { startEmbedded } from '../db/embedded';
import { runMigrations } from '../db/migrate';
import { chromiumPath } from './helpers/chromium';

const TEMPLATE = `jobdeck_tpl_${process.pid}`;

function findTests(dirs: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.ts')) out.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

async function main() {
  const args = process.argv.slice(2);
  const targets = args.length ? args : ['test/unit', 'test/integration', 'test/e2e', 'test/faults'];
  const files = findTests(targets.filter((t) => !t.endsWith('.ts'))).concat(targets.filter((t) => t.endsWith('.ts')));
  let serverUrl = process.env.DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  let tmp: string | undefined;
  if (!serverUrl) {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-test-'));
    const pg = await startEmbedded(tmp, { fast: true, onLog: process.env.JOBDECK_PG_LOG ? (m) => process.stderr.write(m) : undefined });
    serverUrl = pg.url;
    stop = pg.stop;
  }
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE}`);
  await admin.unsafe(`CREATE DATABASE ${TEMPLATE}`);
  const tplUrl = withDatabase(serverUrl, TEMPLATE);
  const tpl = connect(tplUrl, { max: 2 });
  await runMigrations(tpl);
  await tpl.close();
  // Unpacked once here, so browser tests running side by side never race on the same file.
  const browserPath = await chromiumPath();
  const code = await new Promise<number>((resolve) => {
    // --test-force-exit: Agenda 6 leaves a referenced 5-minute timer after every run
    // (JobProcessor.checkIfJobIsStillAlive), which would keep each test file's process alive.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-force-exit', '--test-concurrency=2', '--test-reporter=spec', ...files],
      {
        stdio: 'inherit',
        env: { ...process.env, CHROMIUM_PATH: browserPath, TEST_PG_URL: serverUrl, TEST_TEMPLATE_DB: TEMPLATE, NODE_ENV: 'test' },
      },
    );
    child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
  });
  // Databases left by files that crashed are dropped with the template.
  const left = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE 'jobdeck_t_%'`;
  for (const { datname } of left) await admin.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await admin.end();
  if (stop) await stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
}

export function withDatabase(url: string, db: string) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
