/**
 * The benchmark's server process: the same start as server.ts (configuration from the
 * environment, embedded PostgreSQL in DATA_DIR unless DATABASE_URL is set), with the benchmark
 * jobs added to the catalog. Prints "BENCH-READY <port>" once it answers.
 */
import { startJobdeck } from '../../lib/app';
import { loadConfig } from '../../lib/config';
import { benchJobs } from './jobs';

const t0 = Date.now();
const app = await startJobdeck(loadConfig(), {
  console: process.env.BENCH_CONSOLE === '1',
  extraJobs: benchJobs,
  log: (l) => console.log(l),
});
console.log(`BENCH-READY ${app.port ?? 0} ${Date.now() - t0}`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 30_000).unref();
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
