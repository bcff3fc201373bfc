/** Small clients for the benchmark: GraphQL over HTTP (fetch) and graphql-ws subscriptions. */
import http from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export const now = () => performance.timeOrigin + performance.now();

/**
 * GraphQL over HTTP with node:http and a keep-alive agent: Node's fetch adds ~0.3 ms to every
 * request on this machine, which would count against the server in the millisecond figures.
 */
export class Http {
  cookie?: string;
  token?: string;
  private readonly agent = new http.Agent({ keepAlive: true });
  private readonly target: URL;
  constructor(readonly url: string) {
    this.target = new URL('/graphql', url);
  }

  q<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const body = JSON.stringify({ query, variables });
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname,
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(this.cookie ? { cookie: this.cookie } : {}),
            ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
        },
        (res) => {
          const sc = res.headers['set-cookie'];
          if (sc?.length) this.cookie = sc[0]!.split(';')[0];
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            try {
              const parsed = JSON.parse(text) as { data?: T; errors?: unknown[] };
              if (parsed.errors?.length) reject(new Error(`GraphQL: ${JSON.stringify(parsed.errors).slice(0, 500)}`));
              else resolve(parsed.data as T);
            } catch (e) {
              reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)} (${(e as Error).message})`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Signs in, creates an API token and uses it from then on. */
  async signIn(email: string, password: string) {
    await this.q(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { id } }`, { e: email, p: password });
    const d = await this.q<{ createApiToken: { token: string } }>(`mutation { createApiToken(name: "bench-${Date.now()}") { token } }`);
    this.token = d.createApiToken.token;
    this.cookie = undefined;
    return this;
  }

  async executeNow(jobs: { jobId: string; domain: string }[]) {
    const d = await this.q<{ executeNow: { execution: { id: string } | null; reason: string | null }[] }>(
      `mutation($j: [JobRef!]!) { executeNow(jobs: $j) { execution { id } reason } }`,
      { j: jobs },
    );
    return d.executeNow.map((r) => {
      if (!r.execution) throw new Error(`executeNow refused: ${r.reason}`);
      return Number(r.execution.id);
    });
  }
}

/** A connected graphql-ws client (the connection is open before the first measured operation). */
export async function wsClient(url: string, token: string): Promise<Client> {
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    keepAlive: 0,
  });
  await new Promise<void>((resolve, reject) => {
    const off1 = client.on('connected', () => (off1(), off2(), resolve()));
    const off2 = client.on('error', (e) => (off1(), off2(), reject(e instanceof Error ? e : new Error('ws connect failed'))));
  });
  return client;
}

export type LogLine = { seq: number; at: string; level: string; message: string };

/**
 * Follows a live log the way a fast client should: executionLogBatch (one event per burst), or
 * executionLog (one event per entry) with BENCH_LOG_SUBSCRIPTION=entry. `onLine` gets each entry
 * with its arrival time; resolves on completion.
 */
export function followLog(client: Client, executionId: number, onLine: (l: LogLine, t: number) => void, afterSeq = 0) {
  const perEntry = process.env.BENCH_LOG_SUBSCRIPTION === 'entry';
  return new Promise<void>((resolve, reject) => {
    client.subscribe<{ executionLog?: LogLine; executionLogBatch?: { entries: LogLine[] } }>(
      {
        query: perEntry
          ? 'subscription($id: ID!, $a: Int) { executionLog(executionId: $id, afterSeq: $a) { seq at level message } }'
          : 'subscription($id: ID!, $a: Int) { executionLogBatch(executionId: $id, afterSeq: $a) { entries { seq at level message } } }',
        variables: { id: String(executionId), a: afterSeq },
      },
      {
        next: (v) => {
          if (v.errors?.length) return reject(new Error(JSON.stringify(v.errors)));
          const t = now();
          if (v.data!.executionLog) onLine(v.data!.executionLog, t);
          else for (const l of v.data!.executionLogBatch!.entries) onLine(l, t);
        },
        error: (e) => reject(e instanceof Error ? e : Object.assign(new Error(`subscription error ${JSON.stringify(e)}`), { closeCode: (e as { code?: number }).code })),
        complete: () => resolve(),
      },
    );
  });
}

/** The socket closed under the subscription (graphql-ws passes the CloseEvent; 1006: ended without a close frame). */
const closedBySocket = (e: unknown) => (e as { closeCode?: number }).closeCode === 1006;

/**
 * Every client follows one execution's log of numbered lines to its end. A viewer that falls too far
 * behind is cut off (RATE_LIMITED) and resubscribes from its last line, as the console does; one
 * whose socket the server ended (it answered no ping and took nothing for a whole keep-alive
 * interval: a viewer starved of CPU) connects again and resumes from its last line, as the
 * console's client does. The lines it gets must still follow one another. complete = clients that
 * got 1…lines in order. onAllStarted: called once every client has had its first entry.
 */
export async function followNumbered(clients: Client[], executionId: number, lines: number, reconnect?: () => Promise<Client>, onAllStarted?: () => void) {
  const got = new Int32Array(clients.length);
  const bad = new Int32Array(clients.length);
  // onAllStarted: once every client has had an entry (its subscription is live).
  const started = new Uint8Array(clients.length);
  let startedCount = 0;
  let resubscribed = 0;
  let reconnected = 0;
  await Promise.all(
    clients.map(async (client, ci) => {
      let c = client;
      let lastSeq = 0;
      for (;;) {
        try {
          return await followLog(c, executionId, (l) => {
            lastSeq = l.seq;
            if (!started[ci]) {
              started[ci] = 1;
              if (++startedCount === clients.length) onAllStarted?.();
            }
            if (/^\d+$/.test(l.message)) {
              if (Number(l.message) !== got[ci]! + 1) bad[ci]!++;
              got[ci] = Number(l.message);
            }
          }, lastSeq);
        } catch (e) {
          if (String((e as Error).message).includes('RATE_LIMITED')) resubscribed++;
          else if (reconnect && closedBySocket(e) && reconnected < clients.length) {
            reconnected++;
            void c.dispose();
            c = clients[ci] = await reconnect();
          } else throw e;
        }
      }
    }),
  );
  return { complete: Array.from(got).filter((g, i) => g === lines && bad[i] === 0).length, resubscribed, reconnected };
}
