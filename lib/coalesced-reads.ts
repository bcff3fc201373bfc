/**
 * Ids announced one by one (NOTIFY payloads) read together: every id added before the next turn of
 * the event loop goes into one call of `read`, at most `batch` at a time, and calls run one after
 * another, so a reader never sees an older state after a newer one. A failed call goes to
 * `onError`; the ids announced after it are read as usual.
 */
export class CoalescedReads {
  private pending = new Set<number>();
  private reading = false;

  constructor(
    private readonly read: (ids: number[]) => Promise<void>,
    private readonly onError: (e: unknown) => void = () => {},
    private readonly batch = Infinity,
  ) {}

  add(id: number) {
    this.pending.add(id);
    if (!this.reading) {
      this.reading = true;
      setImmediate(() => void this.drain());
    }
  }

  private async drain() {
    try {
      while (this.pending.size) {
        const ids = [...this.pending].slice(0, this.batch);
        for (const id of ids) this.pending.delete(id);
        try {
          await this.read(ids);
        } catch (err) {
          this.onError(err);
        }
      }
    } finally {
      this.reading = false;
    }
  }
}
