/**
 * An async iterator fed by push(), with a bounded queue: a consumer that falls behind by more than
 * `capacity` units (items, or what `weigh` says an item counts for) is ended with an error instead
 * of growing memory (graphql-ws then tells the client).
 */
export class Channel<T> implements AsyncIterableIterator<T> {
  private queue: T[] = [];
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((e: unknown) => void) | undefined;
  private done = false;
  private error: unknown;
  private onClose: (() => void)[] = [];
  private roomWaiters: { limit: number; wake: () => void }[] = [];
  /** Sum of the queued items' weights. */
  private weight = 0;

  constructor(
    private readonly capacity = 50_000,
    /** The error a consumer that fell `capacity` units behind is ended with. */
    private readonly overflow: () => unknown = () => new Error(`Subscriber fell more than ${capacity} events behind; resubscribe from the last one received.`),
    /** What one item counts for against `capacity` (a chunk of log entries counts its entries). */
    private readonly weigh: (item: T) => number = () => 1,
  ) {}

  get closed() {
    return this.done;
  }

  push(item: T) {
    if (this.done) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = this.failWaiting = undefined;
      w({ value: item, done: false });
      return;
    }
    const w = this.weigh(item);
    if (this.weight + w > this.capacity) {
      this.fail(this.overflow());
      return;
    }
    this.queue.push(item);
    this.weight += w;
  }

  /** Queued units (items, or their weights). */
  get length() {
    return this.weight;
  }

  /**
   * Resolves once the queue holds at most `limit` units, half its capacity unless told (or the
   * channel is done): a producer that can wait (a backlog read from the database) waits here
   * instead of overflowing a consumer that is merely slower than the database.
   */
  room(limit = this.capacity / 2): Promise<void> {
    if (this.done || this.weight <= limit) return Promise.resolve();
    return new Promise((wake) => this.roomWaiters.push({ limit, wake }));
  }

  private wakeProducers() {
    if (!this.roomWaiters.length) return;
    const waiting = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiting) {
      if (this.done || this.weight <= w.limit) w.wake();
      else this.roomWaiters.push(w);
    }
  }

  /** Ends after the queued items are delivered. */
  end() {
    if (this.done) return;
    this.done = true;
    this.settle();
  }

  fail(error: unknown) {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.queue = [];
    this.weight = 0;
    this.wakeProducers();
    this.settle();
  }

  /** Runs when the consumer stops (return()) or the channel ends. */
  finally(fn: () => void) {
    this.onClose.push(fn);
  }

  private settle() {
    if (this.waiting && this.queue.length === 0) {
      const w = this.waiting;
      const f = this.failWaiting!;
      this.waiting = this.failWaiting = undefined;
      if (this.error) f(this.error);
      else w({ value: undefined, done: true });
    }
    if (this.queue.length === 0) this.cleanup();
  }

  private cleanup() {
    this.wakeProducers();
    const fns = this.onClose;
    this.onClose = [];
    for (const fn of fns) fn();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length) {
      const value = this.queue.shift()!;
      this.weight -= this.weigh(value);
      if (this.done && this.queue.length === 0) this.cleanup();
      else this.wakeProducers();
      return Promise.resolve({ value, done: false });
    }
    if (this.done) {
      this.cleanup();
      if (this.error) {
        const e = this.error;
        this.error = undefined;
        return Promise.reject(e);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.done = true;
    this.queue = [];
    this.weight = 0;
    if (this.waiting) this.waiting({ value: undefined, done: true });
    this.waiting = this.failWaiting = undefined;
    this.cleanup();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
