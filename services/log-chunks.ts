/**
 * Chunks of consecutive log entries, as the live hub (services/live.ts) hands them out: cutting rows
 * into chunks, reading a stream of chunks entry by entry, and finding what a returning subscriber
 * missed among the chunks kept in memory.
 */
import type { LogRecord } from '../db/queries/logs';
import type { Channel } from '../lib/channel';

/** Entries per event of executionLogBatch (a larger read is cut into chunks of this size). */
export const LOG_CHUNK = 2000;
/**
 * Consecutive entries of one execution. The same chunk object goes to every subscriber that is
 * caught up, so that what is computed from it (the GraphQL result, see graphql/shared-events.ts)
 * is computed once per process, not once per subscriber.
 */
export type LogChunk = readonly LogRecord[];

/** Cuts rows into chunks of at most LOG_CHUNK entries (the array itself when it is small enough). */
export function chunked(rows: readonly LogRecord[]): LogChunk[] {
  if (rows.length <= LOG_CHUNK) return [rows];
  const out: LogChunk[] = [];
  for (let i = 0; i < rows.length; i += LOG_CHUNK) out.push(rows.slice(i, i + LOG_CHUNK));
  return out;
}

/**
 * The kept chunks after `afterSeq` (the first one cut to start right after it), up to `page` entries;
 * undefined when what is kept does not reach back to afterSeq + 1 (the database has it). None when
 * the subscriber has everything read so far, even before anything is kept: what follows comes live
 * (a hundred viewers opening a flood during its first write had each read the database for it).
 */
export function recentAfter(state: { recent: readonly LogChunk[]; readUpTo: number }, afterSeq: number, page: number): LogChunk[] | undefined {
  if (afterSeq >= state.readUpTo) return [];
  const r = state.recent;
  if (!r.length || r[0]![0]!.seq > afterSeq + 1) return undefined;
  const out: LogChunk[] = [];
  let n = 0;
  for (const c of r) {
    if (c[c.length - 1]!.seq <= afterSeq) continue;
    const part = c[0]!.seq > afterSeq ? c : c.filter((x) => x.seq > afterSeq);
    out.push(part);
    n += part.length;
    if (n >= page) break;
  }
  return out;
}

/** One entry per event, from a channel of chunks (its capacity still counts entries). */
export function entriesOf(channel: Channel<LogChunk>): AsyncIterableIterator<LogRecord> {
  let chunk: LogChunk = [];
  let i = 0;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (i >= chunk.length) {
        const r = await channel.next();
        if (r.done) return r;
        chunk = r.value;
        i = 0;
      }
      return { done: false, value: chunk[i++]! };
    },
    return: () => channel.return(),
  } as AsyncIterableIterator<LogRecord>;
}

