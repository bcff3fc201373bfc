/**
 * A run's last log lines and its end in one statement (LogWriter.flushAndEnd with appendAndEnd):
 * the ending statement carries the last batch; a run that must end in a transaction (a report to
 * queue) gets its lines written and stays in progress for it; a refused ending statement falls back
 * to the usual write; a run no longer held refuses both; a flood writes its earlier batches as
 * before and only the last one with the end. Real PostgreSQL, the writer as the runner uses it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { appendAndEnd, type LogBatch, type LogDelta } from '../../db/queries/logs';
import { LogWriter } from '../../jobs/log-writer';
import { startTestApp, type TestApp } from '../helpers/app';
import { heldRun as heldRunOf } from '../helpers/held-run';

const OWNER = 'test-owner@end';
let app: TestApp;

before(async () => {
  app = await startTestApp();
});
after(() => app?.stop());

const heldRun = (opts: { reportSend?: boolean } = {}) => heldRunOf(app.deps.sql, OWNER, opts);

/** A writer of the run, as the runner uses it, holding `lines` lines ("line 1" …) and closed. */
function closedWriter(id: number, lines: number, owner = OWNER) {
  const w = new LogWriter(app.deps.sql, id, 0, { maxLines: 100_000, maxLineChars: 1000, owner });
  for (let i = 1; i <= lines; i++) w.write('INFO', `line ${i}`);
  w.close();
  return w;
}

async function stored(id: number) {
  const [r] = await app.deps.sql<{ n: number; ordered: boolean; status: string; lastSeq: number }[]>`
    SELECT count(l.*)::int AS n, coalesce(bool_and(l.message = 'line ' || l.seq), true) AS ordered,
      (SELECT status::text FROM executions WHERE id = ${id}) AS status, (SELECT last_seq FROM executions WHERE id = ${id}) AS "lastSeq"
    FROM log_entries l WHERE l.execution_id = ${id}`;
  return r!;
}

/** appendAndEnd, recording the batch it was given. */
function ending(id: number, seen: LogBatch[], status: 'SUCCESS' | 'FAILURE' = 'SUCCESS') {
  return (batch: LogBatch, delta: LogDelta) => {
    seen.push(batch);
    return appendAndEnd(app.deps.sql, id, OWNER, batch, delta, status, null);
  };
}

test('the last lines go with the statement that ends the run', async () => {
  const id = await heldRun();
  const w = closedWriter(id, 3);
  const seen: LogBatch[] = [];
  assert.equal(await w.flushAndEnd(ending(id, seen)), true);
  assert.deepEqual(seen.map((b) => b.seqs), [[1, 2, 3]]);
  assert.deepEqual(await stored(id), { n: 3, ordered: true, status: 'SUCCESS', lastSeq: 3 });
});

test('a run with a report to queue: its lines are written, and it stays in progress for its transaction', async () => {
  const id = await heldRun({ reportSend: true });
  const w = closedWriter(id, 2);
  assert.equal(await w.flushAndEnd(ending(id, [])), false);
  assert.deepEqual(await stored(id), { n: 2, ordered: true, status: 'IN_PROGRESS', lastSeq: 2 });
});

test('a failure is never ended quietly (alerts and retries decide in a transaction)', async () => {
  const id = await heldRun();
  const w = closedWriter(id, 1);
  assert.equal(await w.flushAndEnd(ending(id, [], 'FAILURE')), false);
  assert.deepEqual(await stored(id), { n: 1, ordered: true, status: 'IN_PROGRESS', lastSeq: 1 });
});

test('a refused ending statement falls back to the usual write', async () => {
  const id = await heldRun();
  const w = closedWriter(id, 4);
  const refused = async () => {
    await app.deps.sql`SELECT 1 / 0`;
    return { owned: true, ended: true };
  };
  assert.equal(await w.flushAndEnd(refused), false);
  assert.deepEqual(await stored(id), { n: 4, ordered: true, status: 'IN_PROGRESS', lastSeq: 4 });
});

test('a run this worker no longer holds takes neither its lines nor its end', async () => {
  const id = await heldRun();
  const w = closedWriter(id, 1, 'another-owner');
  await assert.rejects(() => w.flushAndEnd((batch, delta) => appendAndEnd(app.deps.sql, id, 'another-owner', batch, delta, 'SUCCESS', null)));
  assert.deepEqual(await stored(id), { n: 0, ordered: true, status: 'IN_PROGRESS', lastSeq: 0 });
});

test('a flood: earlier batches as before, the last one with the end, every line once and in order', async () => {
  const id = await heldRun();
  const w = closedWriter(id, 12_345);
  const seen: LogBatch[] = [];
  assert.equal(await w.flushAndEnd(ending(id, seen)), true);
  assert.equal(seen.length, 1);
  assert.ok(seen[0]!.seqs.length <= 10_000 && seen[0]!.seqs.at(-1) === 12_345, `last batch ${seen[0]!.seqs.length} entries`);
  assert.deepEqual(await stored(id), { n: 12_345, ordered: true, status: 'SUCCESS', lastSeq: 12_345 });
});

test('a flood with live viewers: each batch goes to PostgreSQL before the viewers get the one before it', async () => {
  const id = await heldRun();
  const events: string[] = [];
  // The writer's own connection, telling when each statement leaves for PostgreSQL.
  const sql = postgres(app.databaseUrl, { max: 1, onnotice: () => {}, debug: (_c, q) => /INSERT INTO log_entries/.test(q) && events.push('batch') });
  try {
    const live = {
      wants: () => true,
      expect: (_id: number, seq: number) => events.push(`expect ${seq}`),
      offer: (_id: number, rows: readonly { seq: number }[]) => events.push(`offer ${rows[0]!.seq}-${rows.at(-1)!.seq}`),
      abandon: (_id: number) => events.push('abandon'),
      flooding: (_id: number, on: boolean) => events.push(on ? 'flood' : 'calm'),
    };
    const w = new LogWriter(sql as unknown as typeof app.deps.sql, id, 0, { maxLines: 100_000, maxLineChars: 1000, owner: OWNER, live });
    for (let i = 1; i <= 25_000; i++) w.write('INFO', `line ${i}`);
    await w.flush();
    // Three batches (10,000 + 10,000 + 5,000): each is announced to the viewers before it is sent
    // (the NOTIFY of its commit can come in before the writer's answer: it needs no read); batch
    // k+1 is sent before batch k is offered; the last one, with nothing after it, is offered at
    // once; every entry is offered once, in order. The 5,000th entry waiting tells the viewers'
    // side that a flood is on (their fan-out keeps to a budget); the writer with everything
    // written, that it is over.
    assert.deepEqual(events, [
      'flood', 'expect 10000', 'batch', 'expect 20000', 'batch', 'offer 1-10000', 'expect 25000', 'batch', 'offer 10001-20000', 'offer 20001-25000', 'calm',
    ]);
    assert.deepEqual(await stored(id), { n: 25_000, ordered: true, status: 'IN_PROGRESS', lastSeq: 25_000 });
  } finally {
    await sql.end();
  }
});
