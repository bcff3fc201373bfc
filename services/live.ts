import type { Sql } from '../db/client';
import { findExecution, type ExecutionRecord } from '../db/queries/executions';
import { readLogs, type LogRecord } from '../db/queries/logs';
import { Channel } from '../lib/channel';
import { AppError } from '../lib/errors';

const PAGE = 5000;
/**
 * Entries queued for one log subscriber before it is cut off with an error (it resubscribes from
 * its last seq). The backlog waits for room instead; only live entries that a subscriber cannot
 * take as fast as they come count against it. With graphql-ws awaiting each socket write, a client
 * that stops reading fills its kernel buffers, then this queue, then is dropped.
 */
export const LOG_SUBSCRIBER_CAPACITY = 20_000;

/** A client code (not masked): the client knows to resubscribe from its last seq. */
const tooSlow = (n: number) => new AppError('RATE_LIMITED', `Subscriber fell more than ${n} entries behind; resubscribe from the last one received.`);
const FINAL = new Set(['SUCCESS', 'WARNING', 'FAILURE', 'CANCELLED', 'INTERRUPTED']);

type LogSub = { channel: Channel<LogRecord>; lastSent: number; backlogDone: boolean; pending: LogRecord[] };
type LogState = { readUpTo: number; finalSeq?: number; subs: Set<LogSub>; reading: boolean; again: boolean };
type ExecSub = { channel: Channel<ExecutionRecord>; accept: (e: ExecutionRecord) => boolean };

/**
 * Fans live log entries and execution changes out to this process's subscribers.
 * NOTIFY carries only "execution X has entries up to seq N"; each process reads new rows once,
 * whatever its number of subscribers, and delivers them by seq (backlog first, then live, no gap).
 */
export class LiveHub {
  private logs = new Map<number, LogState>();
  private execSubs = new Set<ExecSub>();
  private unlisten: (() => Promise<void>)[] = [];

  constructor(private readonly sql: Sql, private readonly onError: (e: unknown) => void = () => {}) {}

  async start() {
    // postgres.js re-LISTENs after a reconnect and calls onlisten again: catch up on whatever was missed meanwhile.
    const a = await this.sql.listen('jobdeck_log', (p) => this.onLog(p), () => this.catchUpAll());
    const b = await this.sql.listen('jobdeck_exec', (p) => void this.onExec(Number(p)), () => this.catchUpAll());
    this.unlisten.push(() => a.unlisten(), () => b.unlisten());
  }

  async stop() {
    for (const u of this.unlisten) await u().catch(() => {});
    for (const s of this.logs.values()) for (const sub of s.subs) sub.channel.end();
    for (const s of this.execSubs) s.channel.end();
  }

  get subscriberCount() {
    let n = this.execSubs.size;
    for (const s of this.logs.values()) n += s.subs.size;
    return n;
  }

  /** Entries of one execution after `afterSeq`: backlog, then live; ends when the execution has ended. */
  subscribeLog(exec: ExecutionRecord, afterSeq: number, capacity?: number): AsyncIterableIterator<LogRecord> {
    const cap = capacity ?? LOG_SUBSCRIBER_CAPACITY;
    const channel = new Channel<LogRecord>(cap, () => tooSlow(cap));
    const sub: LogSub = { channel, lastSent: afterSeq, backlogDone: false, pending: [] };
    void this.runLogSub(exec.id, sub).catch((e) => channel.fail(e));
    return channel;
  }
  /** The same stream as subscribeLog, coalesced: each event carries every entry that was ready (at most `max`). */
  async *subscribeLogBatches(exec: ExecutionRecord, afterSeq: number, max = 2000): AsyncGenerator<LogRecord[]> {
    const channel = this.subscribeLog(exec, afterSeq) as Channel<LogRecord>;
    try {
      for (;;) {
        const batch = await channel.nextBatch(max);
        if (batch.length === 0) return;
        yield batch;
      }
    } finally {
      await channel.return();
    }
  }


  private async runLogSub(id: number, sub: LogSub) {
    let state = this.logs.get(id);
    if (!state) {
      // Listening is already on; everything committed after this read arrives by NOTIFY.
      const e = await findExecution(this.sql, id);
      state = this.logs.get(id) ?? { readUpTo: e?.lastSeq ?? 0, subs: new Set(), reading: false, again: false };
      if (e && FINAL.has(e.status)) state.finalSeq = e.lastSeq;
      this.logs.set(id, state);
    }
    state.subs.add(sub);
    sub.channel.finally(() => this.detach(id, sub));
    for (;;) {
      await sub.channel.room();
      if (sub.channel.closed) return;
      const rows = await readLogs(this.sql, id, { afterSeq: sub.lastSent, first: PAGE });
      for (const r of rows) {
        sub.lastSent = r.seq;
        sub.channel.push(r);
      }
      if (rows.length < PAGE || sub.channel.closed) break;
    }
    sub.backlogDone = true;
    for (const r of sub.pending) if (r.seq > sub.lastSent) {
      sub.lastSent = r.seq;
      sub.channel.push(r);
    }
    sub.pending = [];
    if (state.finalSeq !== undefined && sub.lastSent >= state.finalSeq) sub.channel.end();
    else void this.pump(id, state);
  }

  private detach(id: number, sub: LogSub) {
    const s = this.logs.get(id);
    if (!s) return;
    s.subs.delete(sub);
    if (s.subs.size === 0) this.logs.delete(id);
  }

  /** Execution changes the subscriber accepts (scope and filters are decided by the caller). */
  subscribeExecutions(accept: (e: ExecutionRecord) => boolean): AsyncIterableIterator<ExecutionRecord> {
    const channel = new Channel<ExecutionRecord>(10_000);
    const sub = { channel, accept };
    this.execSubs.add(sub);
    channel.finally(() => this.execSubs.delete(sub));
    return channel;
  }

  private onLog(payload: string) {
    const [idText, seqText] = payload.split(':');
    const state = this.logs.get(Number(idText));
    if (state && Number(seqText) > state.readUpTo) void this.pump(Number(idText), state);
  }

  private async onExec(id: number) {
    const state = this.logs.get(id);
    if (!state && this.execSubs.size === 0) return;
    try {
      const e = await findExecution(this.sql, id);
      if (!e) return;
      if (state && FINAL.has(e.status)) {
        state.finalSeq = e.lastSeq;
        void this.pump(id, state);
      }
      for (const s of this.execSubs) if (s.accept(e)) s.channel.push(e);
    } catch (err) {
      this.onError(err);
    }
  }

  private catchUpAll() {
    for (const [id, s] of this.logs) {
      void this.pump(id, s);
      void this.onExec(id);
    }
  }

  /** One reader per execution per process: new rows are read once and handed to every subscriber. */
  private async pump(id: number, state: LogState) {
    if (state.reading) {
      state.again = true;
      return;
    }
    state.reading = true;
    try {
      for (;;) {
        state.again = false;
        const rows = await readLogs(this.sql, id, { afterSeq: state.readUpTo, first: PAGE });
        for (const r of rows) {
          state.readUpTo = r.seq;
          for (const sub of state.subs) {
            if (!sub.backlogDone) {
              // Live entries that arrive while a slow subscriber still reads its backlog are bounded too.
              if (sub.pending.length >= LOG_SUBSCRIBER_CAPACITY) {
                sub.pending = [];
                sub.channel.fail(tooSlow(LOG_SUBSCRIBER_CAPACITY));
              } else sub.pending.push(r);
            }
            else if (r.seq > sub.lastSent) {
              sub.lastSent = r.seq;
              sub.channel.push(r);
            }
          }
        }
        if (rows.length < PAGE && !state.again) break;
      }
    } catch (err) {
      this.onError(err);
    } finally {
      state.reading = false;
    }
    if (state.finalSeq !== undefined && state.readUpTo >= state.finalSeq) {
      for (const sub of state.subs) if (sub.backlogDone && sub.lastSent >= state.finalSeq) sub.channel.end();
    }
  }
}
