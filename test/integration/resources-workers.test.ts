/**
 * Resources across processes, as a property: three real worker processes, random capacities,
 * random arrivals of runs that need one to three resources. Whatever the draw, the database's own
 * record of claims, grants and releases shows that no resource ever had more holders than its
 * capacity, that each served its waiters in arrival order, and that every run ran (no deadlock, no
 * starvation of the runs that need all three).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Gql, startTestApp, type TestApp } from '../helpers/app';
import { checkHolds, percentile, recordResourceEvents, startLatencies } from '../helpers/resource-holds';
import { reapWorkers, startWorker, waitFor } from '../helpers/worker';
import { rng } from '../helpers/rng';

const RESOURCES = ['ra', 'rb', 'rc'];
/** Every non-empty set of the three: one job each, with a duration of its own. */
const SETS = [1, 2, 3, 4, 5, 6, 7].map((mask) => RESOURCES.filter((_, i) => mask & (1 << i)));
const DOMAINS = Array.from({ length: 16 }, (_, i) => `w${i}.example`);

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-resources-workers-'));
const jobsFile = path.join(dir, 'jobs.json');
writeFileSync(
  jobsFile,
  JSON.stringify({
    resources: { ra: { capacity: 1 }, rb: { capacity: 1 }, rc: { capacity: 1 } },
    jobs: SETS.map((set, i) => ({
      id: `cmd.needs-${set.join('-')}`,
      description: `Holds ${set.join(', ')}`,
      kind: 'PER_DOMAIN',
      command: ['sh', '-c', `echo start; sleep 0.0${1 + (i % 4)}`],
      locks: set,
    })),
  }),
);

let app: TestApp;
let admin: Gql;
before(async () => {
  app = await startTestApp({ ROLE: 'web', JOBS_FILE: jobsFile });
  await recordResourceEvents(app.deps.sql);
  admin = await new Gql(app.url).login();
  await admin.ok('mutation($n: [String!]!) { createDomains(names: $n) { name } }', { n: DOMAINS });
  await Promise.all([0, 1, 2].map(() => startWorker(app.databaseUrl, { JOBS_FILE: jobsFile, WORKER_CONCURRENCY: '12' })));
});
after(async () => {
  await reapWorkers();
  await (app?.deps.engine as any)?.agenda.backend.disconnect().catch(() => {});
  await app?.stop();
});

const EXEC = 'mutation($j: [JobRef!]!) { executeNow(jobs: $j) { reason execution { id } } }';
const SET = 'mutation($n: String!, $c: Int!) { setResourceCapacity(name: $n, capacity: $c) { capacity } }';

for (const seed of [Number(process.env.RESOURCES_SEED ?? Date.now() % 100_000), 3]) {
  test(`3 workers, random capacities and arrivals (seed ${seed}): capacity never exceeded, FIFO per resource, every run runs`, async () => {
    const rand = rng(seed);
    const capacity = new Map(RESOURCES.map((r) => [r, 1 + Math.floor(rand() * 3)] as const));
    for (const [n, c] of capacity) await admin.ok(SET, { n, c });
    await app.deps.sql`TRUNCATE test_resource_events`;
    const ids: number[] = [];
    let refused = 0;
    // Waves of arrivals, a few milliseconds apart: rows already running are refused, the rest queue up.
    for (let wave = 0; wave < 16; wave++) {
      const refs = [];
      for (let k = 0; k < 4 + Math.floor(rand() * 10); k++) {
        const set = SETS[Math.floor(rand() * SETS.length)]!;
        refs.push({ jobId: `cmd.needs-${set.join('-')}`, domain: DOMAINS[Math.floor(rand() * DOMAINS.length)]! });
      }
      const unique = [...new Map(refs.map((r) => [`${r.jobId}@${r.domain}`, r])).values()];
      for (const r of (await admin.ok(EXEC, { j: unique })).executeNow) {
        if (r.execution) ids.push(Number(r.execution.id));
        else refused++;
      }
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 60)));
    }
    await waitFor(`${ids.length} runs to end`, async () => {
      const [c] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE id = ANY(${ids}::bigint[]) AND status = 'IN_PROGRESS'`;
      return c!.n === 0;
    }, 180_000, 100);
    const statuses = await app.deps.sql<{ status: string; n: number }[]>`
      SELECT status, count(*)::int AS n FROM executions WHERE id = ANY(${ids}::bigint[]) GROUP BY status`;
    assert.deepEqual([...statuses], [{ status: 'SUCCESS', n: ids.length }]);
    const report = await checkHolds(app.deps.sql, (r) => capacity.get(r) ?? 1);
    const owners = await app.deps.sql<{ owner: string }[]>`SELECT DISTINCT owner FROM executions WHERE id = ANY(${ids}::bigint[])`;
    console.log(
      `seed ${seed}: capacities ${JSON.stringify(Object.fromEntries(capacity))}, ${ids.length} runs (${refused} refused as already running) on ${owners.length} workers, ` +
        `${report.grants} grants, peak holders ${JSON.stringify(Object.fromEntries(report.peak))}`,
    );
    assert.deepEqual(report.overCapacity, []);
    assert.deepEqual(report.fifoViolations, []);
    // Every run's claims were granted once and given back: nothing is left behind.
    const [left] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM resource_claims`;
    assert.equal(left!.n, 0);
    const [claims] = await app.deps.sql<{ n: number }[]>`SELECT count(DISTINCT execution_id)::int AS n FROM test_resource_events WHERE kind = 'grant'`;
    assert.equal(claims!.n, ids.length);
    assert.ok(owners.length >= 2, 'the runs were spread over the workers');
    // Most of the next holders run in another process than the run that freed the slot: NOTIFY
    // wakes them, not the one-second poll (the spawn of the command is counted too).
    const lat = await startLatencies(app.deps.sql, 'start');
    console.log(`  freed slot → next command's first line: ${lat.length} runs, p50 ${percentile(lat, 50).toFixed(1)} ms, p95 ${percentile(lat, 95).toFixed(1)} ms`);
    assert.ok(percentile(lat, 50) < 250, 'woken by NOTIFY');
  });
}
