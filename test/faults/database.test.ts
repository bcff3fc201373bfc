/**
 * PostgreSQL faults during a run and a live log stream: every connection terminated by the server,
 * then the server itself stopped and started again on the same port. The app runs on its OWN
 * embedded PostgreSQL so that the rest of the suite does not see the outage.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { startEmbedded, type EmbeddedServer } from '../../db/embedded';
import { defineJob } from '../../jobs/types';
import { startJobdeck, type Jobdeck } from '../../lib/app';
import { ADMIN, Gql, subscribe, testConfig } from '../helpers/app';
import { waitFor } from '../helpers/worker';

const LINES = 240; // one every 50 ms: about 12 s
const ticker = defineJob({
  id: 'test.ticker',
  description: 'A line every 50 ms',
  kind: 'GLOBAL',
  timeoutSeconds: 120,
  async run(ctx) {
    for (let i = 1; i <= LINES; i++) {
      ctx.log.info(`line ${i}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  },
});

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-faults-db-'));
let pg: EmbeddedServer;
let app: Jobdeck;
let g: Gql;
const logs: string[] = [];

before(async () => {
  pg = await startEmbedded(dir, { fast: true });
  const config = testConfig({ DATABASE_URL: pg.url, LEASE_SECONDS: '10' });
  app = await startJobdeck(config, { console: false, extraJobs: [ticker], log: (l) => logs.push(l) });
  g = await new Gql(app.url!).login();
});
after(async () => {
  await app?.close();
  await pg?.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

type Entry = { executionLog: { seq: number; message: string } };
const SUB = `subscription($id: ID!, $after: Int) { executionLog(executionId: $id, afterSeq: $after) { seq message } }`;

test('PostgreSQL connections terminated, then the server restarted, during a run and a live stream: nothing lost, no gap', async () => {
  const id = Number((await g.ok(`mutation { executeNow(jobs: [{jobId: "test.ticker", domain: "global"}]) { execution { id } } }`)).executeNow[0].execution.id);
  const ws = g.ws();
  const sub = subscribe<Entry>(ws, SUB, { id, after: 0 });
  sub.done.catch(() => {}); // judged below
  const lastSeen = () => sub.items.at(-1)?.executionLog.seq ?? 0;
  await waitFor('live lines', async () => lastSeen() >= 20, 20_000, 20);

  // (a) The server ends every other connection (pool, LISTEN, Agenda).
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  const seenBefore = lastSeen();
  const ta = Date.now();
  const killed = await admin<{ n: number }[]>`
    SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
    WHERE pid <> pg_backend_pid() AND datname IS NOT NULL AND backend_type = 'client backend'`;
  await admin.end();
  await waitFor('a live line after pg_terminate_backend', async () => lastSeen() > seenBefore + 5, 30_000, 20);
  console.log(`BOUND pg_terminate_backend on ${killed[0]!.n} connections: live lines again after ${Date.now() - ta} ms`);

  // (b) The server stops and starts again on the same port.
  const port = pg.port;
  const seenAtStop = lastSeen();
  const tb = Date.now();
  await pg.stop();
  await new Promise((r) => setTimeout(r, 1500));
  pg = await startEmbedded(dir, { port, fast: true });
  const restartedIn = Date.now() - tb;
  await waitFor('a live line after the restart', async () => lastSeen() > seenAtStop + 5, 60_000, 20);
  console.log(`BOUND PostgreSQL down ${restartedIn} ms; live lines again ${Date.now() - tb} ms after the stop (reconnect + re-LISTEN)`);

  // The run ends by itself, with every entry written once, in order.
  const t = Date.now();
  const done = await waitFor('the run to end', async () => {
    const [e] = await app.deps.sql<{ status: string; lastSeq: number }[]>`SELECT status, last_seq AS "lastSeq" FROM executions WHERE id = ${id}`;
    return e && e.status !== 'IN_PROGRESS' ? e : undefined;
  }, 60_000, 100);
  console.log(`run ended ${done.status} ${Date.now() - t} ms after the last check`);
  const rows = await app.deps.sql<{ seq: number; message: string }[]>`SELECT seq, message FROM log_entries WHERE execution_id = ${id} ORDER BY seq`;
  assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: done.lastSeq }, (_, i) => i + 1), 'every seq 1..N once, in order');
  const lines = rows.filter((r) => /^line \d+$/.test(r.message)).map((r) => Number(r.message.split(' ')[1]));
  const lost = LINES - lines.length;
  console.log(`BOUND entries lost across both outages: ${lost}`);
  assert.deepEqual(lines, Array.from({ length: LINES }, (_, i) => i + 1), 'job lines in order, none lost');
  assert.equal(done.status, 'SUCCESS');

  // The live subscriber: either it saw everything, or it resubscribes from its last seq with no gap.
  let seqs = sub.items.map((i) => i.executionLog.seq);
  const outcome = await Promise.race([sub.done.then(() => 'complete', (e: Error) => `error: ${e.message}`), new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
  seqs = sub.items.map((i) => i.executionLog.seq);
  console.log(`live subscriber: ${outcome}, ${seqs.length} entries`);
  if (seqs.length < done.lastSeq) {
    const again = subscribe<Entry>(ws, SUB, { id, after: seqs.at(-1) ?? 0 });
    seqs = seqs.concat((await again.done).map((i) => i.executionLog.seq));
  }
  assert.deepEqual(seqs, Array.from({ length: done.lastSeq }, (_, i) => i + 1), 'subscriber: no gap, no duplicate');
  // An explicit resubscription from a seq in the middle gets exactly the rest.
  const mid = Math.floor(done.lastSeq / 2);
  const rest = (await subscribe<Entry>(ws, SUB, { id, after: mid }).done).map((i) => i.executionLog.seq);
  assert.deepEqual(rest, Array.from({ length: done.lastSeq - mid }, (_, i) => mid + 1 + i));
  await ws.dispose();

  // Nothing stays IN_PROGRESS, and the app still works end to end.
  const [open] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE status = 'IN_PROGRESS'`;
  assert.equal(open!.n, 0);
  const id2 = Number((await g.ok(`mutation { executeNow(jobs: [{jobId: "test.ticker", domain: "global"}]) { execution { id } } }`)).executeNow[0].execution.id);
  await waitFor('a new run to start logging', async () => {
    const [e] = await app.deps.sql<{ lastSeq: number }[]>`SELECT last_seq AS "lastSeq" FROM executions WHERE id = ${id2}`;
    return e!.lastSeq > 0;
  }, 20_000);
  await g.ok(`mutation($id: ID!) { cancelExecution(id: $id) { id } }`, { id: id2 });
  await waitFor('cancel', async () => (await app.deps.sql<{ status: string }[]>`SELECT status FROM executions WHERE id = ${id2}`)[0]!.status === 'CANCELLED', 20_000);

  const text = logs.join('\n');
  const dbPassword = decodeURIComponent(new URL(pg.url).password);
  assert.ok(!text.includes(dbPassword), 'the DATABASE_URL password reached the log');
  assert.ok(!text.includes(ADMIN.password), 'the admin password reached the log');
  console.log(`app log during the outages (${logs.length} lines): ${[...new Set(logs.map((l) => l.replace(/\d+/g, 'N')))].slice(0, 8).join(' | ')}`);
});
