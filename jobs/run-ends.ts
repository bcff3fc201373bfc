/**
 * The ends of a worker's runs, several in one statement (issue #15: a fleet's tiny runs end by the
 * thousand). Each run's last batch and its end were one statement and one commit of their own; a
 * worker running twenty tiny runs at once ended them one commit each, and every commit woke every
 * listening connection. Ends that come while a statement is on its way wait for it and go together
 * in the next one; an end that comes when none is on its way goes at the end of the current turn of
 * the event loop (runs that finished in the same turn share it). So nothing waits when the worker is
 * quiet, and under load one statement carries every run that ended meanwhile.
 */
import type { Sql } from '../db/client';
import { appendAndEndMany, type RunEnd } from '../db/queries/logs';

export type EndAnswer = { owned: boolean; ended: boolean };
/**
 * Sends runs' ends in one statement. Without `wait`, a run whose rows another transaction holds is
 * left alone and answered `busy` (appendAndEndMany); with it, the statement waits for its rows.
 */
type Send = (ends: RunEnd[], opts: { wait: boolean }) => Promise<(EndAnswer & { busy?: boolean })[]>;
type Waiting = { end: RunEnd; resolve: (a: EndAnswer) => void; reject: (e: unknown) => void };

/** At most this many runs, and about this many entries, in one statement (a flood's last batch goes alone). */
export const MAX_RUNS_PER_END = 200;
const MAX_ENTRIES_PER_END = 10_000;

export class RunEnds {
  private waiting: Waiting[] = [];
  private sending = false;
  private scheduled = false;
  /** Statements sent, runs they carried, and runs that went alone for a busy row (tests read them). */
  readonly stats = { statements: 0, runs: 0, busy: 0 };

  constructor(private readonly send: Send) {}

  /**
   * Ends one run with the others that end meanwhile. A statement that fails fails each of its runs
   * (nothing of it was written): each then falls back to its own writes (LogWriter.flushAndEnd).
   */
  end(end: RunEnd): Promise<EndAnswer> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ end, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.sending || this.scheduled || !this.waiting.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.next();
    });
  }

  private async next() {
    if (this.sending || !this.waiting.length) return;
    let entries = 0;
    let n = 0;
    while (n < this.waiting.length && n < MAX_RUNS_PER_END) {
      const size = this.waiting[n]!.end.batch.seqs.length;
      if (n > 0 && entries + size > MAX_ENTRIES_PER_END) break;
      entries += size;
      n++;
    }
    const group = this.waiting.splice(0, n);
    this.sending = true;
    this.stats.statements++;
    this.stats.runs += group.length;
    try {
      const answers = await this.send(group.map((w) => w.end), { wait: false });
      group.forEach((w, i) => {
        const a = answers[i]!;
        if (a.busy) void this.alone(w);
        else w.resolve({ owned: a.owned, ended: a.ended });
      });
    } catch (e) {
      for (const w of group) w.reject(e);
    } finally {
      this.sending = false;
      this.schedule();
    }
  }

  /** A run whose rows were busy ends alone, waiting for them, beside the others (which do not wait for it). */
  private async alone(w: Waiting) {
    this.stats.busy++;
    this.stats.statements++;
    try {
      const [a] = await this.send([w.end], { wait: true });
      w.resolve({ owned: a!.owned, ended: a!.ended });
    } catch (e) {
      w.reject(e);
    }
  }
}

const perPool = new WeakMap<Sql, RunEnds>();

/** The RunEnds of a pool (one per worker process: its runs share a pool). */
export function runEndsOf(sql: Sql): RunEnds {
  let r = perPool.get(sql);
  if (!r) perPool.set(sql, (r = new RunEnds((ends, opts) => appendAndEndMany(sql, ends, opts))));
  return r;
}
