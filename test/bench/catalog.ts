/**
 * Issue #19's catalog axis (`BENCH_ONLY=catalog`): the jobs page with a catalog of 1, 1,000 and 5,000
 * jobs (GLOBAL command jobs in JOBS_FILE, plus the benchmark's own TypeScript jobs), one server
 * each on the same data folder. A request must not walk the catalog: its cost follows the page, not
 * the number of jobs. Each row judges the page's p50 against the bare SQL of the same page in the
 * same run (≤ 2.5 ×, the issue's ratio), and prints `{ __typename }` beside it (the API's floor).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import type { FleetContext } from './fleet';
import { Http, now } from './client';
import { int, ms, paired, pct } from './stats';

// BENCH_CATALOG_SIZES / BENCH_CATALOG_REQUESTS: other sizes or more requests, for profiling one.
const SIZES = process.env.BENCH_CATALOG_SIZES?.split(',').map(Number) ?? [1, 1000, 5000];
const N = Number(process.env.BENCH_CATALOG_REQUESTS) || 500;

async function times(f: () => Promise<unknown>, n = N) {
  for (let i = 0; i < 10; i++) await f();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = now();
    await f();
    xs.push(now() - t);
  }
  return xs;
}

export async function catalogRows(c: FleetContext) {
  const q = `query($f: JobFilter) { jobs(filter: $f, first: 50) { totalCount pageInfo { endCursor hasNextPage } nodes { jobId domain plan { summary } lastExecution { id status startedAt } nextRunAt running hasUnreadLogs } } }`;
  for (const size of SIZES) {
    const file = path.join(c.dataDir, `catalog-${size}.json`);
    const jobs = Array.from({ length: size }, (_, i) => ({
      id: `cat.job${String(i).padStart(5, '0')}`,
      description: `Catalog job ${i}`,
      kind: 'GLOBAL',
      command: ['true'],
    }));
    writeFileSync(file, JSON.stringify({ jobs }));
    const srv = await c.startServer({ ...c.env, JOBS_FILE: file });
    const sql = postgres(c.pgUrlOf(c.dataDir), { max: 2, onnotice: () => {} });
    try {
      const http = await new Http(srv.url).signIn(c.admin.email, c.admin.password);
      const rows = (await sql<{ rows: number }[]>`SELECT count(*)::int AS rows FROM job_rows WHERE in_catalog`)[0]!.rows;
      const floor = await times(() => http.q('{ __typename }'));
      // Each page in alternation with its bare SQL, after warm-up pairs (stats.ts paired).
      const { xs: page, raw: bare } = await paired(() => http.q(q), () => sql`
        SELECT r.*, e.status, e.started_at, (SELECT count(*) FROM job_rows WHERE in_catalog) AS total
        FROM (SELECT * FROM job_rows WHERE in_catalog ORDER BY job_id, domain LIMIT 51) r LEFT JOIN executions e ON e.id = r.last_execution_id`, { n: N });
      // A text filter matches descriptions too: the catalog is searched in memory, once per request.
      // The page and its count, as the API reads them (the count scans every row the filter tests).
      // Fewer pairs: at 143,000 rows (after the fleet phase) a pair takes ~180 ms, and the page above warmed the path.
      const { xs: text, raw: bareText } = await paired(() => http.q(q, { f: { text: 'job000' } }), () => sql`
        SELECT r.*, e.status, (SELECT count(*) FROM job_rows c WHERE c.in_catalog AND (strpos(lower(c.job_id), 'job000') > 0 OR strpos(lower(c.domain), 'job000') > 0)) AS total
        FROM (SELECT * FROM job_rows WHERE in_catalog AND (strpos(lower(job_id), 'job000') > 0 OR strpos(lower(domain), 'job000') > 0)
              ORDER BY job_id, domain LIMIT 51) r LEFT JOIN executions e ON e.id = r.last_execution_id`, { n: Math.min(N, 200), warm: 20 });
      c.add(
        `jobs page of 50, catalog of ${int(size)} job${size > 1 ? 's' : ''} (${int(rows)} rows)`,
        `p50 ${ms(pct(page, 50))} (${(pct(page, 50) / pct(bare, 50)).toFixed(1)} × bare); text filter p50 ${ms(pct(text, 50))} (${(pct(text, 50) / pct(bareText, 50)).toFixed(1)} × bare); { __typename } ${ms(pct(floor, 50))}`,
        'p50 ≤ 2.5 × bare SQL',
        `bare SQL p50 ${ms(pct(bare, 50))}, text ${ms(pct(bareText, 50))}`,
        [pct(page, 50) / (2.5 * pct(bare, 50)), pct(text, 50) / (2.5 * pct(bareText, 50))],
      );
    } catch (e) {
      c.failed(`jobs page, catalog of ${size}`, 'p50 ≤ 2.5 × bare SQL', e);
    } finally {
      await sql.end();
      await srv.stop();
    }
  }
}
