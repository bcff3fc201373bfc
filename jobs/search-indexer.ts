/**
 * The search indexer (searchLogs): copies log lines into log_search chunks in the background, off
 * the log writer's path, so ingest never pays for the trigram index. It runs in every worker
 * process (only one indexes at a time: an advisory lock in the query), when a run ends (kick) and
 * every INDEX_EVERY_MS for runs still writing (once 50,000 of their lines wait). Lines it has not reached are searched directly, so
 * a search is always complete; the indexer only makes it fast.
 */
import type { Sql } from '../db/client';
import { indexSearchChunks } from '../db/queries/log-search';

const INDEX_EVERY_MS = 10_000;
/** Per pass: executions, and lines of each (100,000 lines: about a second of work on 2 cores). */
const PASS = { executions: 50, maxLines: 100_000, liveBacklog: 50_000 };
/** Between passes with work left: room for everything else on a small machine. */
const PAUSE_MS = 20;

export class SearchIndexer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly sql: Sql, private readonly log: (message: string) => void) {}

  start() {
    this.kick();
  }

  /** Index now (a run ended); passes repeat while there is work, then wait for the next kick or tick. */
  kick() {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.kick();
      } else this.timer = setTimeout(() => this.kick(), INDEX_EVERY_MS);
    });
  }

  private async drain() {
    try {
      while (!this.stopped && (await indexSearchChunks(this.sql, PASS)) > 0) {
        await new Promise((r) => setTimeout(r, PAUSE_MS));
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
