/**
 * The search indexer (searchLogs): copies log lines into log_search chunks in the background, off
 * the log writer's path, so ingest never pays for the trigram index. It runs in every worker
 * process (only one indexes at a time: an advisory lock in the query), a second after runs end
 * (kick: many ends, one pass) and every INDEX_EVERY_MS for runs still writing (once 50,000 of
 * their lines wait). It is background work on a machine that runs jobs: small passes, and after
 * each a pause three times as long as the pass took, so it never holds a core for long (it took
 * the live log's p99 from 12 ms to 270 ms when it indexed 100,000 lines a pass without pausing).
 * Lines it has not reached are searched directly, so a search is always complete; the indexer
 * only makes it fast.
 */
import type { Sql } from '../db/client';
import { indexSearchChunks } from '../db/queries/log-search';

const INDEX_EVERY_MS = 10_000;
/** Runs that end within this time are indexed by one pass. */
const KICK_DELAY_MS = 1000;
/** Per pass: executions, lines of each, and how many lines a live run must have waiting. */
const PASS = { executions: 20, maxLines: 10_000, liveBacklog: 50_000 };
/** After a pass with work: this many times its own duration (at least MIN_PAUSE_MS) for everything else. */
const PAUSE_FACTOR = 3;
const MIN_PAUSE_MS = 20;

export class SearchIndexer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dueAt = 0;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly sql: Sql, private readonly log: (message: string) => void) {}

  start() {
    this.schedule(0);
  }

  /** Runs ended: index them in a moment (one pass for every run that ends meanwhile). */
  kick() {
    if (!this.running) this.schedule(KICK_DELAY_MS);
  }

  /** A pass in `ms`, unless one is already due sooner (a stream of kicks never postpones it). */
  private schedule(ms: number) {
    if (this.stopped) return;
    const at = Date.now() + ms;
    if (this.timer && this.dueAt <= at) return;
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain().finally(() => {
        this.running = undefined;
        this.schedule(INDEX_EVERY_MS);
      });
    }, ms);
  }

  private async drain() {
    try {
      for (;;) {
        const t0 = performance.now();
        const lines = await indexSearchChunks(this.sql, PASS);
        if (this.stopped || lines === 0) return;
        const took = performance.now() - t0;
        await new Promise((r) => setTimeout(r, Math.max(MIN_PAUSE_MS, PAUSE_FACTOR * took)));
      }
    } catch (e) {
      if (!this.stopped) this.log(`search indexer: ${(e as Error).message} (tried again in ${INDEX_EVERY_MS / 1000} s)`);
    }
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
