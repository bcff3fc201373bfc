import { performance } from 'node:perf_hooks';

/** While a flood lasts, live fan-out may take at most this share of the process's time (issue #19). */
export const FANOUT_SHARE = 0.05;
/** A flood whose writer has said nothing for this long is over (a writer that stopped without saying so). */
export const FLOOD_EXPIRY_MS = 2_000;
/** The time fan-out may spend at once, out of what it saved while it was not sending. */
const BURST_MS = 10;

/**
 * A budget of time for live log fan-out while a writer of this process floods (many entries wait to
 * be written). A hundred viewers of a `seq 1 200000` job made the process copy
 * every line into a hundred sockets while the job ran, and the viewers parse what they get: on two
 * cores that took PostgreSQL's time, and the job took 1.2–1.5 × as long. During a flood, sends
 * spend from a bucket filled at FANOUT_SHARE of the wall clock; once it is empty, subscribers wait
 * (services/live.ts: they are caught up from memory as the budget allows, and at once when the
 * flood ends). Out of a flood nothing waits: a viewer of an ordinary job gets each line at once.
 */
export class FanoutBudget {
  private tokens = BURST_MS;
  private at = performance.now();
  /** Executions whose writer floods, and until when its last word holds. */
  private floods = new Map<number, number>();
  private floodUntil = 0;
  private waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(
    private readonly share = FANOUT_SHARE,
    private readonly expiryMs = FLOOD_EXPIRY_MS,
  ) {}

  /**
   * The writer of an execution has many entries waiting to be written (`on`), or no longer (it has
   * written everything, or its run ended).
   */
  flood(executionId: number, on: boolean) {
    const now = performance.now();
    if (!on) this.floods.delete(executionId);
    else {
      // A new flood starts with a full bucket.
      if (!this.flooding) {
        this.tokens = BURST_MS;
        this.at = now;
      }
      this.floods.set(executionId, now + this.expiryMs);
    }
    this.floodUntil = 0;
    for (const [id, until] of this.floods) {
      if (until <= now) this.floods.delete(id);
      else this.floodUntil = Math.max(this.floodUntil, until);
    }
    // Over: whoever waits for the budget or for the flood's end goes now.
    if (!this.flooding) {
      this.scheduleCalm();
      clearTimeout(this.timer);
      this.timer = undefined;
      this.schedule();
    }
  }

  get flooding() {
    return performance.now() < this.floodUntil;
  }

  /** Whether the flood of `executionId` is on (told, and neither ended nor expired). */
  floodsFor(executionId: number) {
    return (this.floods.get(executionId) ?? 0) > performance.now();
  }

  /** Subscribers waiting for the budget (`sends`) and for the flood's end (`calm`). */
  get waiting() {
    return { sends: this.waiters.length, calm: this.calmWaiters.length };
  }

  /** Milliseconds a live send took (counted during a flood only). */
  spent(ms: number) {
    if (!this.flooding) return;
    this.refill();
    this.tokens -= ms;
  }

  /** Whether a live send may go now. */
  private open() {
    if (!this.flooding) return true;
    this.refill();
    return this.tokens > 0;
  }

  /** Resolves when a send may go: at once out of a flood; during one, one waiter per turn while the bucket has time. */
  ready(): Promise<void> {
    // During a flood every waiter goes through the queue, one per turn: a send is counted only once
    // it has been made, and waiters let through together all saw a budget that none had spent yet.
    if (!this.flooding && !this.waiters.length) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  /** Resolves once no writer of this process floods. */
  calm(): Promise<void> {
    if (!this.flooding) return Promise.resolve();
    return new Promise((resolve) => {
      this.calmWaiters.push(resolve);
      this.scheduleCalm();
    });
  }

  private calmWaiters: (() => void)[] = [];
  private calmTimer: NodeJS.Timeout | undefined;
  private scheduleCalm() {
    clearTimeout(this.calmTimer);
    this.calmTimer = undefined;
    if (!this.calmWaiters.length) return;
    if (!this.flooding) {
      for (const w of this.calmWaiters.splice(0)) w();
      return;
    }
    // The flood's end is told (flood(id, false)); this is for one whose writer went quiet.
    this.calmTimer = setTimeout(() => this.scheduleCalm(), Math.max(1, Math.ceil(this.floodUntil - performance.now())));
  }

  /** Wakes every waiter (the hub is stopping). */
  release() {
    clearTimeout(this.timer);
    clearTimeout(this.calmTimer);
    this.timer = this.calmTimer = undefined;
    for (const w of [...this.waiters.splice(0), ...this.calmWaiters.splice(0)]) w();
  }

  private refill() {
    const now = performance.now();
    this.tokens = Math.min(BURST_MS, this.tokens + (now - this.at) * this.share);
    this.at = now;
  }

  private schedule() {
    if (this.timer || this.draining || !this.waiters.length) return;
    const now = performance.now();
    // Until the bucket has time again, or the flood is over, whichever comes first.
    const wait = this.open() ? 0 : Math.min(this.floodUntil - now, -this.tokens / this.share);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, Math.max(1, Math.ceil(wait)));
  }

  /** One waiter per turn of the event loop, so that what it sends is counted before the next one goes. */
  private async drain() {
    this.draining = true;
    try {
      while (this.waiters.length && this.open()) {
        // The flood is over: everyone at once.
        if (!this.flooding) for (const w of this.waiters.splice(0)) w();
        else this.waiters.shift()!();
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
    }
    this.schedule();
  }
}
