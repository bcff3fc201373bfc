import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Agenda, Job } from 'agenda';
import type { Sql } from '../db/client';
import * as q from '../db/queries/executions';
import { heartbeatWorker, registerWorker, stopWorker } from '../db/queries/workers';
import type { Config } from '../lib/config';
import type { CatalogView } from './types';
import { EXECUTION, OCCURRENCE, type ExecutionData, type OccurrenceData } from './agenda';
import { DueOccurrences } from './due';
import { executeRun, type AbortReason, type RunHandle } from './run';
import { ResourceBroker } from './resources';
import type { LiveSink } from './log-writer';
import type { Scheduler } from './scheduler';
import type { JobServices } from './types';

export type WorkerDeps = {
  sql: Sql;
  config: Config;
  catalog: CatalogView;
  agenda: Agenda;
  scheduler: Scheduler;
  services: JobServices;
  /** Called in the transaction that ends an execution (report outbox). */
  onFinished: (tx: Sql, executionId: number) => Promise<void>;
  /** Called after that transaction committed. */
  afterFinished?: (executionId: number) => void;
  /** This process's live log hub (ROLE=all): committed entries reach its subscribers without a database read. */
  live?: LiveSink;
  log: (msg: string) => void;
};

/** A late start is reported when a scheduled run begins this long after its occurrence. */
export const LATE_AFTER_MS = 30_000;
const RECONCILE_MS = 60_000;

/**
 * The worker role: takes Agenda's occurrence and execution jobs, opens or claims Jobdeck's own
 * execution row (the truth: Agenda is at-least-once), runs the job, heartbeats, sweeps dead runs.
 */
export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly runs = new Map<number, RunHandle>();
  private timer: NodeJS.Timeout | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private started = false;
  private unlisten: (() => Promise<void>) | undefined;
  /** This process's runs' claims on resources (a job's locks). */
  readonly resources: ResourceBroker;

  /** The jobs this worker can run (the catalog is fixed for the life of the process). */
  private readonly jobIds: string[];

  /** Due occurrences, taken set-based by every worker process. */
  private readonly due: DueOccurrences;

  constructor(private readonly d: WorkerDeps) {
    this.jobIds = d.catalog.list().map((j) => j.id);
    this.resources = new ResourceBroker(d.sql, d.log);
    this.due = new DueOccurrences({ sql: d.sql, config: d.config, catalog: d.catalog, jobIds: this.jobIds, log: d.log, onOpened: () => this.wake() });
  }

  get running() {
    return this.runs.size;
  }

  async start() {
    const { agenda, config } = this.d;
    agenda.define<OccurrenceData>(OCCURRENCE, (job: Job<OccurrenceData>) => this.onOccurrence(job.attrs.data).finally(() => this.refill(OCCURRENCE)));
    agenda.define<ExecutionData>(EXECUTION, (job: Job<ExecutionData>) => this.onExecution(job.attrs.data).finally(() => this.refill(EXECUTION)));
    const l = await this.d.sql.listen('jobdeck_cancel', (id) => this.runs.get(Number(id))?.abort('cancel'));
    // executeNow wakes workers directly: Agenda only publishes its own NOTIFY from a process that
    // started it (never from ROLE=web) and can miss a wake-up while a run ends; its job stays the fallback.
    const queued = await this.d.sql.listen('jobdeck_queued', () => this.wake());
    this.unlisten = async () => {
      await l.unlisten();
      await queued.unlisten();
    };
    await this.resources.start();
    await agenda.ready;
    await this.tick();
    await this.d.scheduler.reconcile();
    this.timer = setInterval(() => void this.tick(), config.HEARTBEAT_SECONDS * 1000);
    // A worker that died between consuming an occurrence and adding the next leaves a row without an
    // Agenda job; any live worker puts it back within a minute.
    this.reconcileTimer = setInterval(() => void this.d.scheduler.reconcile().catch((e) => this.d.log(`reconcile: ${(e as Error).message}`)), RECONCILE_MS);
    await agenda.start();
    await registerWorker(this.d.sql, { id: this.id, host: hostname(), pid: process.pid, slots: this.d.config.WORKER_CONCURRENCY });
    this.started = true;
  }

  /** Started and not stopping: what a readiness probe asks of a process that should run jobs. */
  get accepting() {
    return this.started && !this.stopping;
  }

  private readonly refilling = new Set<string>();

  /**
   * Agenda refills its queue only every processEvery (or on a NOTIFY for a new job): when a backlog
   * of due jobs is larger than the concurrency, a freed slot would wait up to 5 s. Ask Agenda to take
   * the next due job as soon as a slot is free (what its own notification handler does).
   */
  private refill(name: string) {
    if (this.stopping || this.refilling.has(name)) return;
    this.refilling.add(name);
    setTimeout(() => {
      this.refilling.delete(name);
      const jp = (this.d.agenda as unknown as { jobProcessor?: { jobQueueFilling?: (n: string) => Promise<void> } }).jobProcessor;
      if (!this.stopping && typeof jp?.jobQueueFilling === 'function') jp.jobQueueFilling(name).catch(() => {});
    }, 20).unref();
  }

  /** Heartbeat of our runs, cancel requests that a lost NOTIFY missed, and the sweep of dead runs. */
  private async tick() {
    try {
      // Only the runs in this heartbeat can have lost their lease: a run registered while the
      // query was in flight was not part of it (judging it by this answer aborted healthy runs).
      const asked = new Map(this.runs);
      const held = asked.size ? await q.heartbeat(this.d.sql, this.id, [...asked.keys()]) : [];
      await heartbeatWorker(this.d.sql, this.id);
      const heldIds = new Set(held.map((h) => h.id));
      for (const h of held) if (h.cancelRequestedBy) this.runs.get(h.id)?.abort('cancel');
      for (const [id, run] of asked) if (run.claimed && !heldIds.has(id) && this.runs.get(id) === run) run.abort('lease-lost');
      const dead = await q.sweepInterrupted(this.d.sql, this.d.config.LEASE_SECONDS, this.d.config.LEASE_SECONDS * 10);
      for (const e of dead) {
        await this.d.sql.begin((tx) => this.d.onFinished(tx as unknown as Sql, e.id)).catch((err) => this.d.log(`report for ${e.id}: ${err}`));
        await this.d.sql`SELECT pg_notify('jobdeck_exec', ${String(e.id)})`;
        this.d.afterFinished?.(e.id);
        this.d.log(`execution ${e.id} (${e.jobId}@${e.domain}) marked INTERRUPTED`);
      }
    } catch (err) {
      this.d.log(`heartbeat failed (will retry): ${(err as Error).message}`);
    }
    // A queued run whose NOTIFY this worker missed (reconnecting) and whose Agenda job another took;
    // due occurrences whose Agenda wake-up another process holds, or missed while it was down.
    this.backlog = true;
    void this.pull();
    if (!this.stopping) void this.due.sweep();
  }

  /**
   * Agenda's wake-up for one due occurrence: it is consumed like the others (its execution queued),
   * then every other due occurrence is drained in batches (jobs/due.ts).
   */
  private async onOccurrence(data: OccurrenceData) {
    if (this.stopping) return;
    await this.due.consume([{ rowId: data.rowId, at: new Date(data.at) }]);
    void this.due.sweep();
  }

  private async onExecution(data: ExecutionData) {
    // The Agenda job is a wake-up: which queued runs this worker takes is decided by claimQueued.
    void data;
    await this.pull();
  }

  /** Queued runs may be waiting (a NOTIFY, an Agenda job, a slot freed while some were left). */
  private backlog = true;
  private pulling: Promise<void> | undefined;
  private pullAgain = false;

  /** A NOTIFY for a queued run: one claim for every wake-up of this tick, not one per run. */
  private wake() {
    this.backlog = true;
    if (this.runs.size >= this.d.config.WORKER_CONCURRENCY) return; // taken when a slot frees
    void this.pull();
  }

  /**
   * Takes queued runs (executeNow) while this worker has free slots, oldest first. Every wake-up,
   * finished run and heartbeat comes here, so a run queued while every worker was full starts as
   * soon as any slot frees, without waiting for Agenda's next poll.
   */
  private pull(): Promise<void> {
    if (this.pulling) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      do {
        this.pullAgain = false;
        const room = this.d.config.WORKER_CONCURRENCY - this.runs.size;
        if (this.stopping || room <= 0) return;
        let claimed: q.ExecutionRecord[];
        try {
          claimed = await q.claimQueued(this.d.sql, this.id, room, this.jobIds);
        } catch (err) {
          this.d.log(`claiming queued runs failed (retried on the next heartbeat): ${(err as Error).message}`);
          return;
        }
        if (this.stopping) {
          // SIGTERM arrived during the claim: a stopping worker starts nothing; another one takes them.
          if (claimed.length) await q.unclaim(this.d.sql, this.id, claimed.map((e) => e.id)).catch((err) => this.d.log(`unclaim: ${(err as Error).message}`));
          return;
        }
        // A full claim may have left more behind; a short one emptied the queue for now.
        this.backlog = claimed.length === room;
        for (const e of claimed) void this.run(e, this.d.catalog.get(e.jobId)).catch((err) => this.d.log(`run ${e.id}: ${(err as Error).message}`));
      } while (this.pullAgain || this.backlog);
    })().finally(() => {
      this.pulling = undefined;
      // A wake-up that came while this pull was finishing is not lost.
      if (this.pullAgain) void this.pull();
    });
    return this.pulling;
  }

  private async run(e: q.ExecutionRecord, def: ReturnType<CatalogView['get']>) {
    try {
      await this.execute(e, def, e.trigger === 'SCHEDULE');
    } finally {
      if (this.backlog) this.pullSoon();
    }
  }

  private pullScheduled = false;
  /**
   * A slot freed: claim at the end of this turn of the event loop, so that the runs that ended
   * together (their final writes answered in the same read) refill their slots with one claim,
   * not one claim each.
   */
  private pullSoon() {
    if (this.pullScheduled) return;
    this.pullScheduled = true;
    setImmediate(() => {
      this.pullScheduled = false;
      void this.pull();
    });
  }

  private async execute(e: q.ExecutionRecord, def: ReturnType<CatalogView['get']>, scheduled: boolean) {
    const startedLate = scheduled && e.occurrenceAt && e.startedAt.getTime() - e.occurrenceAt.getTime() > LATE_AFTER_MS;
    await executeRun(
      {
        sql: this.d.sql,
        config: this.d.config,
        services: this.d.services,
        owner: this.id,
        onFinished: this.d.onFinished,
        afterFinished: this.d.afterFinished,
        live: this.d.live,
        register: (h) => this.runs.set(e.id, h),
        unregister: () => this.runs.delete(e.id),
        resources: this.resources,
      },
      e,
      def,
      startedLate ? `Started late: this run was due at ${e.occurrenceAt!.toISOString()} (the service was down or busy).` : undefined,
    );
  }

  /** Stops taking runs, lets running ones finish within DRAIN_TIMEOUT_SECONDS, then interrupts the rest. */
  async stop() {
    if (this.stopping) return;
    this.stopping = true;
    await this.due.stop();
    const drainMs = this.d.config.DRAIN_TIMEOUT_SECONDS * 1000;
    // Runs taken from the queue are not Agenda jobs: drained means both are done.
    const running = Promise.all([...this.runs.values()].map((r) => r.done));
    const drained = Promise.all([this.d.agenda.drain(drainMs).catch(() => ({ timedOut: true })), running]);
    const deadline = new Promise((r) => setTimeout(r, drainMs).unref());
    await Promise.race([drained, deadline]);
    const left = [...this.runs.values()];
    for (const r of left) r.abort('shutdown');
    await Promise.all(left.map((r) => r.done));
    await drained;
    clearInterval(this.timer);
    clearInterval(this.reconcileTimer);
    await this.unlisten?.().catch(() => {});
    await this.resources.stop();
    // A graceful stop says so in the registry (a killed worker only stops heartbeating).
    if (this.started) await stopWorker(this.d.sql, this.id).catch(() => {});
  }
}

export type { AbortReason };
