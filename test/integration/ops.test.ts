/**
 * What operators' tools read: /metrics in the Prometheus text format (parsed by a real parser,
 * counts checked against the executions table), /healthz and /readyz, METRICS_TOKEN, a worker-only
 * process's METRICS_PORT, and readiness turning 503 when PostgreSQL stops.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startEmbedded } from '../../db/embedded';
import { defineJob } from '../../jobs/types';
import { startJobdeck } from '../../lib/app';
import { Gql, startTestApp, testConfig } from '../helpers/app';
import { waitFor } from '../helpers/worker';

type Family = { name: string; type: string; metrics: { labels?: Record<string, string>; value?: string; count?: string; buckets?: Record<string, string> }[] };

const chatty = defineJob({ id: 'test.chatty', description: 'Writes three lines', kind: 'GLOBAL', run: async (ctx) => ['a', 'b', 'c'].forEach((m) => ctx.log.info(m)) });
const failing = defineJob({ id: 'test.failing', description: 'Fails', kind: 'GLOBAL', run: async () => { throw new Error('boom'); } });

async function scrape(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/metrics`, { headers });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), text, families: res.status === 200 ? (parsePrometheusTextFormat(text) as Family[]) : [] };
}

test('/metrics after known runs: counts equal the executions table, job ids are labels, domains never', async () => {
  const app = await startTestApp({ METRICS_TOKEN: 'a-metrics-token-of-some-length' }, { extraJobs: [chatty, failing] });
  try {
    const admin = await new Gql(app.url).login();
    const refs = [...Array(3).fill({ jobId: 'test.chatty', domain: 'global' }), ...Array(2).fill({ jobId: 'test.failing', domain: 'global' })];
    for (const ref of refs) {
      const [r] = (await admin.ok('mutation($j: [JobRef!]!) { executeNow(jobs: $j) { execution { id } } }', { j: [ref] })).executeNow;
      await waitFor('the run to end', async () => (await admin.ok('query($id: ID!) { execution(id: $id) { status } }', { id: r.execution.id })).execution.status !== 'IN_PROGRESS');
    }
    assert.equal((await scrape(app.url)).status, 401, 'without the token');
    assert.equal((await scrape(app.url, { authorization: 'Bearer wrong' })).status, 401);
    const { status, contentType, families, text } = await scrape(app.url, { authorization: 'Bearer a-metrics-token-of-some-length' });
    assert.equal(status, 200);
    assert.match(contentType ?? '', /^text\/plain; version=0\.0\.4/);
    const family = (name: string) => families.find((f) => f.name === name);

    const table = await app.deps.sql<{ job: string; status: string; n: number }[]>`
      SELECT job_id AS job, status, count(*)::int AS n FROM executions WHERE status <> 'IN_PROGRESS' GROUP BY 1, 2 ORDER BY 1, 2`;
    const counted = family('jobdeck_executions_total')!.metrics.map((m) => ({ job: m.labels!.job!, status: m.labels!.status!, n: Number(m.value) }));
    counted.sort((a, b) => `${a.job}/${a.status}`.localeCompare(`${b.job}/${b.status}`));
    assert.deepEqual(counted, table.map((r) => ({ ...r })));
    assert.deepEqual(table.map((r) => `${r.job}/${r.status}/${r.n}`), ['test.chatty/SUCCESS/3', 'test.failing/FAILURE/2']);
    const durations = family('jobdeck_execution_duration_seconds')!;
    assert.equal(durations.type, 'HISTOGRAM');
    // The parser folds a labelled histogram's series together: its per-job counts are read from the text.
    const counts = [...text.matchAll(/^jobdeck_execution_duration_seconds_count\{job="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(counts.sort(), [['test.chatty', 3], ['test.failing', 2]]);
    const [logs] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_entries`;
    assert.equal(Number(family('jobdeck_log_entries_total')!.metrics[0]!.value), logs!.n);
    assert.equal(Number(family('jobdeck_workers_alive')!.metrics[0]!.value), 1, 'this process\'s worker');
    for (const name of ['jobdeck_executions_running', 'jobdeck_executions_waiting', 'jobdeck_outbox_pending', 'jobdeck_alerts_open', 'jobdeck_subscriptions', 'jobdeck_graphql_requests_total', 'process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes'])
      assert.ok(family(name), `${name} is served`);
    assert.equal(Number(family('jobdeck_executions_running')!.metrics[0]!.value), 0);
    const mutations = family('jobdeck_graphql_requests_total')!.metrics.find((m) => m.labels!.type === 'mutation');
    assert.ok(Number(mutations?.value) >= 6, 'the sign-in and five executeNow');
    const labelNames = new Set(families.filter((f) => f.name.startsWith('jobdeck_')).flatMap((f) => f.metrics.flatMap((m) => Object.keys(m.labels ?? {}))));
    assert.ok(!labelNames.has('domain'), 'domains are never labels');
  } finally {
    await app.stop();
  }
});

test('/healthz and /readyz answer without credentials; a worker-only process serves them on METRICS_PORT', async () => {
  const web = await startTestApp();
  try {
    const health = await fetch(`${web.url}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${web.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ready: true, checks: { database: 'ok', migrations: 'ok', worker: 'ok' } });
    const metrics = await scrape(web.url);
    assert.equal(metrics.status, 200, 'no METRICS_TOKEN: open');
  } finally {
    await web.stop();
  }
  const worker = await startTestApp({ ROLE: 'worker', METRICS_PORT: '0' });
  try {
    assert.equal(worker.url, '', 'no web server');
    const url = `http://127.0.0.1:${worker.metricsPort}`;
    assert.deepEqual(await (await fetch(`${url}/readyz`)).json(), { ready: true, checks: { database: 'ok', migrations: 'ok', worker: 'ok' } });
    assert.ok((await scrape(url)).families.some((f) => f.name === 'jobdeck_executions_total'));
    assert.equal((await fetch(`${url}/graphql`)).status, 404);
  } finally {
    await worker.stop();
  }
});

test('/readyz turns 503 when PostgreSQL stops, while /healthz stays 200', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-ready-'));
  const pg = await startEmbedded(dir, { fast: true });
  let stopped = false;
  const app = await startJobdeck(testConfig({ DATABASE_URL: pg.url }), { console: false, log: () => {} });
  try {
    assert.equal((await fetch(`${app.url}/readyz`)).status, 200);
    await pg.stop();
    stopped = true;
    const r = await fetch(`${app.url}/readyz`);
    assert.equal(r.status, 503);
    const body = (await r.json()) as { ready: boolean; checks: { database: string } };
    assert.equal(body.ready, false);
    assert.match(body.checks.database, /^unreachable/);
    assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
  } finally {
    await Promise.race([app.close(), new Promise((r) => setTimeout(r, 15_000))]);
    if (!stopped) await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
