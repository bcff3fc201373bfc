/**
 * What a shared log chunk costs the flood's fan-out budget (services/fanout-budget.ts, lib/web.ts).
 * Its JSON is written once for every viewer, so each send after the first took this process a
 * fraction of a millisecond; charged only that, a 400 ms flood sent a hundred viewers several chunks
 * each, and they parsed them on the job's cores (issue #19: 1.23–1.75 × unwatched on a fast
 * machine). Each send is now charged at least what writing its JSON took.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sharedJsonStats } from '../../graphql/shared-events';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';

let app: TestApp;
let admin: Gql;
let go: () => void = () => {};
const LINES = 6000;
const job = defineJob({
  id: 'test.wideFlood',
  description: 'Waits for the test, then logs long numbered lines in bursts',
  kind: 'GLOBAL',
  async run(ctx) {
    await new Promise<void>((r) => (go = r));
    for (let i = 1; i <= LINES; i++) {
      ctx.log.info(`line ${i} ${'x'.repeat(200)}`);
      if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
  },
});

before(async () => {
  app = await startTestApp({}, { extraJobs: [job] });
  admin = await new Gql(app.url).login();
});
after(() => app.stop());

test('ten viewers of one log: each send of a shared chunk is charged at least what writing its JSON took', async () => {
  const { executeNow } = await admin.ok(`mutation { executeNow(jobs: [{ jobId: "test.wideFlood", domain: "global" }]) { execution { id } } }`);
  const id = executeNow[0].execution.id;
  const client = admin.ws();
  const viewers = Array.from({ length: 10 }, () =>
    subscribe<{ executionLogBatch: { entries: { seq: number }[] } }>(client, `subscription($id: ID!) { executionLogBatch(executionId: $id) { entries { seq message } } }`, { id }),
  );
  for (let i = 0; i < 400 && app.hub!.subscriberCount < 10; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(app.hub!.subscriberCount, 10);
  const budget = app.hub!.budget;
  const spent = budget.spent.bind(budget);
  const charges: number[] = [];
  budget.spent = (ms: number) => (charges.push(ms), spent(ms));
  const json0 = { ...sharedJsonStats };
  try {
    go();
    const got = await Promise.all(viewers.map((v) => v.done));
    for (const g of got) assert.deepEqual(g.flatMap((x) => x.executionLogBatch.entries.map((e) => e.seq)), Array.from({ length: LINES }, (_, i) => i + 1));
  } finally {
    budget.spent = spent;
    await client.dispose();
  }
  const written = sharedJsonStats.written - json0.written;
  const sent = sharedJsonStats.sent - json0.sent;
  const madeMs = sharedJsonStats.madeMs - json0.madeMs;
  const sentMadeMs = sharedJsonStats.sentMadeMs - json0.sentMadeMs;
  const charged = charges.reduce((a, b) => a + b, 0);
  console.log(`${written} chunks written as JSON in ${madeMs.toFixed(1)} ms, sent ${sent} times; charged ${charged.toFixed(1)} ms over ${charges.length} sends`);
  // The viewers shared their chunks: most were written once for all ten.
  assert.ok(sent >= 8 * written, `${sent} sends of ${written} chunks`);
  assert.equal(charges.length, sent);
  // Each send is charged at least its chunk's writing time: ten sends of a chunk cost ten writes.
  assert.ok(charged >= sentMadeMs, `charged ${charged} ms, the sends' chunks took ${sentMadeMs} ms to write`);
  assert.ok(charged >= 8 * madeMs, `charged ${charged} ms for chunks written in ${madeMs} ms`);
});
