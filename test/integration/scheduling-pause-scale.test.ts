/**
 * Resuming at fleet size: 20,000 rows (one per-domain job × 20,000 domains) that missed an occurrence
 * while all scheduling was paused. RUN_ONCE opens their 20,000 executions set-based in one
 * transaction (chunks of 5,000 rows per statement); SKIP only forgets them. No worker runs here: the
 * executions stay queued, which is what is measured.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, type TestApp } from '../helpers/app';

const N = 20_000;
const job = defineJob({ id: 'test.fleet', description: 'Per domain', kind: 'PER_DOMAIN', async run() {} });

let app: TestApp;
let admin: Gql;
before(async () => {
  app = await startTestApp({ ROLE: 'web' }, { extraJobs: [job] });
  admin = await new Gql(app.url).login();
  const names = Array.from({ length: N }, (_, i) => `f${String(i).padStart(5, '0')}.example`);
  await admin.ok('mutation($n: [String!]!) { createDomains(names: $n) { name } }', { n: names });
});
after(async () => {
  await (app?.deps.engine as any)?.agenda.backend.disconnect().catch(() => {});
  await app?.stop();
});

const miss = async () => {
  const [r] = await app.deps.sql<{ n: number }[]>`
    WITH m AS (UPDATE job_rows SET missed_at = date_trunc('second', now()) - interval '10 minutes' WHERE job_id = 'test.fleet' RETURNING 1)
    SELECT count(*)::int AS n FROM m`;
  return r!.n;
};

test(`resume of ${N.toLocaleString('en')} rows that missed an occurrence: RUN_ONCE opens one late execution each, SKIP none`, async () => {
  await admin.ok('mutation { pauseScheduling(reason: "scale") { paused } }');
  assert.equal(await miss(), N);
  let t0 = performance.now();
  await admin.ok('mutation { resumeScheduling(missed: RUN_ONCE) { paused } }');
  const runOnceMs = performance.now() - t0;
  const [opened] = await app.deps.sql<{ n: number; late: number }[]>`
    SELECT count(*)::int AS n, count(*) FILTER (WHERE occurrence_at < now() - interval '9 minutes')::int AS late
    FROM executions WHERE job_id = 'test.fleet' AND trigger = 'SCHEDULE' AND status = 'IN_PROGRESS' AND owner IS NULL`;
  assert.deepEqual(opened, { n: N, late: N });
  const [left] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM job_rows WHERE missed_at IS NOT NULL`;
  assert.equal(left!.n, 0);

  // The same rows again (a run of each is still queued): SKIP forgets, opens nothing.
  await admin.ok('mutation { pauseScheduling { paused } }');
  assert.equal(await miss(), N);
  t0 = performance.now();
  await admin.ok('mutation { resumeScheduling(missed: SKIP) { paused } }');
  const skipMs = performance.now() - t0;
  const [after] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE job_id = 'test.fleet'`;
  assert.equal(after!.n, N);
  console.log(`resumeScheduling of ${N} missed rows: RUN_ONCE ${runOnceMs.toFixed(0)} ms (${N} executions opened), SKIP ${skipMs.toFixed(0)} ms`);
  assert.ok(runOnceMs < 20_000, `RUN_ONCE took ${runOnceMs} ms`);
});
