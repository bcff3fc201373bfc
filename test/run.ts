/**
 * The test command. Starts one real PostgreSQL for the whole run (embedded, or the server in
 * DATABASE_URL), migrates a template database once, then runs node's test runner; each test file
 * clones the template into a database of its own (graphile-worker's way), so files never share state.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { connect } from '../db/client';
import { startEmbedded } from '../db/embedded';
import { runMigrations } from '../db/migrate';
import { chromiumPath } from './helpers/chromium';
import { ADMIN } from './helpers/app';
import { findLeaks } from './helpers/server-logs';

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
  // Everything the run's servers log lands here; it is searched for credentials at the end.
  const logCopy = path.join(os.tmpdir(), `jobdeck-test-logs-${process.pid}.jsonl`);
  writeFileSync(logCopy, '');
  // Each file's wall time, for the list of the slowest printed at the end.
  const timesCopy = path.join(os.tmpdir(), `jobdeck-test-times-${process.pid}.jsonl`);
  let code = await new Promise<number>((resolve) => {
    // --test-force-exit: Agenda 6 leaves a referenced 5-minute timer after every run
    // (JobProcessor.checkIfJobIsStillAlive), which would keep each test file's process alive.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-force-exit', '--test-concurrency=2', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./test/helpers/file-times-reporter.mjs', '--test-reporter-destination=stdout', ...files],
      {
        stdio: 'inherit',
        env: { ...process.env, JOBDECK_LOG_COPY: logCopy, JOBDECK_FILE_TIMES: timesCopy, CHROMIUM_PATH: browserPath, TEST_PG_URL: serverUrl, TEST_TEMPLATE_DB: TEMPLATE, NODE_ENV: 'test' },
      },
    );
    child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
  });
  printFileReport(timesCopy);
  const logged = readFileSync(logCopy, 'utf8');
  const leaks = findLeaks(logged, [ADMIN.password]);
  console.log(`server log lines checked for credentials: ${logged.split('\n').length - 1}, leaks: ${leaks.length}`);
  for (const l of leaks.slice(0, 10)) console.log(`  ${l.what} at line ${l.line} of ${logCopy}: ${logged.split('\n')[l.line - 1]!.slice(0, 300)}`);
  if (code !== 0) printWarnings(logged);
  if (leaks.length && code === 0) code = 1;
  else if (!leaks.length) rmSync(logCopy, { force: true });
  // Databases left by files that crashed are dropped with the template.
  const left = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE 'jobdeck_t_%'`;
  for (const { datname } of left) await admin.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await admin.end();
  if (stop) await stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
}

/**
 * When a test failed: the servers' warnings, errors and lines saying something failed, the last 40, so that
 * a failure in CI, whose log file is gone with its machine, can be read from its output.
 */
function printWarnings(logged: string) {
  const lines = logged.split('\n').filter((l) => /"level":"(warn|error|fatal)"|failed/i.test(l));
  console.log(`server warnings and errors during the run: ${lines.length}${lines.length > 40 ? ' (the last 40)' : ''}`);
  for (const l of lines.slice(-40)) console.log(`  ${l.slice(0, 400)}`);
}

/** The slowest files of the run and the errors reported outside any test, from the file-times reporter's output. */
function printFileReport(timesFile: string) {
  let all: { file: string; ms?: number; diagnostic?: string }[];
  try {
    all = readFileSync(timesFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return;
  }
  rmSync(timesFile, { force: true });
  const rows = all.filter((r): r is { file: string; ms: number } => r.ms !== undefined);
  rows.sort((a, b) => b.ms - a.ms);
  const total = rows.reduce((s, r) => s + r.ms, 0);
  console.log(`slowest test files (of ${rows.length}; ${(total / 1000).toFixed(0)} s summed over both slots):`);
  for (const r of rows.slice(0, 15)) console.log(`  ${(r.ms / 1000).toFixed(1).padStart(7)} s  ${path.relative(process.cwd(), r.file)}`);
  // A file failed by an error after its tests ended shows only 'test failed' in the summary: say why.
  const diagnostics = all.filter((r) => r.diagnostic);
  if (diagnostics.length) console.log(`errors reported outside any test (${diagnostics.length}):`);
  for (const d of diagnostics) console.log(`  ${d.file ? `${path.relative(process.cwd(), d.file)}: ` : ''}${d.diagnostic!.slice(0, 600)}`);
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
