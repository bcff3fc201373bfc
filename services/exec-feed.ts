import type { Sql } from '../db/client';
import { findExecutions, type ExecutionRecord } from '../db/queries/executions';
import { Channel } from '../lib/channel';
import { CoalescedReads } from '../lib/coalesced-reads';

type ExecSub = { channel: Channel<ExecutionRecord>; accept: (e: ExecutionRecord) => boolean };

/**
 * How long a read execution change is kept for subscribers still on their way: a page connects its
 * socket, reads its rows and subscribes, and a change committed between its read and its
 * subscription reaching the server is replayed to it instead of being lost.
 */
export const EXEC_REPLAY_MS = 10_000;
/** At most this many executions' latest states are kept for that replay (the oldest go first). */
export const EXEC_REPLAY_MAX = 10_000;

/**
 * Execution changes of one process (announced by jobdeck_exec) read and handed to its subscribers.
 * Changes announced together (a 500-row executeNow announces 500) are read in one query; reads run
 * one at a time, so an older state is never delivered after a newer one.
 */
export class ExecutionFeed {
  private subs = new Set<ExecSub>();
  /** Sockets that may subscribe soon (see retain): changes are read and kept for them. */
  private holders = 0;
  /** The latest state read of each recently changed execution, oldest first, with when it was read. */
  private recent = new Map<number, { e: ExecutionRecord; at: number }>();
  private reads: CoalescedReads;

  /** `onRead` sees every change read (the log hub ends its streams on them); `wanted` says which ids it needs read. */
  constructor(
    private readonly sql: Sql,
    private readonly onRead: (e: ExecutionRecord) => void,
    private readonly wanted: (id: number) => boolean,
    onError: (e: unknown) => void,
  ) {
    this.reads = new CoalescedReads((ids) => this.read(ids), onError);
  }

  get subscriberCount() {
    return this.subs.size;
  }

  end() {
    for (const s of this.subs) s.channel.end();
  }

  /**
   * Changes the subscriber accepts (scope and filters are decided by the caller). It first gets the
   * latest state of every accepted execution that changed in the last EXEC_REPLAY_MS (the reader may
   * have read its page just before them), then every change.
   */
  subscribe(accept: (e: ExecutionRecord) => boolean): AsyncIterableIterator<ExecutionRecord> {
    const channel = new Channel<ExecutionRecord>(10_000);
    const sub = { channel, accept };
    this.subs.add(sub);
    channel.finally(() => this.subs.delete(sub));
    const since = Date.now() - EXEC_REPLAY_MS;
    const replay = [...this.recent.values()].filter((r) => r.at >= since && accept(r.e)).map((r) => r.e);
    for (const e of replay.sort((a, b) => a.id - b.id)) channel.push(e);
    return channel;
  }

  /**
   * A socket that may subscribe is open: until the returned release, changes are read and kept for
   * the replay even while nobody subscribes (a page's first subscription is on its way).
   */
  retain() {
    this.holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holders === 0 && this.subs.size === 0) this.recent.clear();
    };
  }

  /** Execution `id` changed. */
  changed(id: number) {
    if (this.wanted(id) || this.subs.size > 0 || this.holders > 0) this.reads.add(id);
  }

  private async read(ids: number[]) {
    const rows = await findExecutions(this.sql, ids);
    rows.sort((a, b) => a.id - b.id);
    const at = Date.now();
    const kept = this.subs.size > 0 || this.holders > 0;
    for (const e of rows) {
      if (kept) this.remember(e, at);
      this.onRead(e);
      for (const s of this.subs) if (s.accept(e)) s.channel.push(e);
    }
  }

  private remember(e: ExecutionRecord, at: number) {
    this.recent.delete(e.id);
    this.recent.set(e.id, { e, at });
    const since = at - EXEC_REPLAY_MS;
    for (const [id, r] of this.recent) {
      if (r.at >= since && this.recent.size <= EXEC_REPLAY_MAX) break;
      this.recent.delete(id);
    }
  }
}
