/** TypeScript jobs used only by the benchmarks (test/bench/server.ts adds them to the catalog). */
import { defineJob, type JobContext } from '../../jobs/types';

const num = (name: string, def: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : def;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `rate` lines/s for `seconds` s in 1 ms ticks; every line is "<i> <write time in ms>". */
async function stream(ctx: JobContext, rate: number, seconds: number, delayMs: number) {
  if (delayMs) await sleep(delayMs);
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  let i = 0;
  while (i < total && !ctx.signal.aborted) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    while (i < due) ctx.log.info(`${++i} ${(performance.timeOrigin + performance.now()).toFixed(3)}`);
    await sleep(1);
  }
}

export const benchJobs = [
  defineJob({
    id: 'bench.hello',
    description: 'Benchmark: one log line',
    kind: 'GLOBAL',
    async run(ctx) {
      ctx.log.info('hello');
    },
  }),
  defineJob({
    id: 'bench.tiny',
    description: 'Benchmark: one log line per domain (throughput, schedule accuracy, list at scale)',
    kind: 'PER_DOMAIN',
    async run(ctx) {
      ctx.log.info('tiny');
    },
  }),
  defineJob({
    id: 'bench.fleet',
    description: 'Benchmark: one log line per domain, scheduled across the fleet (issue #15)',
    kind: 'PER_DOMAIN',
    async run(ctx) {
      ctx.log.info('fleet');
    },
  }),
  defineJob({
    id: 'bench.hello-domain',
    description: 'Benchmark: a fifth per-domain job of the fleet data set',
    kind: 'PER_DOMAIN',
    async run(ctx) {
      ctx.log.info('hello');
    },
  }),
  defineJob({
    id: 'bench.capped',
    description: 'Benchmark: holds the bench-store resource (capacity 4) for a few milliseconds',
    kind: 'PER_DOMAIN',
    locks: ['bench-store'],
    async run(ctx) {
      ctx.log.info('holding');
      await sleep(num('BENCH_HOLD_MS', 5));
      ctx.log.info('releasing');
    },
  }),
  defineJob({
    id: 'bench.fails',
    description: 'Benchmark: fails at once (10,000 FAILED alerts fanned out to 3 channels, issue #16)',
    kind: 'PER_DOMAIN',
    async run() {
      throw new Error('bench failure');
    },
  }),
  defineJob({
    id: 'bench.fails-now',
    description: 'Benchmark: fails at once, one row at a time (failure → signed webhook, MISSED, issue #16)',
    kind: 'PER_DOMAIN',
    async run() {
      throw new Error('bench failure');
    },
  }),
  defineJob({
    id: 'bench.stream',
    description: 'Benchmark: steady log stream',
    kind: 'GLOBAL',
    async run(ctx) {
      await stream(ctx, num('BENCH_STREAM_RATE', 10_000), num('BENCH_STREAM_SECONDS', 30), num('BENCH_STREAM_DELAY_MS', 1000));
    },
  }),
  defineJob({
    id: 'bench.fanout',
    description: 'Benchmark: slow log stream for many subscribers',
    kind: 'GLOBAL',
    async run(ctx) {
      await stream(ctx, num('BENCH_FAN_RATE', 100), num('BENCH_FAN_SECONDS', 10), num('BENCH_FAN_DELAY_MS', 5000));
    },
  }),
  defineJob({
    id: 'bench.burst',
    description: 'Benchmark: a burst of lines written at once',
    kind: 'GLOBAL',
    async run(ctx) {
      await sleep(num('BENCH_BURST_DELAY_MS', 1000));
      const n = num('BENCH_BURST_LINES', 200_000);
      for (let i = 1; i <= n; i++) ctx.log.info(`${i} ${(performance.timeOrigin + performance.now()).toFixed(3)}`);
    },
  }),
];
