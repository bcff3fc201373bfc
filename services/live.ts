import { performance } from 'node:perf_hooks';
import type { Sql } from '../db/client';
import { findExecution, type ExecutionRecord } from '../db/queries/executions';
import { readLogs, type LogRecord } from '../db/queries/logs';
import { Channel } from '../lib/channel';
import { AppError } from '../lib/errors';
import { ExecutionFeed } from './exec-feed';
import { FanoutBudget } from './fanout-budget';
import { chunked, entriesOf, recentAfter, type LogChunk } from './log-chunks';

export { LOG_CHUNK, type LogChunk } from './log-chunks';

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

/**
 * lagging: a flood's fan-out budget ran out while it was live (see FanoutBudget); it is caught up
 * from memory as the budget allows (catchUp) and gets nothing pushed meanwhile.
 */
type LogSub = { channel: Channel<LogChunk>; capacity: number; lastSent: number; backlogDone: boolean; pending: LogChunk[]; pendingCount: number; lagging: boolean };
/**
 * recent: the last chunks delivered for the execution, consecutive and ending at readUpTo (at most
 * RECENT_ENTRIES entries per execution, RECENT_BUDGET in all): a subscriber that was cut off for
 * falling behind and comes back catches up from memory instead of the database, whose reads would
 * compete with the job's own writes.
 */
type LogState = {
  id: number;
  readUpTo: number;
  finalSeq?: number;
  subs: Set<LogSub>;
  reading: boolean;
  again: boolean;
  recent: LogChunk[];
  recentCount: number;
  /** A worker of this process is writing entries up to here and will offer them (see expect). */
  expected?: number;
  /** Set while the state outlives its last subscriber (see LINGER_MS). */
  linger?: NodeJS.Timeout;
};

/**
 * How long an execution's state, with its recent entries, outlives its last subscriber: viewers of
 * a flood cut off for falling behind all at once come back to memory, not to the database (a
 * hundred viewers of a 200,000-line job read it again from PostgreSQL while it was being written).
 */
export const LINGER_MS = 10_000;

/** Entries kept per watched execution for subscribers that come back (see LogState.recent). */
export const RECENT_ENTRIES = 200_000;
/** Entries kept for all executions of this process together (~200 bytes each, with the answers built from them). */
export const RECENT_BUDGET = 300_000;

/**
 * Fans live log entries and execution changes out to this process's subscribers.
 * NOTIFY carries only "execution X has entries up to seq N"; each process reads new rows once,
 * whatever its number of subscribers, and delivers them by seq (backlog first, then live, no gap).
 * Entries written by a worker in this same process are handed over directly (offer) once
 * committed, without the NOTIFY and read round trips.
 */
export class LiveHub {
  private logs = new Map<number, LogState>();
  private execs: ExecutionFeed;
  private unlisten: (() => Promise<void>)[] = [];
  /** Time live log fan-out may take while a writer of this process floods (lib/web.ts counts its sends). */
  readonly budget = new FanoutBudget();

  constructor(private readonly sql: Sql, private readonly onError: (e: unknown) => void = () => {}) {
    this.execs = new ExecutionFeed(sql, (e) => this.execRead(e), (id) => this.logs.has(id), onError);
  }

  async start() {
    // postgres.js re-LISTENs after a reconnect and calls onlisten again: catch up on whatever was missed meanwhile.
    const a = await this.sql.listen('jobdeck_log', (p) => this.onLog(p), () => this.catchUpAll());
    // One id, or many comma-separated (executions opened together: db/queries/executions.ts openExecutions).
    const b = await this.sql.listen('jobdeck_exec', (p) => { for (const id of p.split(',')) this.execs.changed(Number(id)); }, () => this.catchUpAll());
    this.unlisten.push(() => a.unlisten(), () => b.unlisten());
  }

  async stop() {
    for (const u of this.unlisten) await u().catch(() => {});
    this.budget.release();
    for (const s of this.logs.values()) {
      clearTimeout(s.linger);
      for (const sub of s.subs) sub.channel.end();
    }
    this.execs.end();
  }

  get subscriberCount() {
    let n = this.execs.subscriberCount;
    for (const s of this.logs.values()) n += s.subs.size;
    return n;
  }

  /** Entries of one execution after `afterSeq`, one per event: backlog, then live; ends when the execution has ended. */
  subscribeLog(exec: ExecutionRecord, afterSeq: number, capacity?: number): AsyncIterableIterator<LogRecord> {
    return entriesOf(this.subscribeLogBatches(exec, afterSeq, capacity));
  }

  /** The same stream as subscribeLog, one chunk per event (every entry that was ready, at most LOG_CHUNK). */
  subscribeLogBatches(exec: ExecutionRecord, afterSeq: number, capacity?: number): Channel<LogChunk> {
    const cap = capacity ?? LOG_SUBSCRIBER_CAPACITY;
    const channel = new Channel<LogChunk>(cap, () => tooSlow(cap), (c) => c.length);
    const sub: LogSub = { channel, capacity: cap, lastSent: afterSeq, backlogDone: false, pending: [], pendingCount: 0, lagging: false };
    void this.runLogSub(exec, sub).catch((e) => channel.fail(e));
    return channel;
  }

  /** Whether entries of this execution have subscribers in this process (a worker's cue to offer them). */
  wants(executionId: number) {
    return this.logs.has(executionId);
  }

  /** A writer of this process has entries waiting behind each batch it writes, or no longer: fan-out keeps to its budget meanwhile. */
  flooding(executionId: number, on: boolean) {
    this.budget.flood(executionId, on);
  }

  /**
   * Entries of an execution that a worker of this process has just committed, in seq order. They
   * are delivered at once when they follow what was delivered; otherwise the NOTIFY path reads them.
   */
  offer(executionId: number, rows: readonly LogRecord[]) {
    const state = this.logs.get(executionId);
    if (!state || !rows.length) return;
    // Not following what was delivered (a subscriber came in between): read them instead.
    if (rows[0]!.seq > state.readUpTo + 1) return void this.pump(executionId, state);
    this.deliver(state, rows);
    this.endIfDone(state);
  }

  /**
   * A worker of this process is writing entries up to `seq` and offers them once committed: their
   * NOTIFY needs no read. Told before the write is sent, since the NOTIFY of a commit often comes
   * in before the writer's own answer: told after it, the hub read every such batch from the
   * database as well (a third of a 200,000-line flood again, competing with the job's writes).
   */
  expect(executionId: number, seq: number) {
    const state = this.logs.get(executionId);
    if (state && seq > (state.expected ?? 0)) state.expected = seq;
  }

  /** The worker will not offer what it announced (its writer gave up): read what the database has. */
  abandon(executionId: number) {
    const state = this.logs.get(executionId);
    if (!state || state.expected === undefined) return;
    state.expected = undefined;
    void this.pump(executionId, state);
  }

  private async runLogSub(exec: ExecutionRecord, sub: LogSub) {
    const id = exec.id;
    let state = this.logs.get(id);
    const created = !state;
    if (!state) {
      // `exec` was read while listening was on (the subscriber's own check of it): everything
      // committed after it is announced by NOTIFY, and the pump reads from its lastSeq on.
      state = { id, readUpTo: exec.lastSeq, subs: new Set(), reading: false, again: false, recent: [], recentCount: 0 };
      if (FINAL.has(exec.status)) state.finalSeq = exec.lastSeq;
      this.logs.set(id, state);
    }
    clearTimeout(state.linger);
    state.linger = undefined;
    state.subs.add(sub);
    sub.channel.finally(() => this.detach(id, sub));
    // What was committed between that read and now was announced before the state existed: read
    // once. A state that existed already has heard every NOTIFY since it was made.
    if (created) void this.pump(id, state);
    for (;;) {
      await sub.channel.room();
      if (sub.channel.closed) return;
      const kept = recentAfter(state, sub.lastSent, PAGE);
      if (kept) {
        // Everything after lastSent that this process has read is in memory: no read.
        for (const c of kept) {
          sub.lastSent = c[c.length - 1]!.seq;
          sub.channel.push(c);
        }
        if (sub.lastSent >= state.readUpTo) break;
        continue;
      }
      const rows = await this.read(id, sub.lastSent);
      if (rows.length) {
        sub.lastSent = rows[rows.length - 1]!.seq;
        for (const c of chunked(rows)) sub.channel.push(c);
      }
      if (rows.length < PAGE || sub.channel.closed) break;
    }
    sub.backlogDone = true;
    const pending = sub.pending;
    sub.pending = [];
    sub.pendingCount = 0;
    for (const c of pending) this.give(state, sub, c);
    if (state.finalSeq === undefined) {
      // An end committed before the state existed was announced to nobody: look once, after the
      // backlog went out (the first entries do not wait for this read).
      const e = await findExecution(this.sql, id);
      if (e && FINAL.has(e.status)) state.finalSeq = e.lastSeq;
    }
    if (state.finalSeq === undefined) return;
    if (sub.lastSent >= state.finalSeq) sub.channel.end();
    else void this.pump(id, state);
  }

  private detach(id: number, sub: LogSub) {
    const s = this.logs.get(id);
    if (!s) return;
    s.subs.delete(sub);
    if (s.subs.size === 0 && !s.linger) {
      s.linger = setTimeout(() => {
        s.linger = undefined;
        if (s.subs.size || this.logs.get(id) !== s) return;
        this.forgetRecent(s);
        this.logs.delete(id);
      }, LINGER_MS);
      s.linger.unref();
    }
  }

  /** New rows (ascending seq) to every subscriber of the execution; rows already delivered are skipped. */
  private deliver(state: LogState, rows: readonly LogRecord[]) {
    let i = 0;
    while (i < rows.length && rows[i]!.seq <= state.readUpTo) i++;
    if (i === rows.length) return;
    const fresh = i ? rows.slice(i) : rows;
    // What is kept stays consecutive: rows that do not follow it start it afresh.
    if (fresh[0]!.seq !== state.readUpTo + 1) this.forgetRecent(state);
    state.readUpTo = fresh[fresh.length - 1]!.seq;
    for (const chunk of chunked(fresh)) {
      for (const sub of state.subs) this.give(state, sub, chunk);
      this.keep(state, chunk);
    }
  }

  private recentTotal = 0;
  private forgetRecent(state: LogState) {
    this.recentTotal -= state.recentCount;
    state.recent = [];
    state.recentCount = 0;
  }
  /** Appends a delivered chunk to the execution's recent entries, within both limits. */
  private keep(state: LogState, chunk: LogChunk) {
    state.recent.push(chunk);
    state.recentCount += chunk.length;
    this.recentTotal += chunk.length;
    // Over the budget: executions nobody watches any more (lingering) give theirs up first.
    if (this.recentTotal > RECENT_BUDGET) for (const s of this.logs.values()) if (s !== state && s.linger && s.recentCount) this.forgetRecent(s);
    while (state.recent.length > 1 && (state.recentCount > RECENT_ENTRIES || this.recentTotal > RECENT_BUDGET)) {
      const old = state.recent.shift()!;
      state.recentCount -= old.length;
      this.recentTotal -= old.length;
    }
  }

  private give(state: LogState, sub: LogSub, chunk: LogChunk) {
    if (!sub.backlogDone) {
      // Live entries that arrive while a slow subscriber still reads its backlog are bounded too.
      if (sub.pendingCount + chunk.length > LOG_SUBSCRIBER_CAPACITY) {
        sub.pending = [];
        sub.pendingCount = 0;
        sub.channel.fail(tooSlow(LOG_SUBSCRIBER_CAPACITY));
      } else {
        sub.pending.push(chunk);
        sub.pendingCount += chunk.length;
      }
      return;
    }
    if (sub.lagging) {
      // Its catch-up reads what it missed from memory. One that does not take what it was given (a
      // socket that stopped reading) is cut off once it is as far behind as a live one would be.
      if (sub.channel.length > 0 && state.readUpTo - sub.lastSent > sub.capacity) sub.channel.fail(tooSlow(sub.capacity));
      return;
    }
    const last = chunk[chunk.length - 1]!.seq;
    if (last <= sub.lastSent) return;
    // During a flood every subscriber is served by its catch-up, one chunk at a time as the budget
    // allows: what a send costs is counted only once it is sent, and pushing a write of 10,000
    // entries to every viewer at once spent the budget a hundred times over.
    if (this.budget.flooding) {
      sub.lagging = true;
      void this.catchUp(state, sub).catch((e) => sub.channel.fail(e));
      return;
    }
    const part = chunk[0]!.seq > sub.lastSent ? chunk : chunk.filter((r) => r.seq > sub.lastSent);
    sub.lastSent = last;
    sub.channel.push(part);
  }

  /**
   * A live subscriber that the flood's budget left behind: one chunk at a time, each once the one
   * before it has been taken and the budget allows, from memory (the database when memory no longer
   * reaches back), until it has everything read so far; then it is live again.
   */
  private async catchUp(state: LogState, sub: LogSub) {
    for (;;) {
      await sub.channel.room(0);
      await this.budget.ready();
      if (sub.channel.closed) return;
      if (sub.lastSent >= state.readUpTo) break;
      const kept = recentAfter(state, sub.lastSent, 1);
      // Not in memory: the database, once the flood is over (a hundred viewers reading it would slow the writer).
      if (!kept && this.budget.flooding) {
        await this.budget.calm();
        continue;
      }
      const chunk = kept?.[0] ?? (await this.read(state.id, sub.lastSent));
      if (sub.channel.closed) return;
      // While it lags, this is the subscriber's only sender.
      const fresh = chunk.length && chunk[0]!.seq > sub.lastSent ? chunk : chunk.filter((r) => r.seq > sub.lastSent);
      // The database has nothing more (its entries were deleted meanwhile): live again.
      if (!fresh.length) break;
      for (const c of chunked(fresh)) sub.channel.push(c);
      sub.lastSent = fresh[fresh.length - 1]!.seq;
    }
    sub.lagging = false;
    if (state.finalSeq !== undefined && sub.lastSent >= state.finalSeq) sub.channel.end();
  }

  private endIfDone(state: LogState) {
    if (state.finalSeq !== undefined && state.readUpTo >= state.finalSeq) {
      for (const sub of state.subs) if (sub.backlogDone && sub.lastSent >= state.finalSeq) sub.channel.end();
    }
  }

  /** Execution changes the subscriber accepts, the last seconds' first (see ExecutionFeed.subscribe). */
  subscribeExecutions(accept: (e: ExecutionRecord) => boolean): AsyncIterableIterator<ExecutionRecord> {
    return this.execs.subscribe(accept);
  }

  /** A socket that may subscribe to execution changes is open, until the returned release (see ExecutionFeed.retain). */
  retainExecutions() {
    return this.execs.retain();
  }

  private onLog(payload: string) {
    const [idText, seqText, flood] = payload.split(':');
    const id = Number(idText);
    const state = this.logs.get(id);
    if (!state) return;
    // A writer in another process floods (or no longer): what this process reads for its viewers
    // and sends them keeps to the budget too. Its own key (-id): a writer of this process says so itself.
    if (flood === 'flood' || this.budget.floodsFor(-id)) this.budget.flood(-id, flood === 'flood');
    const seq = Number(seqText);
    if (seq > state.readUpTo && seq > (state.expected ?? 0)) void this.pump(id, state);
  }

  /** An execution's change was read: a stream of its log ends once its final entries are delivered. */
  private execRead(e: ExecutionRecord) {
    const state = this.logs.get(e.id);
    if (state && FINAL.has(e.status)) {
      state.finalSeq = e.lastSeq;
      void this.pump(e.id, state);
    }
  }

  private catchUpAll() {
    for (const [id, s] of this.logs) {
      void this.pump(id, s);
      this.execs.changed(id);
    }
  }

  /** A page of an execution's entries from the database (test/integration/live-reads.test.ts counts them). */
  private read(id: number, afterSeq: number) {
    return readLogs(this.sql, id, { afterSeq, first: PAGE });
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
        // During a flood a read counts against the budget like a send: viewers in a web process
        // beside the writer's worker, reading each batch as it was stored, slowed the job 2 ×.
        const paced = this.budget.flooding;
        if (paced) await this.budget.ready();
        const started = performance.now();
        const rows = await this.read(id, state.readUpTo);
        if (paced) this.budget.spent(performance.now() - started);
        this.deliver(state, rows);
        if (rows.length < PAGE && !state.again) break;
      }
    } catch (err) {
      this.onError(err);
    } finally {
      state.reading = false;
    }
    this.endIfDone(state);
  }
}
