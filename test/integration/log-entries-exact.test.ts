/**
 * A batch of log entries travels to PostgreSQL as texts it splits (messages joined by newlines,
 * times by commas, a level once when all agree; db/queries/logs.ts): every entry must come back
 * exactly as written, whatever its text holds — newlines (sent another way), commas, backslashes,
 * quotes, empty messages, a batch of one empty message, any Unicode — and with its own level and
 * time. A property over random batches, against a real PostgreSQL, written as the runner writes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { LogLevel } from '../../db/queries/logs';
import { LogWriter } from '../../jobs/log-writer';
import { startTestApp, type TestApp } from '../helpers/app';
import { heldRun } from '../helpers/held-run';

const OWNER = 'test-owner@exact';
let app: TestApp;

before(async () => {
  app = await startTestApp();
});
after(() => app?.stop());

type Entry = { level: LogLevel; message: string };
const LEVELS: LogLevel[] = ['INFO', 'WARNING', 'ERROR', 'PROGRESS'];
const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('', '\n', ',', '\\', '\\n', '"', "'", '{', '}', '\r\n', 'E\'\\n\'', ' ', '\t', '日本', '🙂'),
);
const message = fc.array(piece, { maxLength: 4 }).map((ps) => ps.join(''));
const entry = fc.record({ level: fc.constantFrom(...LEVELS), message });
/** Batches: all one level or mixed, with or without a newline anywhere, and the edge of one empty message. */
const entries = fc.oneof(
  fc.array(entry, { minLength: 1, maxLength: 40 }),
  fc.array(message.map((m) => m.replaceAll('\n', ' ')), { minLength: 1, maxLength: 40 }).map((ms) => ms.map((m) => ({ level: 'INFO' as LogLevel, message: m }))),
  fc.constant([{ level: 'INFO' as LogLevel, message: '' }]),
  fc.constant([{ level: 'WARNING' as LogLevel, message: '' }, { level: 'WARNING' as LogLevel, message: '' }]),
);

async function roundTrip(batch: readonly Entry[]) {
  const id = await heldRun(app.deps.sql, OWNER);
  const w = new LogWriter(app.deps.sql, id, 0, { maxLines: 100_000, maxLineChars: 10_000, owner: OWNER });
  const t0 = Date.now();
  for (const e of batch) w.write(e.level, e.message);
  await w.flush();
  const t1 = Date.now();
  assert.equal(w.lastError, undefined);
  const rows = await app.deps.sql<{ seq: number; level: LogLevel; message: string; at: Date }[]>`
    SELECT seq, level::text AS level, message, at FROM log_entries WHERE execution_id = ${id} ORDER BY seq`;
  assert.deepEqual(rows.map((r) => ({ level: r.level, message: r.message })), batch.map((e) => ({ level: e.level, message: e.message })));
  assert.deepEqual(rows.map((r) => r.seq), batch.map((_, i) => i + 1));
  for (const r of rows) assert.ok(r.at.getTime() >= t0 && r.at.getTime() <= t1, `seq ${r.seq} at ${r.at.toISOString()}`);
}

test('every entry comes back exactly as written: text, level, order and time (property over random batches)', async () => {
  await fc.assert(fc.asyncProperty(entries, roundTrip), { numRuns: 150 });
});

test('the edges, each once: one empty message, newlines, a flood of one level beside mixed levels', async () => {
  await roundTrip([{ level: 'INFO', message: '' }]);
  await roundTrip([{ level: 'ERROR', message: 'a\nb' }, { level: 'ERROR', message: '' }, { level: 'ERROR', message: '\n' }]);
  await roundTrip(Array.from({ length: 12_001 }, (_, i) => ({ level: 'INFO' as LogLevel, message: i % 1000 === 0 ? '' : `line ${i},\\ "${i}"` })));
  await roundTrip(Array.from({ length: 12_001 }, (_, i) => ({ level: LEVELS[i % 4]!, message: `line ${i}` })));
});
