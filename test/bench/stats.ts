/** The benchmark's small shared helpers: percentiles, how figures are printed, tenants seeded. */
import type postgres from 'postgres';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
export const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`) : 'n/a');
export const int = (x: number) => Math.round(x).toLocaleString('en-US');

/**
 * n tenants named `${prefix}${i padded to digits}.${suffix}` with a DISABLED row of each job (bare
 * SQL: seeding 20,000 tenants through the API would dwarf the figures). `reset`: existing rows of
 * those jobs go back to DISABLED with no next run.
 */
export async function seedTenants(sql: postgres.Sql, t: { prefix: string; digits: number; suffix: string; n: number; jobs: string[]; reset?: boolean }) {
  const name = sql`format('%s%s.%s', ${t.prefix}::text, lpad(i::text, ${t.digits}::int, '0'), ${t.suffix}::text)`;
  await sql`INSERT INTO domains (name) SELECT ${name} FROM generate_series(1, ${t.n}::int) i ON CONFLICT DO NOTHING`;
  await sql`
    INSERT INTO job_rows (job_id, domain, kind, plan_kind)
    SELECT j, ${name}, 'PER_DOMAIN', 'DISABLED'
    FROM generate_series(1, ${t.n}::int) i CROSS JOIN unnest(${t.jobs}::text[]) j
    ON CONFLICT (job_id, domain) ${t.reset ? sql`DO UPDATE SET plan_kind = 'DISABLED', next_run_at = NULL` : sql`DO NOTHING`}`;
}

/** Uncounted pairs before each API figure and its bare SQL (BENCH_WARMUP; 10 until 2026-12-01). */
export const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);

/**
 * An API request and the bare SQL it is judged against, measured in alternation (one of each, n
 * times) after `warm` uncounted pairs. The machine's speed drifts by tens of percent within a
 * minute here: measured one after the other, the two sides of a ratio met different machines.
 * And the first few hundred requests after a server starts run code V8 has not optimised yet (a
 * log page's p50 3.5 × its bare SQL over the first 200 requests, 2.7 × from the 1,000th on, on one
 * server): the figure is the steady cost of a request, the start is measured by the cold start row.
 * Each call is followed by a pause of a millisecond, so that what a server does after answering
 * (its GC, its request log) lands in neither side's time rather than in the next call's, whichever
 * side that is.
 */
export async function paired(api: () => Promise<unknown>, bare: () => Promise<unknown>, o: { n: number; warm?: number }) {
  const warm = o.warm ?? WARMUP;
  const xs: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < o.n + warm; i++) {
    let t = performance.now();
    await api();
    const a = performance.now() - t;
    await sleep(1);
    t = performance.now();
    await bare();
    const b = performance.now() - t;
    await sleep(1);
    if (i >= warm) {
      xs.push(a);
      raw.push(b);
    }
  }
  return { xs, raw };
}
