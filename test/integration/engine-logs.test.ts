import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';
import { waitFor } from '../helpers/worker';

const N = 50_000;
const flood = defineJob({ id: 'test.flood', description: 'Logs 50,000 numbered lines', kind: 'GLOBAL', async run(ctx) {
  for (let i = 1; i <= N; i++) {
    ctx.log.info(`line ${i}`);
    // In slices, so that a subscriber can join while the run is still logging.
    if (i % 500 === 0) await new Promise((r) => setTimeout(r, 15));
  }
} });

let app: TestApp;
let g: Gql;
before(async () => {
  app = await startTestApp({ LOG_MAX_LINES: '100000' }, { extraJobs: [flood] });
  g = await new Gql(app.url).login();
});
after(async () => {
  await app?.stop();
});

test('50,000 lines reach a subscriber that joins midway: every seq once, in order, then completion', async () => {
  const r = (await g.ok(`mutation { executeNow(jobs: [{jobId: "test.flood", domain: "global"}]) { execution { id } } }`)).executeNow[0];
  const id = r.execution.id;
  const joinedAt = await waitFor('some lines stored', async () => {
    const [e] = await app.deps.sql<{ lastSeq: number; status: string }[]>`SELECT last_seq AS "lastSeq", status FROM executions WHERE id = ${id}`;
    return e!.lastSeq >= 5000 ? e : undefined;
  }, 60_000, 20);
  assert.equal(joinedAt.status, 'IN_PROGRESS', 'the subscriber must join while the run is logging');
  const ws = g.ws();
  const seen: number[] = [];
  const sub = subscribe<{ executionLog: { seq: number; message: string } }>(ws, `subscription($id: ID!) { executionLog(executionId: $id, afterSeq: 0) { seq message } }`, { id });
  const items = await sub.done;
  for (const it of items) seen.push(it.executionLog.seq);
  await ws.dispose();
  const [e] = await app.deps.sql<{ lastSeq: number; status: string }[]>`SELECT last_seq AS "lastSeq", status FROM executions WHERE id = ${id}`;
  assert.equal(e!.status, 'SUCCESS');
  assert.equal(seen.length, e!.lastSeq, `received ${seen.length} of ${e!.lastSeq}`);
  for (let i = 0; i < seen.length; i++) if (seen[i] !== i + 1) assert.fail(`at index ${i}: seq ${seen[i]} (expected ${i + 1})`);
  assert.equal(items[N - 1]!.executionLog.message, `line ${N}`);
  console.log(`joined at seq ${joinedAt.lastSeq}; received ${seen.length} entries in order`);
});
