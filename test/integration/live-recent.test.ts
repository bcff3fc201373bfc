/**
 * A log subscriber that comes back (cut off for falling behind, it resubscribes from its last seq)
 * catches up from the entries the hub keeps in memory, not from the database, whose reads would
 * compete with the job's own writes (issue #19, a job watched by ten viewers). Proven by deleting
 * the stored entries by hand before it comes back: it still gets every one, in order. A subscriber
 * from further back reads the database up to where memory begins, then memory.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findExecution } from '../../db/queries/executions';
import { LogWriter } from '../../jobs/log-writer';
import { RECENT_ENTRIES } from '../../services/live';
import type { LogChunk } from '../../services/log-chunks';
import type { Channel } from '../../lib/channel';
import { startTestApp, type TestApp } from '../helpers/app';
import { heldRun } from '../helpers/held-run';

const OWNER = 'test-owner@recent';
const N = RECENT_ENTRIES + 10_000; // past RECENT_ENTRIES: the first entries are only in the database
let app: TestApp;

before(async () => {
  app = await startTestApp();
});
after(() => app?.stop());

/** Every seq a subscription delivers, until it ends. */
async function drain(ch: Channel<LogChunk>) {
  const seqs: number[] = [];
  for (;;) {
    const r = await ch.next();
    if (r.done) return seqs;
    for (const e of r.value) seqs.push(e.seq);
  }
}
const upTo = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('a returning subscriber catches up from memory; one from further back reads the database, then memory', { timeout: 30_000 }, async () => {
  assert.ok(N > RECENT_ENTRIES);
  const sql = app.deps.sql;
  const hub = app.hub!;
  const id = await heldRun(sql, OWNER);

  // A viewer from the start keeps the execution's state (and what it keeps) alive.
  const first = drain(hub.subscribeLogBatches((await findExecution(sql, id))!, 0));
  const w = new LogWriter(sql, id, 0, { maxLines: 1_000_000, maxLineChars: 1000, owner: OWNER, live: hub });
  for (let i = 1; i <= N; i++) w.write('INFO', `line ${i}`);
  await w.flush();

  // Entries after 30,000 are gone from the database: only memory can give them back.
  await sql`DELETE FROM log_entries WHERE execution_id = ${id} AND seq > 30000`;
  const exec = (await findExecution(sql, id))!;
  const back = hub.subscribeLogBatches(exec, 25_000);
  const further = hub.subscribeLogBatches(exec, 0);
  // The run ends: every subscription ends once it has everything.
  await sql`UPDATE executions SET status = 'SUCCESS', ended_at = now() WHERE id = ${id}`;
  await sql`SELECT pg_notify('jobdeck_exec', ${String(id)})`;

  assert.deepEqual(await drain(back), upTo(25_001, N));
  const furtherSeqs = await drain(further);
  assert.deepEqual(furtherSeqs, upTo(1, N), `from the database up to ${furtherSeqs.findIndex((s, i) => s !== i + 1)}`);
  assert.deepEqual(await first, upTo(1, N));
});
