import type { Sql } from '../db/client';
import { appendBatch, type LogBatch, type LogDelta, type LogLevel, type LogRecord } from '../db/queries/logs';
import { metrics } from '../lib/ops';
import { maskSecrets } from './parameters';

/**
 * Where committed entries go at once when this process also serves live logs (the LiveHub).
 * `expect`: entries up to `seq` are being written by this process and will be offered once
 * committed: the NOTIFY of their commit needs no read (it often arrives before the writer hears
 * its own statement answered). `abandon`: what was announced will not be offered (the writer gave
 * up: its run was swept, or the database stayed away); whatever was written is in the database.
 */
export type LiveSink = {
  wants(executionId: number): boolean;
  expect(executionId: number, seq: number): void;
  offer(executionId: number, rows: readonly LogRecord[]): void;
  abandon(executionId: number): void;
  /**
   * Many entries wait to be written (a flood: `on`), or no longer (the writer has written
   * everything, or it stopped): live fan-out must not slow the writer meanwhile.
   */
  flooding(executionId: number, on: boolean): void;
};

const MAX_BATCH = 10_000;
/** Past this many unwritten entries, producers that can wait (command jobs) are asked to. */
const HIGH_WATER = 50_000;
/** This many entries waiting to be written make a flood, until the writer has written everything (see LiveSink.flooding). */
const FLOOD_BACKLOG = 5_000;

/**
 * Group commit for one execution's log: an entry is written as soon as the previous write has
 * finished, so one line alone goes out at once and a flood goes out in large batches.
 */
export class LogWriter {
  private seqs: number[] = [];
  /** Epoch milliseconds of each entry: no Date object per line. */
  private ats: number[] = [];
  private levels: LogLevel[] = [];
  private messages: string[] = [];
  private writing: Promise<void> | undefined;
  private seq: number;
  private lines = 0;
  private dropped = 0;
  private pendingWarnings = 0;
  private pendingErrors = 0;
  private pendingDropped = 0;
  private pendingProgress: number | null = null;
  private drainWaiters: (() => void)[] = [];
  warnings = 0;
  errors = 0;
  /** The last write error; entries of a failed write are retried with the next one. */
  lastError: unknown;

  constructor(
    private readonly sql: Sql,
    private readonly executionId: number,
    startSeq: number,
    private readonly opts: {
      maxLines: number;
      maxLineChars: number;
      owner: string;
      live?: LiveSink;
      /** The run's secret parameter values: replaced by "•••" in every line before it is stored or sent live. */
      secrets?: readonly string[];
    },
  ) {
    this.seq = startSeq;
  }

  private closed = false;

  /** After close(), late writes of a job that ignored its signal are dropped. */
  close() {
    this.closed = true;
  }

  /** `force`: the runner's own closing entries, kept even past the cap. */
  write(level: LogLevel, message: string, force = false) {
    if (this.refused) {
      this.lost++;
      return;
    }
    if (this.closed) return;
    if (level === 'WARNING') this.warnings++;
    if (level === 'ERROR') this.errors++;
    if (this.lines >= this.opts.maxLines && !force) {
      this.dropped++;
      this.pendingDropped++;
      // Errors still decide the status even when their text is dropped.
      if (level === 'WARNING') this.pendingWarnings++;
      if (level === 'ERROR') this.pendingErrors++;
      return;
    }
    this.lines++;
    if (level === 'WARNING') this.pendingWarnings++;
    if (level === 'ERROR') this.pendingErrors++;
    if (this.opts.secrets?.length) message = maskSecrets(message, this.opts.secrets);
    const text = message.length > this.opts.maxLineChars ? `${message.slice(0, this.opts.maxLineChars)}… [cut ${message.length - this.opts.maxLineChars} chars]` : message;
    this.seqs.push(++this.seq);
    this.ats.push(Date.now());
    this.levels.push(level);
    // PostgreSQL text cannot hold NUL.
    this.messages.push(text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text);
    // Told as soon as the backlog reaches it, not once a batch is written: the first batches of a
    // flood had gone to every viewer at once.
    if (this.seqs.length === FLOOD_BACKLOG && !this.flooded && this.opts.live?.wants(this.executionId)) this.flood(true);
    this.kick();
  }

  progress(percent: number) {
    this.pendingProgress = Math.max(0, Math.min(100, Math.round(percent)));
  }

  get lastSeq() {
    return this.seq;
  }

  get droppedLines() {
    return this.dropped;
  }

  /** Resolves when the unwritten backlog is below the high-water mark. */
  pressure(): Promise<void> | undefined {
    if (this.seqs.length < HIGH_WATER) return undefined;
    return new Promise((r) => this.drainWaiters.push(r));
  }

  private kick() {
    if (!this.writing) this.writing = this.loop().finally(() => (this.writing = undefined));
  }

  /** The next batch (up to MAX_BATCH entries) and the counters it carries. */
  private take(): { batch: LogBatch; delta: LogDelta; n: number } {
    const n = Math.min(MAX_BATCH, this.seqs.length);
    const batch = {
      seqs: this.seqs.slice(0, n),
      ats: this.ats.slice(0, n),
      levels: this.levels.slice(0, n),
      messages: this.messages.slice(0, n),
    };
    const lastSeq = n ? batch.seqs[n - 1]! : this.seq - this.seqs.length;
    const delta = {
      lastSeq,
      warnings: this.pendingWarnings,
      errors: this.pendingErrors,
      dropped: this.pendingDropped,
      progress: this.pendingProgress,
    };
    return { batch, delta, n };
  }

  /** A batch is stored: live viewers get it, and it leaves the backlog. */
  private written({ batch, delta, n }: { batch: LogBatch; delta: LogDelta; n: number }) {
    this.lastError = undefined;
    metrics.logEntriesWritten(n);
    if (n && this.opts.live?.wants(this.executionId)) {
      const rows: LogRecord[] = new Array(n);
      // A flood writes hundreds of lines per millisecond: each distinct time is formatted once
      // (a Date and toISOString per line were a tenth of a watched job's process).
      let ms = NaN;
      let at = '';
      for (let i = 0; i < n; i++) {
        if (batch.ats[i] !== ms) at = new Date((ms = batch.ats[i]!)).toISOString();
        rows[i] = { seq: batch.seqs[i]!, at, level: batch.levels[i]!, message: batch.messages[i]! };
      }
      this.toOffer.push(rows);
    }
    this.seqs.splice(0, n);
    this.ats.splice(0, n);
    this.levels.splice(0, n);
    this.messages.splice(0, n);
    this.pendingWarnings -= delta.warnings;
    this.pendingErrors -= delta.errors;
    this.pendingDropped -= delta.dropped;
    if (this.pendingProgress === delta.progress) this.pendingProgress = null;
    if (this.seqs.length < HIGH_WATER && this.drainWaiters.length) {
      for (const w of this.drainWaiters.splice(0)) w();
    }
    // Viewers who came during a flood see it as one too; with nobody watching any more, it is over.
    this.flood(this.toOffer.length > 0 && (this.flooded || this.seqs.length >= FLOOD_BACKLOG));
    if (!this.toOffer.length) return;
    // In a flood (more entries waiting) the loop sends its next batch first and the viewers get
    // these on the next turn, while PostgreSQL stores that batch: their fan-out is kept off the
    // writer's path. Otherwise they go at once.
    if (this.seqs.length > 0 && !this.ending && !this.refused) this.offering ??= setImmediate(() => this.offerLive());
    else this.offerLive();
  }

  /** Whether this writer told the live viewers' side that it floods. */
  private flooded = false;
  private flood(on: boolean) {
    if (on === this.flooded) return;
    this.flooded = on;
    this.opts.live?.flooding(this.executionId, on);
  }

  /** Live viewers are told, before a batch is sent, that this process will offer it once committed. */
  private announce({ batch, n }: { batch: LogBatch; n: number }) {
    if (n && this.opts.live?.wants(this.executionId)) this.opts.live.expect(this.executionId, batch.seqs[n - 1]!);
  }

  /** Committed rows for the live viewers, oldest first, offered on the next turn (see written). */
  private toOffer: LogRecord[][] = [];
  private offering: NodeJS.Immediate | undefined;
  private offerLive() {
    if (this.offering) clearImmediate(this.offering);
    this.offering = undefined;
    for (const rows of this.toOffer.splice(0)) this.opts.live!.offer(this.executionId, rows);
  }

  private get pending() {
    return this.seqs.length > 0 || this.pendingDropped > 0 || this.pendingProgress !== null;
  }

  private async loop() {
    // Let the current synchronous burst of writes join this batch.
    await new Promise((r) => setImmediate(r));
    // The last attempt failed without an answer: it may have committed.
    let ambiguous = this.endMayHaveCommitted;
    this.endMayHaveCommitted = false;
    while (!this.refused && this.pending) {
      // The run is ending: its last batch goes with the statement that ends it (flushAndEnd).
      if (this.ending && this.seqs.length <= MAX_BATCH) break;
      const next = this.take();
      this.announce(next);
      try {
        // Many entries still wait behind this batch: its NOTIFY says so, for viewers in other processes.
        if (!(await appendBatch(this.sql, this.executionId, this.opts.owner, next.batch, next.delta, this.seqs.length - next.n >= FLOOD_BACKLOG))) {
          // The run was swept (this worker lost its lease) or is gone: late lines must not land.
          this.refuse(new Error('the run is no longer held by this worker'));
          break;
        }
      } catch (e) {
        const code = (e as { code?: string }).code ?? '';
        if (code === '23505' && ambiguous) {
          // The previous attempt of this very batch lost its connection after its commit: it is written.
        } else if (code === '23505' || code === '23503') {
          // Someone else wrote these seqs (a sweeper that marked the run INTERRUPTED after this worker
          // lost its lease) or the execution is gone: late lines must not land after the final entry.
          this.refuse(e);
          break;
        } else if (this.giveUpAt !== undefined && Date.now() > this.giveUpAt) {
          this.refuse(e);
          break;
        } else {
          // The database may be restarting: keep the entries and try again shortly.
          this.lastError = e;
          ambiguous = true;
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
      }
      ambiguous = false;
      this.written(next);
    }
    if (this.toOffer.length) this.offerLive();
    // Everything is written: the flood is over (a run's last batch goes with its end: flushAndEnd).
    if (!this.pending && !this.ending) this.flood(false);
  }

  private ending = false;
  /** The ending statement failed without an answer: the next write of the same entries may find them stored. */
  private endMayHaveCommitted = false;

  /**
   * The run's end: everything written so far is stored, its last batch in the same statement that
   * ends the run (`end`, one commit instead of two for a run's last lines and its end). `end`
   * answers whether the run was still this worker's and whether it ended it (it may decline: a run
   * with a report or alerts to settle ends in a transaction of its own, after this). Any failure of
   * that statement falls back to flush(), and the caller ends the run its usual way: false.
   * Throws as flush() does when the entries cannot be stored.
   */
  async flushAndEnd(end: (batch: LogBatch, delta: LogDelta) => Promise<{ owned: boolean; ended: boolean }>, timeoutMs = 60_000) {
    try {
      return await this.writeAndEnd(end, timeoutMs);
    } finally {
      this.flood(false);
    }
  }

  private async writeAndEnd(end: (batch: LogBatch, delta: LogDelta) => Promise<{ owned: boolean; ended: boolean }>, timeoutMs: number) {
    this.ending = true;
    this.giveUpAt = Date.now() + timeoutMs;
    // Earlier batches (past the last one) as usual.
    while (!this.refused && (this.writing || this.seqs.length > MAX_BATCH)) {
      if (!this.writing) this.kick();
      await this.writing;
    }
    if (!this.refused) {
      const last = this.take();
      this.announce(last);
      try {
        const r = await end(last.batch, last.delta);
        if (!r.owned) this.refuse(new Error('the run is no longer held by this worker'));
        else {
          this.written(last);
          if (r.ended) return true;
        }
      } catch (e) {
        this.lastError = e;
        // An SQLSTATE means PostgreSQL refused the statement; anything else (a lost connection) may follow a commit.
        this.endMayHaveCommitted = !/^[0-9A-Z]{5}$/.test((e as { code?: string }).code ?? '');
      }
    }
    this.ending = false;
    await this.flush(Math.max(0, this.giveUpAt - Date.now()));
    return false;
  }

  /** Entries that could not be written (refused, or the database stayed away past flush's timeout). */
  lost = 0;
  /** Set once the writer gave up: later writes are counted as lost. */
  refused = false;
  private giveUpAt: number | undefined;

  private refuse(e: unknown) {
    this.refused = true;
    this.closed = true;
    this.lastError = e;
    this.lost += this.seqs.length;
    this.seqs = [];
    this.ats = [];
    this.levels = [];
    this.messages = [];
    this.pendingDropped = this.pendingWarnings = this.pendingErrors = 0;
    this.pendingProgress = null;
    for (const w of this.drainWaiters.splice(0)) w();
    this.flood(false);
    // What was announced and not written will not come from here: live viewers read the database.
    this.opts.live?.abandon(this.executionId);
  }

  /**
   * Waits until everything written so far is stored, retrying through outages for at most
   * `timeoutMs`; past that, the unwritten entries are dropped and counted in `lost`, and it throws.
   */
  async flush(timeoutMs = 60_000) {
    this.giveUpAt = Date.now() + timeoutMs;
    while (!this.refused && (this.writing || this.seqs.length || this.pendingDropped || this.pendingProgress !== null)) {
      if (!this.writing) this.kick();
      await this.writing;
    }
    if (this.refused) throw new Error(`${this.lost} log entries could not be written: ${String((this.lastError as Error)?.message ?? this.lastError)}`);
  }
}
