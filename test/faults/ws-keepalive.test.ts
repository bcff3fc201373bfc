/**
 * The WebSocket keep-alive (lib/ws-keepalive.ts) ends a socket that neither answers pings nor takes
 * what is sent to it, and keeps one that is still reading: a viewer of a fast log can have its pong
 * queued behind seconds of lines (graphql-ws's own rule ended such viewers while they read).
 * Clients here never answer pings (ws's autoPong off), which is what a pong stuck behind a long
 * queue looks like to the server; the interval is shortened to 300 ms.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, type TestApp } from '../helpers/app';

const INTERVAL_MS = 300;
const steady = defineJob({
  id: 'test.steady',
  description: 'a line every 5 ms for 2.5 s',
  kind: 'GLOBAL',
  async run(ctx) {
    for (let n = 1; n <= 500; n++) {
      ctx.log.info(`line ${n} ${'x'.repeat(200)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  },
});

let app: TestApp;
let g: Gql;
before(async () => {
  app = await startTestApp({}, { extraJobs: [steady], wsKeepAliveMs: INTERVAL_MS });
  g = await new Gql(app.url).login();
});
after(async () => {
  await app?.stop();
});

/** A graphql-transport-ws client that never answers a ping. */
async function deafSocket() {
  const ws = new WebSocket(app.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', { headers: { cookie: g.cookie! }, autoPong: false });
  const messages: any[] = [];
  const pings: number[] = [];
  const waiting = new Map<string, () => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    messages.push(m);
    waiting.get(m.type)?.();
  });
  /** The next message of this type (asked before it can arrive). */
  const next = (type: string) => new Promise<void>((resolve) => waiting.set(type, resolve));
  ws.on('ping', () => pings.push(Date.now()));
  const closed = once(ws, 'close').then(([code]) => ({ code: code as number, at: Date.now() }));
  await once(ws, 'open');
  const acked = next('connection_ack');
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await acked;
  return { ws, messages, pings, closed, next };
}

test('a socket that answers no ping and takes nothing is ended', { timeout: 30_000 }, async () => {
  const idle = await deafSocket();
  const t0 = Date.now();
  const { code, at } = await idle.closed;
  assert.equal(code, 1006, 'ended without a close frame (terminated)');
  assert.ok(idle.pings.length >= 1, 'it was pinged first');
  // One interval to the first ping, one more to find it unanswered (with room for a busy machine).
  assert.ok(at - t0 < 20 * INTERVAL_MS, `ended after ${at - t0} ms`);
});

test('a socket that answers no ping but reads a live log is kept to the end of the log', { timeout: 60_000 }, async () => {
  const id = (await g.ok(`mutation { executeNow(jobs: [{jobId: "test.steady", domain: "global"}]) { execution { id } } }`)).executeNow[0].execution.id;
  const viewer = await deafSocket();
  const completed = viewer.next('complete');
  viewer.ws.send(JSON.stringify({ id: 'l', type: 'subscribe', payload: { query: 'subscription($id: ID!) { executionLog(executionId: $id, afterSeq: 0) { seq message } }', variables: { id } } }));
  const end = await Promise.race([completed.then(() => 'complete' as const), viewer.closed.then((c) => `closed ${c.code}` as const)]);
  assert.equal(end, 'complete', 'the subscription ran to its end; the socket was not ended');
  const seqs = viewer.messages.filter((m) => m.type === 'next').map((m) => m.payload.data.executionLog.seq);
  const [e] = await app.deps.sql<{ lastSeq: number }[]>`SELECT last_seq AS "lastSeq" FROM executions WHERE id = ${id}`;
  assert.deepEqual(seqs, Array.from({ length: e!.lastSeq }, (_, i) => i + 1), 'every line, in order');
  // It was pinged all along (2.5 s of log at a 300 ms interval) and never answered.
  assert.ok(viewer.pings.length >= 4, `pinged ${viewer.pings.length} times`);
  viewer.ws.terminate();
});
