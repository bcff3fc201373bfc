/**
 * What operators' tools ask of every process: Prometheus metrics (`/metrics`), liveness
 * (`/healthz`) and readiness (`/readyz`). One registry per process; each process serves what it
 * knows: counters of what it did itself, gauges of the fleet read from the database at scrape.
 * Job ids are labels; domains never are (20,000 tenants would be 20,000 series per metric).
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const executionsTotal = new client.Counter({
  name: 'jobdeck_executions_total',
  help: 'Executions this process ended, by job and final status.',
  labelNames: ['job', 'status'] as const,
  registers: [registry],
});
const executionDuration = new client.Histogram({
  name: 'jobdeck_execution_duration_seconds',
  help: 'Duration of executions this process ended, by job.',
  labelNames: ['job'] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400],
  registers: [registry],
});
const logEntriesTotal = new client.Counter({
  name: 'jobdeck_log_entries_total',
  help: 'Log entries this process wrote.',
  registers: [registry],
});
const requestsTotal = new client.Counter({
  name: 'jobdeck_graphql_requests_total',
  help: 'GraphQL operations answered over HTTP and WebSocket, by operation type.',
  labelNames: ['type'] as const,
  registers: [registry],
});
let subscriptionCount: (() => number) | undefined;
new client.Gauge({
  name: 'jobdeck_subscriptions',
  help: 'GraphQL subscriptions open on this process.',
  registers: [registry],
  collect() {
    this.set(subscriptionCount?.() ?? 0);
  },
});

type FleetGauges = { running: number; waiting: number; outboxPending: number; workersAlive: number; alertsOpen: number };
let fleetSource: (() => Promise<FleetGauges>) | undefined;
let fleet: Promise<FleetGauges | undefined> | undefined;
/** The three fleet gauges are read in one statement per scrape, shared by their collect()s. */
const readFleet = () => (fleet ??= (fleetSource?.() ?? Promise.resolve(undefined)).catch(() => undefined).finally(() => setTimeout(() => (fleet = undefined), 0)));
const fleetGauge = (name: string, help: string, pick: (f: FleetGauges) => number) =>
  new client.Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      const f = await readFleet();
      if (f) this.set(pick(f));
    },
  });
fleetGauge('jobdeck_executions_running', 'Executions in progress on some worker (whole fleet).', (f) => f.running);
fleetGauge('jobdeck_executions_waiting', 'Executions queued and not yet taken by a worker (whole fleet).', (f) => f.waiting);
fleetGauge('jobdeck_workers_alive', 'Worker processes heartbeating within LEASE_SECONDS (whole fleet).', (f) => f.workersAlive);
fleetGauge('jobdeck_outbox_pending', 'Report emails waiting for delivery (whole fleet).', (f) => f.outboxPending);
fleetGauge('jobdeck_alerts_open', 'Alerts open now, snoozed ones included (whole fleet).', (f) => f.alertsOpen);

/** What the engine and the web side report as they work. */
export const metrics = {
  executionEnded(job: string, status: string, durationSeconds: number) {
    executionsTotal.inc({ job, status });
    executionDuration.observe({ job }, durationSeconds);
  },
  logEntriesWritten(n: number) {
    logEntriesTotal.inc(n);
  },
  operation(type: 'query' | 'mutation' | 'subscription') {
    requestsTotal.inc({ type });
  },
};

/** The web server says how many subscriptions its sockets hold (counted where they are limited). */
export function setSubscriptionCount(count: () => number) {
  subscriptionCount = count;
}

export function setFleetSource(source: () => Promise<FleetGauges>) {
  fleetSource = source;
}

export type Readiness = { ready: boolean; checks: Record<string, string> };

/** Answers /metrics, /healthz and /readyz on a plain node:http request; false for any other path. */
export function opsHandler(o: { metricsToken?: string; readiness: () => Promise<Readiness> }) {
  const token = o.metricsToken ? Buffer.from(`Bearer ${o.metricsToken}`) : undefined;
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"ok":true}');
      return true;
    }
    if (path === '/readyz') {
      const r = await o.readiness().catch((e: Error) => ({ ready: false, checks: { error: e.message } }));
      res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(r));
      return true;
    }
    if (path === '/metrics') {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (token && (given.length !== token.length || !timingSafeEqual(given, token))) {
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('Send Authorization: Bearer <METRICS_TOKEN>.\n');
        return true;
      }
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body);
      return true;
    }
    return false;
  };
}
