/**
 * Hostile webhook receivers, real ones (node:http) against a real Jobdeck: one that answers after
 * 30 s (the sender waits 10 s per attempt), one that redirects to another host, one that answers a
 * 50 MB body. A fourth, healthy channel gets its events promptly while they hang; the slow one is
 * hung up on after 10 s and retried, the redirect is given up without following it, the 50 MB body
 * is not read (the connection closes after a few KB) and memory stays bounded. The slow receiver
 * gets more deliveries than the sender has slots: a channel holds at most a quarter of them.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, type TestApp } from '../helpers/app';
import { newSecret, Receiver } from '../helpers/receiver';
import { waitFor } from '../helpers/worker';

const failing = defineJob({ id: 'test.hostile-breaks', description: 'Always fails', kind: 'PER_DOMAIN', async run() { throw new Error('broken'); } });

const SLOW_MS = 30_000;
const BIG_BYTES = 50 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');
const secret = newSecret();

type Event = { kind: 'slow-arrived' | 'slow-hung-up' | 'big-closed' | 'redirected'; at: number; bytes?: number; complete?: boolean };

/** The three hostile receivers on one server; every request's fate is an event tests can await. */
class Hostile {
  readonly events: Event[] = [];
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  private timers = new Set<NodeJS.Timeout>();
  url = '';
  constructor(private readonly redirectTo: () => string) {}
  private server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/slow') {
        const arrived = Date.now();
        this.push({ kind: 'slow-arrived', at: arrived });
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (!res.destroyed) res.writeHead(200).end('finally');
        }, SLOW_MS);
        this.timers.add(t);
        res.on('close', () => {
          if (!res.writableFinished) this.push({ kind: 'slow-hung-up', at: Date.now() - arrived });
        });
      } else if (req.url === '/redirect') {
        this.push({ kind: 'redirected', at: Date.now() });
        res.writeHead(307, { location: this.redirectTo() }).end();
      } else if (req.url === '/big') {
        // 50 MB streamed from one 64 KB chunk, as fast as the client takes it: whatever the client
        // reads or buffers is what it costs; the receiver itself holds 64 KB.
        res.writeHead(500, { 'content-type': 'text/plain', 'content-length': String(BIG_BYTES) });
        let sent = 0;
        let closed = false;
        res.on('close', () => {
          closed = true;
          this.push({ kind: 'big-closed', at: Date.now(), bytes: sent, complete: res.writableFinished });
        });
        const pump = () => {
          while (!closed && sent < BIG_BYTES) {
            sent += CHUNK.length;
            if (!res.write(CHUNK)) return void res.once('drain', pump);
          }
          if (!closed) res.end();
        };
        pump();
      } else res.writeHead(404).end();
    });
  });
  private push(e: Event) {
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => (w.pred() ? (w.resolve(), false) : true));
  }
  of(kind: Event['kind']) {
    return this.events.filter((e) => e.kind === kind);
  }
  wait(what: string, pred: () => boolean, timeoutMs = 20_000) {
    if (pred()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; events ${JSON.stringify(this.events.map((e) => e.kind))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: () => (clearTimeout(t), resolve()) });
    });
  }
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  async stop() {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let app: TestApp;
let admin: Gql;
let healthy: Receiver;
let trap: Receiver;
let hostile: Hostile;
/** 3 rows fail first, then 20 more: more slow deliveries than the sender has slots (16). */
const DOMAINS = Array.from({ length: 23 }, (_, i) => `h${String(i + 1).padStart(2, '0')}.example`);
const N = DOMAINS.length;
const DELIVERIES = 'query { channels { name deliveries(first: 50) { status attempts lastError alert { domain } } } }';
type Delivery = { status: string; attempts: number; lastError: string | null; alert: { domain: string } };
const deliveriesOf = async (name: string) => ((await admin.ok(DELIVERIES)).channels as { name: string; deliveries: Delivery[] }[]).find((c) => c.name === name)!.deliveries;

/** Fails the row of each domain (one executeNow); the executions' ids by domain. */
async function fail(domains: string[]) {
  const r = (await admin.ok('mutation($j: [JobRef!]!) { executeNow(jobs: $j) { execution { id } } }', { j: domains.map((domain) => ({ jobId: failing.id, domain })) })).executeNow as { execution: { id: string } }[];
  return r.map((x) => x.execution.id);
}
/** When an execution ended, on the database clock (this machine's). */
async function endedAt(ids: string[]) {
  await waitFor('the failures to end', async () => (await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE id = ANY(${ids}::bigint[]) AND ended_at IS NOT NULL`)[0]!.n === ids.length);
  const rows = await app.deps.sql<{ domain: string; at: Date }[]>`SELECT domain, ended_at AS at FROM executions WHERE id = ANY(${ids}::bigint[])`;
  return new Map(rows.map((r) => [r.domain, r.at.getTime()]));
}

before(async () => {
  healthy = await new Receiver().start();
  trap = await new Receiver().start();
  // Another host: the trap's port under a different name than the one the channel was given.
  hostile = await new Hostile(() => `http://localhost:${new URL(trap.url).port}/stolen`).start();
  app = await startTestApp({}, { extraJobs: [failing] });
  admin = await new Gql(app.url).login();
  for (const d of DOMAINS) await admin.ok('mutation($d: String!) { createDomain(name: $d) { name } }', { d });
  for (const [name, target] of [
    ['slow', `${hostile.url}/slow`],
    ['redirect', `${hostile.url}/redirect`],
    ['big', `${hostile.url}/big`],
    ['healthy', `${healthy.url}/ok`],
  ])
    await admin.ok('mutation($i: ChannelInput!) { createChannel(input: $i) { id } }', { i: { name, kind: 'WEBHOOK', target, secret, events: ['FAILED'] } });
});
after(async () => {
  // The hostile receivers go first: the sender's attempts still hanging on them end at once.
  await hostile?.stop();
  await app?.stop();
  await healthy?.stop();
  await trap?.stop();
});

test('a slow, a redirecting and a 50 MB receiver block no other delivery, are bounded in time and memory, and are retried or given up as they deserve', async () => {
  // Memory of this process (it runs the sender) sampled while the hostile receivers are served.
  global.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 10);
  try {
    // First wave: every channel gets 3 events; the slow receiver holds its 3 requests.
    const first = DOMAINS.slice(0, 3);
    const firstEnded = await endedAt(await fail(first));
    await hostile.wait('the slow receiver to hold 3 requests', () => hostile.of('slow-arrived').length >= 3);
    await hostile.wait('3 redirects answered', () => hostile.of('redirected').length >= 3);
    await hostile.wait('3 big answers closed', () => hostile.of('big-closed').length >= 3);
    await healthy.wait('the first wave', (r) => r.length >= 3);

    // Second wave while the slow receiver still hangs, with more slow deliveries than the sender
    // has slots: the healthy channel hears of each at once all the same.
    const second = DOMAINS.slice(3);
    const t0 = Date.now();
    const secondEnded = await endedAt(await fail(second));
    await healthy.wait('the second wave', (r) => r.length >= N, 5000);
    assert.equal(hostile.of('slow-hung-up').length, 0, 'the slow receiver was still holding its requests');
    assert.ok(Date.now() - t0 < 9000, 'all within the sender timeout of the slow ones');
    const wh = new Webhook(secret);
    for (const r of healthy.received) {
      const { data } = wh.verify(r.body, r.headers as Record<string, string>) as { data: { domain: string } };
      const ended = (firstEnded.get(data.domain) ?? secondEnded.get(data.domain))!;
      // Well under the 10 s a hung receiver holds a slot: blocked, an event would wait for that time-out.
      assert.ok(r.at - ended < 5000, `${data.domain}: received ${r.at - ended} ms after its execution ended`);
    }
    assert.deepEqual(healthy.received.map((r) => (JSON.parse(r.body) as { data: { domain: string } }).data.domain).sort(), DOMAINS);

    // The redirect: never followed (nothing reached the other host), given up at once.
    assert.equal(trap.received.length, 0, 'the redirect target was never called');
    const redirected = await waitFor('every redirect delivery given up', async () => {
      const ds = await deliveriesOf('redirect');
      return ds.length === N && ds.every((d) => d.status === 'FAILED') && ds;
    });
    for (const d of redirected) {
      assert.equal(d.attempts, 1);
      assert.match(d.lastError!, /^HTTP 307 \(redirects are not followed/);
    }

    // The 50 MB body: the sender hung up after a few KB (what sat in socket buffers), every time.
    await hostile.wait('every big answer closed', () => hostile.of('big-closed').length >= N);
    for (const e of hostile.of('big-closed')) {
      assert.equal(e.complete, false, 'the 50 MB answer was never read to its end');
      assert.ok(e.bytes! < 16 * 1024 * 1024, `${e.bytes} bytes were written before the sender hung up`);
    }
    const big = await waitFor('every big delivery failed once, to be retried', async () => {
      const ds = await deliveriesOf('big');
      return ds.length === N && ds.every((d) => d.attempts >= 1 && d.lastError) && ds;
    });
    for (const d of big) {
      assert.equal(d.status, 'PENDING', 'a 500 is retried');
      assert.match(d.lastError!, /^HTTP 500: x+$/);
      assert.ok(d.lastError!.length <= 500);
    }

    // The slow one: hung up on after the 10 s limit, its deliveries kept for a retry.
    await hostile.wait('the sender to hang up on the slow receiver', () => hostile.of('slow-hung-up').length >= 3, 20_000);
    for (const e of hostile.of('slow-hung-up').slice(0, 3)) assert.ok(e.at >= 9500 && e.at < 13_000, `hung up after ${e.at} ms`);
    const slow = await waitFor('the slow deliveries to record their timeout', async () => {
      const ds = await deliveriesOf('slow');
      return ds.length === N && ds.filter((d) => d.lastError).length >= 3 && ds;
    });
    for (const d of slow.filter((x) => x.lastError)) {
      assert.equal(d.status, 'PENDING');
      assert.equal(d.lastError, 'POST failed: no answer within 10 s');
    }
    // Healthy deliveries were each sent once.
    assert.equal(new Set(healthy.received.map((r) => r.headers['webhook-id'])).size, N);
    assert.equal(healthy.received.length, N);
  } finally {
    clearInterval(sampler);
  }
  const grewRss = (peakRss - base.rss) / 2 ** 20;
  const grewHeap = (peakHeap - base.heapUsed) / 2 ** 20;
  console.log(`memory while serving ${hostile.of('big-closed').length} × 50 MB answers: RSS +${grewRss.toFixed(1)} MB, heap +${grewHeap.toFixed(1)} MB`);
  assert.ok(grewRss < 60, `RSS grew by ${grewRss.toFixed(1)} MB`);
  assert.ok(grewHeap < 40, `heap grew by ${grewHeap.toFixed(1)} MB`);
});
