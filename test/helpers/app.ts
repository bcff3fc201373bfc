import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { testLogger } from './server-logs';
import { startJobdeck, type Jobdeck, type StartOptions } from '../../lib/app';
import { loadConfig } from '../../lib/config';
import { createTestDatabase } from './db';

export const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };

export type TestApp = Jobdeck & { url: string; stop(): Promise<void> };

/** The configuration of a test process: fast heartbeats and leases, a free port, the test admin; `env` on top. */
export function testConfig(env: Record<string, string>) {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    HEARTBEAT_SECONDS: '1',
    LEASE_SECONDS: '4',
    DRAIN_TIMEOUT_SECONDS: '5',
    KILL_GRACE_SECONDS: '1',
    DEFAULT_TIME_ZONE: 'UTC',
    ...env,
  });
}

/** A whole Jobdeck (web + worker unless ROLE says otherwise) on its own fresh database, in this process. */
export async function startTestApp(env: Record<string, string> = {}, opts: StartOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: db.url, ...env });
  const logger = testLogger();
  // A test that reads the lines gets them, and so does the run's log file.
  const log = opts.log ? (line: string) => (opts.log!(line), logger.info(line)) : undefined;
  const app = await startJobdeck(config, { console: false, logger, ...opts, log });
  return Object.assign(app, {
    url: app.url ?? '',
    stop: async () => {
      await app.close();
      await db.drop();
    },
  });
}

export type GqlResult<T = Record<string, any>> = { data?: T; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };

/** A GraphQL client over HTTP that keeps its session cookie, as a browser would. */
export class Gql {
  cookie?: string;
  constructor(readonly url: string, readonly token?: string) {}

  async raw(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return { status: res.status, body: (await res.json()) as GqlResult, headers: res.headers };
  }

  async query<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GqlResult<T>> {
    return (await this.raw(query, variables)).body as GqlResult<T>;
  }

  /** Like query, but fails the test on any error. */
  async ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const r = await this.query<T>(query, variables);
    if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    return r.data!;
  }

  /** Waits (polling the API, for test setup) until an execution has ended; its final status. */
  async ended(id: string, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.ok<{ execution: { status: string } }>('query($id: ID!) { execution(id: $id) { status } }', { id });
      if (r.execution.status !== 'IN_PROGRESS') return r.execution.status;
      if (Date.now() > deadline) throw new Error(`execution ${id} still running after ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async login(email = ADMIN.email, password = ADMIN.password) {
    await this.ok(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { id } }`, { e: email, p: password });
    return this;
  }

  ws(extra: { authorization?: string; origin?: string } = {}): Client {
    const cookie = this.cookie;
    return createClient({
      url: this.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, {
            headers: {
              ...(cookie ? { cookie } : {}),
              ...(extra.origin ? { origin: extra.origin } : {}),
            },
          });
        }
      } as unknown as typeof WebSocket,
      connectionParams: extra.authorization ? { authorization: extra.authorization } : this.token ? { authorization: `Bearer ${this.token}` } : undefined,
      retryAttempts: 0,
      lazy: true,
    });
  }
}

/** Domains a.example and b.example and the domain administrator of a.example (da@a.example), signed in. */
export async function twoDomainsAndTheirAdmin(app: { url: string }, admin: Gql) {
  await admin.ok('mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }');
  await admin.ok('mutation { createUser(email: "da@a.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }');
  return new Gql(app.url).login('da@a.example', 'domain-admin-pass');
}

/** Collects the events of one subscription until it completes or `until` says stop. */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown>, until?: (items: T[]) => boolean) {
  const items: T[] = [];
  let cancel = () => {};
  const done = new Promise<T[]>((resolve, reject) => {
    cancel = client.subscribe<T>(
      { query, variables },
      {
        next: (v) => {
          if (v.errors?.length) return reject(Object.assign(new Error(v.errors[0]!.message), { errors: v.errors }));
          items.push(v.data as T);
          if (until?.(items)) {
            cancel();
            resolve(items);
          }
        },
        error: (e) => reject(e instanceof Error ? e : Object.assign(new Error('subscription error'), { detail: e })),
        complete: () => resolve(items),
      },
    );
  });
  // A socket the server closes while the test awaits something else (the mutation that closes it)
  // rejects before the test attaches its handler: that must not count as an unhandled rejection.
  done.catch(() => {});
  return { items, done, cancel: () => cancel() };
}
