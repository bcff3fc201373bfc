import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { sharedJsonStats } from '../../graphql/shared-events';
import { Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';

let app: TestApp;
let admin: Gql;
let release: () => void = () => {};

const gate = defineJob({
  id: 'test.gated',
  description: 'Logs, reports progress, then waits for the test to let it finish',
  kind: 'GLOBAL',
  async run(ctx) {
    ctx.log.info('started');
    ctx.progress(40);
    await new Promise<void>((r) => (release = r));
    ctx.log.warn('finishing with a warning');
  },
});

const flood = defineJob({
  id: 'test.flood',
  description: 'Logs 20,000 numbered lines as fast as it can',
  kind: 'GLOBAL',
  async run(ctx) {
    for (let i = 1; i <= 20_000; i++) {
      ctx.log.info(`line ${i}`);
      if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
  },
});

let releaseFlood: () => void = () => {};
const gatedFlood = defineJob({
  id: 'test.gatedFlood',
  description: 'Waits for the test, then logs 5,000 numbered lines in bursts',
  kind: 'GLOBAL',
  async run(ctx) {
    await new Promise<void>((r) => (releaseFlood = r));
    for (let i = 1; i <= 5000; i++) {
      ctx.log.info(`line ${i}`);
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
  },
});

before(async () => {
  app = await startTestApp({}, { extraJobs: [gate, flood, gatedFlood] });
  admin = await new Gql(app.url).login();
});
after(() => app.stop());

const EXECUTE = `mutation { executeNow(jobs: [{ jobId: "test.gated", domain: "global" }]) { execution { id } reason } }`;
const UNREAD = `{ job(jobId: "test.gated", domain: "global") { hasUnreadLogs running lastExecution { id status progress } } }`;

test('executionUpdated streams status and progress changes of a row, in order, to the end', async () => {
  const client = admin.ws();
  const seen: { status: string; progress: number | null }[] = [];
  const sub = subscribe<{ executionUpdated: { id: string; status: string; progress: number | null } }>(
    client,
    `subscription { executionUpdated(jobId: "test.gated", domain: "global") { id status progress } }`,
    {},
    (items) => items.some((i) => i.executionUpdated.status !== 'IN_PROGRESS'),
  );
  // graphql-ws subscribes lazily: wait until the socket is acknowledged before starting the run.
  await new Promise<void>((r) => client.on('connected', () => r()));
  const { executeNow } = await admin.ok(EXECUTE);
  const id = executeNow[0].execution.id;
  // The run waits for us: release it only once the progress update has been seen live.
  for (let i = 0; i < 200 && !sub.items.some((x) => x.executionUpdated.progress === 40); i++) await new Promise((r) => setTimeout(r, 25));
  release();
  const items = await sub.done;
  for (const i of items) {
    assert.equal(i.executionUpdated.id, id);
    seen.push(i.executionUpdated);
  }
  assert.equal(seen[0]!.status, 'IN_PROGRESS');
  assert.ok(seen.some((s) => s.progress === 40), JSON.stringify(seen));
  assert.equal(seen.at(-1)!.status, 'WARNING');
  await client.dispose();
});

test('hasUnreadLogs: dark after a run, read once the log is opened, dark again when a new run writes', async () => {
  let j = (await admin.ok(UNREAD)).job;
  assert.equal(j.running, false);
  assert.equal(j.hasUnreadLogs, true);
  await admin.ok(`mutation($id: ID!) { markLogsRead(executionId: $id) }`, { id: j.lastExecution.id });
  j = (await admin.ok(UNREAD)).job;
  assert.equal(j.hasUnreadLogs, false);
  // Read state is per user: another administrator still has it unread.
  await admin.ok(`mutation { createUser(email: "other@example.com", password: "another-long-password", role: SYSTEM_ADMIN, domains: []) { id } }`);
  const other = await new Gql(app.url).login('other@example.com', 'another-long-password');
  assert.equal((await other.ok(UNREAD)).job.hasUnreadLogs, true);
  const client = admin.ws();
  const { executeNow } = await admin.ok(EXECUTE);
  const log = subscribe(client, `subscription($id: ID!) { executionLog(executionId: $id) { seq message } }`, { id: executeNow[0].execution.id }, (items) => items.length >= 2);
  await log.done;
  j = (await admin.ok(UNREAD)).job;
  assert.equal(j.running, true);
  assert.equal(j.hasUnreadLogs, true);
  release();
  await client.dispose();
});

test('removing the latest execution makes the previous one the row\'s last', async () => {
  const ALL = `{ job(jobId: "test.gated", domain: "global") { lastExecution { id } executions(first: 10) { nodes { id status } } } }`;
  // The previous test left one run waiting: let it end first.
  release();
  for (let i = 0; i < 200; i++) {
    const j = (await admin.ok(ALL)).job;
    if (j.executions.nodes.every((n: { status: string }) => n.status !== 'IN_PROGRESS')) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const { job } = await admin.ok(ALL);
  const [latest, previous] = job.executions.nodes;
  assert.equal(job.lastExecution.id, latest.id);
  assert.equal(await admin.ok(`mutation($ids: [ID!]!) { deleteExecutions(ids: $ids) }`, { ids: [latest.id] }).then((d) => d.deleteExecutions), 1);
  const after = (await admin.ok(ALL)).job;
  assert.equal(after.lastExecution.id, previous.id);
  assert.equal(after.executions.nodes.length, job.executions.nodes.length - 1);
});

test('executionLogBatch delivers a fast log in bursts, every entry once and in order, then completes', async () => {
  const client = admin.ws();
  const { executeNow } = await admin.ok(`mutation { executeNow(jobs: [{ jobId: "test.flood", domain: "global" }]) { execution { id } } }`);
  const id = executeNow[0].execution.id;
  const events = await subscribe<{ executionLogBatch: { lastSeq: number; entries: { seq: number; message: string }[] } }>(
    client,
    `subscription($id: ID!) { executionLogBatch(executionId: $id) { lastSeq entries { seq message } } }`,
    { id },
  ).done;
  const seqs = events.flatMap((e) => e.executionLogBatch.entries.map((x) => x.seq));
  const [e] = await app.deps.sql<{ lastSeq: number; status: string }[]>`SELECT last_seq AS "lastSeq", status FROM executions WHERE id = ${Number(id)}`;
  assert.equal(e!.status, 'SUCCESS');
  assert.deepEqual(seqs, Array.from({ length: e!.lastSeq }, (_, i) => i + 1));
  for (const ev of events) assert.equal(ev.executionLogBatch.lastSeq, ev.executionLogBatch.entries.at(-1)!.seq);
  assert.ok(events.length < seqs.length / 10, `${events.length} events for ${seqs.length} entries: not batched`);
  await client.dispose();
});

test('subscribers of one log with different selections each get their own shape, every entry once and in order', async () => {
  const { executeNow } = await admin.ok(`mutation { executeNow(jobs: [{ jobId: "test.gatedFlood", domain: "global" }]) { execution { id } } }`);
  const id = executeNow[0].execution.id;
  const client = admin.ws();
  const full = `subscription($id: ID!) { executionLogBatch(executionId: $id) { lastSeq entries { seq message } } }`;
  type Entry = Record<string, unknown> & { seq: number };
  const a1 = subscribe<{ executionLogBatch: { entries: Entry[] } }>(client, full, { id });
  const a2 = subscribe<{ executionLogBatch: { entries: Entry[] } }>(client, full, { id });
  const onlySeq = subscribe<{ executionLogBatch: { entries: Entry[] } }>(client, `subscription($id: ID!) { executionLogBatch(executionId: $id) { entries { seq } } }`, { id });
  const aliased = subscribe<{ b: { entries: Entry[] } }>(client, `subscription($id: ID!) { b: executionLogBatch(executionId: $id) { entries { seq at level } } }`, { id });
  const withVar = subscribe<{ executionLogBatch: { entries: Entry[] } }>(
    client,
    `subscription($id: ID!, $m: Boolean!) { executionLogBatch(executionId: $id) { entries { seq message @include(if: $m) } } }`,
    { id, m: false },
  );
  const perEntry = subscribe<{ executionLog: Entry }>(client, `subscription($id: ID!) { executionLog(executionId: $id) { seq message } }`, { id });
  // Every subscriber is attached before the first line: the live entries are the shared ones.
  for (let i = 0; i < 400 && app.hub!.subscriberCount < 6; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(app.hub!.subscriberCount, 6);
  const json0 = { ...sharedJsonStats };
  releaseFlood();
  const [r1, r2, r3, r4, r5, r6] = await Promise.all([a1.done, a2.done, onlySeq.done, aliased.done, withVar.done, perEntry.done]);
  // a1 and a2 send the same selection: each of their events was written as JSON once, for both.
  const written = sharedJsonStats.written - json0.written;
  const sent = sharedJsonStats.sent - json0.sent;
  assert.ok(sent - written >= r1.length, `shared JSON: ${written} written, ${sent} sent, ${r1.length} events each for a1 and a2`);
  // Large chunks (a1 and a2's) went as three fragments, small ones (only seqs) whole: both arrive intact below.
  const fragmented = sharedJsonStats.fragmented - json0.fragmented;
  assert.ok(fragmented > 0 && fragmented < sent, `${fragmented} of ${sent} messages sent as fragments`);
  // Plain selections are built by the compiled path (the one with @include goes through graphql-js).
  assert.ok(sharedJsonStats.compiled - json0.compiled >= r1.length, `${sharedJsonStats.compiled - json0.compiled} events compiled`);
  const [e] = await app.deps.sql<{ lastSeq: number }[]>`SELECT last_seq AS "lastSeq" FROM executions WHERE id = ${Number(id)}`;
  const all = Array.from({ length: e!.lastSeq }, (_, i) => i + 1);
  const entries1 = r1.flatMap((x) => x.executionLogBatch.entries);
  assert.deepEqual(entries1.map((x) => x.seq), all);
  assert.deepEqual(r2.flatMap((x) => x.executionLogBatch.entries), entries1);
  assert.equal(entries1[0]!.message, 'line 1');
  const seqOnly = r3.flatMap((x) => x.executionLogBatch.entries);
  assert.deepEqual(seqOnly, all.map((seq) => ({ seq })));
  const b = r4.flatMap((x) => x.b.entries);
  assert.deepEqual(b.map((x) => x.seq), all);
  assert.deepEqual(Object.keys(b[1]!), ['seq', 'at', 'level']);
  assert.equal(b[1]!.level, 'INFO');
  // Live entries (handed over by the worker) and stored ones (read back) say the same instant, the same way.
  const stored: Entry[] = [];
  for (let more = true; more; ) {
    const page = await admin.ok(`query($id: ID!, $a: Int) { execution(id: $id) { logs(afterSeq: $a, first: 1000) { entries { seq at level } hasMore } } }`, { id, a: stored.at(-1)?.seq ?? 0 });
    stored.push(...page.execution.logs.entries);
    more = page.execution.logs.hasMore;
  }
  assert.deepEqual(stored, b);
  assert.match(String(b[0]!.at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.deepEqual(r5.flatMap((x) => x.executionLogBatch.entries), all.map((seq) => ({ seq })));
  assert.deepEqual(r6.map((x) => x.executionLog), entries1);
  await client.dispose();
});

test('a change made between a socket\'s connect and its executionUpdated subscription is replayed to it', async () => {
  // The console connects, reads its rows, then subscribes: a run that changed in between must not be lost.
  const client = admin.ws();
  const beat = subscribe(client, `subscription { heartbeat(seconds: 60, count: 100) }`, {});
  beat.done.catch(() => {});
  await new Promise<void>((r) => client.on('connected', () => r()));
  const { executeNow } = await admin.ok(EXECUTE);
  const id = executeNow[0].execution.id;
  // The run has reported its progress (and announced it) while this socket had no execution subscription.
  const PROGRESS = `query($id: ID!) { execution(id: $id) { progress } }`;
  for (let i = 0; i < 200 && (await admin.ok(PROGRESS, { id })).execution.progress !== 40; i++) await new Promise((r) => setTimeout(r, 25));
  const sub = subscribe<{ executionUpdated: { id: string; status: string; progress: number | null } }>(
    client,
    `subscription { executionUpdated(jobId: "test.gated", domain: "global") { id status progress } }`,
    {},
    (items) => items.some((i) => i.executionUpdated.status !== 'IN_PROGRESS'),
  );
  // Still waiting for the test: only a replay can bring its state now. (Under load the read that
  // the progress's NOTIFY started may still be on its way: the replay then gives the state read
  // before it, and that read the new one right after. Either way the subscriber ends up with it.)
  const current = () => sub.items.at(-1)?.executionUpdated;
  for (let i = 0; i < 200 && current()?.progress !== 40; i++) await new Promise((r) => setTimeout(r, 25));
  assert.deepEqual(current(), { id, status: 'IN_PROGRESS', progress: 40 });
  release();
  const items = await sub.done;
  assert.equal(items.at(-1)!.executionUpdated.status, 'WARNING');
  assert.ok(items.every((i) => i.executionUpdated.id === id));
  await client.dispose();
});
