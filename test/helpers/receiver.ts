/**
 * A real HTTP receiver for webhooks (node:http on 127.0.0.1): it records every request and answers
 * what `respond` says (a status, optionally after a delay). Tests await requests as events.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { path: string; headers: http.IncomingHttpHeaders; body: string; at: number };
type Answer = { status: number; body?: string; delayMs?: number; headers?: Record<string, string> };

export class Receiver {
  readonly received: Received[] = [];
  /** Decides the answer to the n-th request (1-based) of a path; default 200. */
  respond: (r: Received, n: number) => Answer = () => ({ status: 200 });
  private waiters: { pred: (r: Received[]) => boolean; resolve: () => void }[] = [];
  private readonly counts = new Map<string, number>();
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const n = (this.counts.get(r.path) ?? 0) + 1;
      this.counts.set(r.path, n);
      const a = this.respond(r, n);
      const send = () => {
        res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers }).end(a.body ?? '');
        this.received.push(r);
        this.waiters = this.waiters.filter((w) => (w.pred(this.received) ? (w.resolve(), false) : true));
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  url = '';

  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests to one path. */
  at(path: string) {
    return this.received.filter((r) => r.path === path);
  }

  /** Resolves once `pred` holds for what was received (checked now and after each request). */
  wait(what: string, pred: (r: Received[]) => boolean, timeoutMs = 20_000): Promise<void> {
    if (pred(this.received)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.received.length} requests`)), timeoutMs);
      this.waiters.push({ pred, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A Standard Webhooks secret: whsec_ + base64 of 32 random bytes. */
export function newSecret() {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;
}
