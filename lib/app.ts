import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Database, type Sql } from '../db/client';
import { startEmbedded } from '../db/embedded';
import { runMigrations, shippedMigrations } from '../db/migrate';
import { appliedMigrations, fleetGauges } from '../db/queries/metrics';
import { opsHandler, setFleetSource, type Readiness } from './ops';
import { createLogger, lineLogger } from './logger';
import type { Logger } from 'pino';
import { rowSecurityAvailable } from '../db/scope';
import { createAgenda } from '../jobs/agenda';
import { loadCatalog, type Catalog } from '../jobs/catalog';
import { syncResources } from '../jobs/resources';
import { builtinJobs } from '../jobs/definitions';
import { enqueueReport } from '../jobs/report/outbox';
import { checkMail, createMailer, startOutboxSender } from '../jobs/report/sender';
import { evaluateFinished } from '../jobs/alerts/evaluate';
import { AlertMonitor } from '../jobs/alerts/monitor';
import { startAlertSender } from '../jobs/alerts/sender';
import { stopAlertHub } from '../services/alert-live';
import { openRetryIfDue } from '../jobs/retry';
import { Worker } from '../jobs/runner';
import { Scheduler } from '../jobs/scheduler';
import { SearchIndexer } from '../jobs/search-indexer';
import type { JobDefinition } from '../jobs/types';
import { ensureFirstAdmin } from '../services/auth';
import type { Deps } from '../services/deps';
import { LiveHub } from '../services/live';
import type { Config } from './config';
import { createWebServer, type WebServer } from './web';

export type StartOptions = {
  /** Serve the Next.js console (needs `next build`); API-only tests turn it off. Default true. */
  console?: boolean;
  /** TypeScript jobs besides the built-in ones (tests). */
  extraJobs?: JobDefinition[];
  /** Lines of the parts, as plain text (tests capture them); default: the logger at info. */
  log?: (line: string) => void;
  /** Default: one from LOG_FORMAT and LOG_LEVEL. */
  logger?: Logger;
  /** How often WebSockets are pinged, in ms (tests shorten it). Default 12 s. */
  wsKeepAliveMs?: number;
};

export type Jobdeck = {
  config: Config;
  logger?: Logger;
  databaseUrl: string;
  url?: string;
  port?: number;
  /** The METRICS_PORT server's port, when one was asked for. */
  metricsPort?: number;
  deps: Deps;
  worker?: Worker;
  hub?: LiveHub;
  close(): Promise<void>;
};

/** Starts every part the configuration asks for; close() stops them in reverse order, draining runs. */
export async function startJobdeck(config: Config, opts: StartOptions = {}): Promise<Jobdeck> {
  const logger = opts.logger ?? createLogger({ format: config.LOG_FORMAT, level: config.LOG_LEVEL });
  const log = opts.log ?? lineLogger(logger);
  const logError = opts.log ? (line: string) => opts.log!(line) : (line: string, context?: Record<string, unknown>) => logger.error(context ?? {}, line);
  const closers: { name: string; fn: () => Promise<void> }[] = [];
  const closer = (name: string, fn: () => Promise<void>) => closers.push({ name, fn });
  const close = async () => {
    for (const c of closers.reverse()) {
      const t0 = Date.now();
      await c.fn().catch((e) => log(`while stopping ${c.name}: ${(e as Error).message}`));
      if (config.NODE_ENV === 'development') log(`stopped ${c.name} in ${Date.now() - t0} ms`);
    }
  };
  try {
    let url = config.DATABASE_URL;
    if (!url) {
      // Its own process group: a Ctrl-C must not stop it before the runs have drained (it is closed last).
      const pg = await startEmbedded(config.dataDir, { ownProcessGroup: true, onLog: config.NODE_ENV === 'development' ? log : undefined, onNotice: log });
      url = pg.url;
      closer('embedded PostgreSQL', pg.stop);
      log(`Embedded PostgreSQL running in ${config.dataDir} on port ${pg.port}.`);
    }
    const db: Database = connect(url, { max: config.ROLE === 'worker' ? 10 : 20 });
    closer('database pool', db.close);
    await runMigrations(db);
    if (!(await rowSecurityAvailable(db.sql)))
      log('Row-level security is off: this database user cannot use the role jobdeck_tenant (see README, Security).');
    const catalog: Catalog = await loadCatalog({
      jobsFile: config.JOBS_FILE,
      builtins: [...builtinJobs, ...(opts.extraJobs ?? [])],
      killGraceMs: config.KILL_GRACE_SECONDS * 1000,
      maxLineChars: config.LOG_MAX_LINE_CHARS,
    });
    // Declared capacities as this deployment's JOBS_FILE says (an override from setResourceCapacity stays).
    await syncResources(db.sql, catalog);
    const worker = config.ROLE !== 'web';
    const { agenda, backend } = createAgenda(url, `jobdeck-${config.ROLE}-${process.pid}`, config.WORKER_CONCURRENCY);
    closer('agenda', async () => {
      await agenda.stop().catch(() => {});
      // stop() and drain() leave the backend's pool open when processing never started (ROLE=web).
      await backend.disconnect().catch(() => {});
    });
    const scheduler = new Scheduler(agenda, db.sql, catalog, config);
    const deps: Deps = { sql: db.sql, config, catalog, engine: scheduler };
    await ensureFirstAdmin({ sql: db.sql, config }, log);
    const app: Jobdeck = { config, logger, databaseUrl: url, deps, close };
    setFleetSource(() => fleetGauges(db.sql, config.LEASE_SECONDS));
    const shipped = shippedMigrations();
    const readiness = async (): Promise<Readiness> => {
      const checks: Record<string, string> = {};
      try {
        const applied = await Promise.race([
          appliedMigrations(db.sql),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in 2 s')), 2000).unref()),
        ]);
        checks.database = 'ok';
        checks.migrations = applied >= shipped ? 'ok' : `${applied} of ${shipped} applied`;
      } catch (e) {
        checks.database = `unreachable: ${(e as Error).message}`;
      }
      if (worker) checks.worker = app.worker?.accepting ? 'ok' : 'not running';
      return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
    };
    if (config.METRICS_PORT !== undefined) {
      const ops = opsHandler({ metricsToken: config.METRICS_TOKEN, readiness });
      const server = http.createServer((req, res) => void ops(req, res).then((handled) => handled || res.writeHead(404).end()));
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(config.METRICS_PORT, config.HOST, () => resolve()));
      closer('metrics server', () => new Promise<void>((r) => server.close(() => r())));
      app.metricsPort = (server.address() as AddressInfo).port;
      log(`Metrics on port ${app.metricsPort}.`);
    }

    // Every role delivers alerts and runs the periodic checks: when every worker is gone, the web
    // processes still raise NO_WORKER and send it (an advisory lock keeps one process per round).
    const alertMailer = createMailer(config);
    const alertSender = await startAlertSender({ sql: db.sql, publicUrl: config.PUBLIC_URL, mailer: alertMailer, log });
    closer('alert sender', async () => {
      await alertSender.stop();
      alertMailer?.close();
    });

    if (worker) {
      const sender = startOutboxSender({ sql: db.sql, config, log: { warn: log, error: log } });
      closer('mail sender', () => sender.stop());
      const indexer = new SearchIndexer(db.sql, log);
      indexer.start();
      closer('search indexer', () => indexer.stop());
      /** Retries opened by a transaction not committed yet, by the execution they repeat. */
      const retriesDue = new Map<number, { id: number; at: Date }>();
      const w = new Worker({
        sql: db.sql,
        config,
        catalog,
        agenda,
        scheduler,
        services: { sql: db.sql, config, checkMail: () => checkMail(config) },
        onFinished: async (tx: Sql, id: number) => {
          // A failed run with attempts left starts again; its report and failure alerts wait for the last attempt.
          const retry = await openRetryIfDue(tx, id, (jobId) => catalog.get(jobId)?.retry);
          if (retry) {
            retriesDue.set(id, { id: retry.id, at: retry.notBefore! });
            return;
          }
          await enqueueReport(tx, id, {
            publicUrl: config.PUBLIC_URL,
            maxLines: config.REPORT_MAX_LINES,
            locale: config.REPORT_LOCALE,
            descriptionOf: (jobId) => catalog.get(jobId)?.description ?? jobId,
            parametersOf: (jobId) => catalog.get(jobId)?.parameters,
          });
          // Alerts are decided in the same transaction: they exist if and only if the run ended.
          await evaluateFinished(tx, id, log);
        },
        afterFinished: (id: number) => {
          // Committed: the retry's wake-up when it is due (the workers' heartbeat also finds it).
          const retry = retriesDue.get(id);
          if (retry) {
            retriesDue.delete(id);
            void scheduler.queueExecutions([retry.id], retry.at).catch((e) => log(`retry wake-up for ${retry.id}: ${(e as Error).message}`));
          }
          sender.kick();
          alertSender.kick();
          indexer.kick();
        },
        // The hub starts after the worker (ROLE=all): until then, and in a worker-only process, nothing wants entries.
        live: { wants: (id) => !!app.hub?.wants(id), expect: (id, seq) => app.hub?.expect(id, seq), offer: (id, rows) => app.hub?.offer(id, rows), abandon: (id) => app.hub?.abandon(id), flooding: (id, on) => app.hub?.flooding(id, on) },
        log,
      });
      await w.start();
      closer('worker', () => w.stop());
      app.worker = w;
    } else {
      await agenda.ready;
      await scheduler.reconcile();
    }

    const monitor = new AlertMonitor({
      sql: db.sql,
      leaseSeconds: config.LEASE_SECONDS,
      everySeconds: Math.min(2, config.HEARTBEAT_SECONDS),
      log,
      onChange: () => alertSender.kick(),
    });
    monitor.start();
    closer('alert checks', () => monitor.stop());

    if (config.ROLE !== 'worker') {
      closer('alert subscriptions', () => stopAlertHub(db.sql));
      const hub = new LiveHub(db.sql, (e) => log(`live: ${(e as Error).message}`));
      await hub.start();
      closer('live hub', () => hub.stop());
      const web: WebServer = await createWebServer({ deps, hub, config, withConsole: opts.console ?? true, log, logError, readiness, wsKeepAliveMs: opts.wsKeepAliveMs });
      closer('web server', () => web.close());
      app.hub = hub;
      const port = (web.server.address() as AddressInfo).port;
      app.port = port;
      app.url = `http://127.0.0.1:${port}`;
    }
    return app;
  } catch (e) {
    await close();
    throw e;
  }
}

