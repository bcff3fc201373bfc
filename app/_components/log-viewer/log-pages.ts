import type { LogEntry, LogLevel } from '../../_lib/types';

/**
 * The lines of one log as the viewer holds them: pages of PAGE_LINES, read when they come on screen,
 * at most MAX_PAGES of them kept (least recently shown evicted first), so a tab holds the same few MB
 * whether the log has 100 lines or 100 million. Plain classes, no React: the viewer re-renders when
 * `changed` is called.
 */

export const PAGE_LINES = 500;
/** 40 × 500 = 20,000 lines kept, whatever the log's length. */
export const MAX_PAGES = 40;
/** Requests at once: a drag of the scroll bar asks for the pages under it, not for every page it crossed. */
const MAX_IN_FLIGHT = 2;
/** A filtered list that reached the end of a live log asks again for new matches at most this often. */
const REFRESH_MS = 500;

export type LogFilter = { levels: LogLevel[] | null; text: string | null };
export type LogWindow = { entries: LogEntry[]; hasMore: boolean };
/** `logs(afterSeq, first, levels, text)` of the execution; null when the execution is gone. */
export type FetchWindow = (afterSeq: number, first: number, filter: LogFilter | null) => Promise<LogWindow | null>;

/** What the list shows, whatever the source: rows 0 … count-1, more maybe to come after them. */
export interface LogRows {
  readonly count: number;
  /** Rows may follow the last one (a filtered list not read to its end). */
  readonly more: boolean;
  entry(index: number): LogEntry | undefined;
  /** Pages held now (at most MAX_PAGES): shown on the list for tests and the memory figure. */
  readonly held: number;
  /** Rows [from, to] are on screen (with their margins): their pages are read and kept. */
  show(from: number, to: number): void;
  /** While closed (the viewer unmounted), answers that arrive are dropped and nothing is asked. */
  open(): void;
  close(): void;
  /** Ask again for the pages whose reading failed (the connection came back). */
  retry(): void;
}

/** No row at all: a filter with every level turned off. */
export const NO_ROWS: LogRows = { count: 0, more: false, held: 0, entry: () => undefined, show: () => undefined, open: () => undefined, close: () => undefined, retry: () => undefined };

type Page = {
  entries: (LogEntry | undefined)[];
  filled: number;
  /** Seqs up to this one were asked of the server: an empty slot at or below it is not coming. */
  askedUpTo: number;
};

interface Events {
  changed(): void;
  error(e: unknown): void;
  gone(): void;
}

abstract class PagedRows {
  protected readonly pages = new Map<number, Page>(); // in LRU order, oldest first
  protected shown: number[] = [];
  private readonly inFlight = new Set<number>();
  private readonly failed = new Set<number>();
  protected closed = false;

  constructor(protected readonly fetch: FetchWindow, protected readonly on: Events) {}

  protected abstract needs(p: number): boolean;
  protected abstract load(p: number): Promise<boolean>;
  protected abstract lastPage(): number;

  entry(index: number): LogEntry | undefined {
    return this.pages.get(Math.floor(index / PAGE_LINES))?.entries[index % PAGE_LINES];
  }

  show(from: number, to: number) {
    const first = Math.max(0, Math.floor(from / PAGE_LINES));
    const last = Math.min(this.lastPage(), Math.floor(Math.max(from, to) / PAGE_LINES));
    const next: number[] = [];
    for (let p = first; p <= last; p++) next.push(p);
    // A failed page is asked again once it leaves the screen and comes back (or after retry()).
    for (const p of this.failed) if (!next.includes(p)) this.failed.delete(p);
    this.shown = next;
    for (const p of next) this.touch(p);
    this.pump();
  }

  /** After a lost connection came back: ask again for what failed. */
  retry() {
    this.failed.clear();
    this.pump();
  }

  open() {
    this.closed = false;
    this.pump();
  }

  close() {
    this.closed = true;
  }

  get held() {
    return this.pages.size;
  }

  protected page(p: number): Page {
    let pg = this.pages.get(p);
    if (!pg) {
      pg = { entries: new Array<LogEntry | undefined>(PAGE_LINES), filled: 0, askedUpTo: p * PAGE_LINES };
      this.pages.set(p, pg);
      this.evict();
    }
    return pg;
  }

  protected put(pg: Page, slot: number, e: LogEntry) {
    if (!pg.entries[slot]) pg.filled++;
    pg.entries[slot] = e;
  }

  private touch(p: number) {
    const pg = this.pages.get(p);
    if (!pg) return;
    this.pages.delete(p);
    this.pages.set(p, pg);
  }

  private evict() {
    if (this.pages.size <= MAX_PAGES) return;
    for (const p of this.pages.keys()) {
      if (this.pages.size <= MAX_PAGES) break;
      if (!this.shown.includes(p)) this.pages.delete(p);
    }
  }

  protected pump() {
    if (this.closed) return;
    for (const p of this.shown) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) return;
      if (this.inFlight.has(p) || this.failed.has(p) || !this.needs(p)) continue;
      this.inFlight.add(p);
      this.load(p).then(
        (found) => {
          this.inFlight.delete(p);
          if (this.closed) return;
          if (!found) return this.on.gone();
          this.on.changed();
          this.pump();
        },
        (e: unknown) => {
          this.inFlight.delete(p);
          if (this.closed) return;
          this.failed.add(p);
          this.on.error(e);
        },
      );
    }
  }
}

/** The whole log, row i being the line of seq i + 1 (seqs run from 1 without a gap). */
export class SeqRows extends PagedRows implements LogRows {
  /** Lines in the log: its lastSeq, grown by live lines. */
  total = 0;
  readonly more = false;
  private progressSeq = 0;
  /** The last progress a PROGRESS line gave ("42", "42%", "::progress::42"), for a run that reports none itself. */
  progress: number | null = null;

  get count() {
    return this.total;
  }

  protected lastPage() {
    return Math.ceil(this.total / PAGE_LINES) - 1;
  }

  protected needs(p: number) {
    const first = p * PAGE_LINES + 1;
    const last = Math.min((p + 1) * PAGE_LINES, this.total);
    if (last < first) return false;
    const pg = this.pages.get(p);
    if (!pg) return true;
    return pg.filled < last - first + 1 && pg.askedUpTo < last;
  }

  protected async load(p: number) {
    const asked = Math.min((p + 1) * PAGE_LINES, this.total);
    const r = await this.fetch(p * PAGE_LINES, PAGE_LINES, null);
    if (!r || this.closed) return !!r;
    const pg = this.page(p);
    this.add(pg, r.entries);
    pg.askedUpTo = Math.max(pg.askedUpTo, asked);
    return true;
  }

  private add(pg: Page, list: readonly LogEntry[]) {
    for (const e of list) {
      this.put(pg, (e.seq - 1) % PAGE_LINES, e);
      if (e.level === 'PROGRESS' && e.seq > this.progressSeq) {
        const m = /(\d{1,3})(?:\s*%)?/.exec(e.message);
        if (m) {
          this.progressSeq = e.seq;
          this.progress = Math.min(100, Number(m[1]));
        }
      }
    }
    const last = list[list.length - 1];
    if (last && last.seq > this.total) this.total = last.seq;
  }

  /** Live lines (consecutive, in seq order): kept in their pages, the log grows to the last one. */
  append(list: readonly LogEntry[]) {
    let i = 0;
    while (i < list.length) {
      const p = Math.floor((list[i]!.seq - 1) / PAGE_LINES);
      let j = i;
      while (j < list.length && Math.floor((list[j]!.seq - 1) / PAGE_LINES) === p) j++;
      this.add(this.page(p), list.slice(i, j));
      i = j;
    }
    this.pump();
  }
}

/**
 * The lines a filter keeps, read forward from the start (the server filters: `logs(afterSeq, first,
 * levels, text)`). The cursor of each page (the seq its request starts after) is kept once known, so
 * an evicted page is read again exactly; every page but the last is full. The number of matches is
 * known once the end is reached; while the log grows, the last page is read again for new matches.
 */
export class FilterRows extends PagedRows implements LogRows {
  private readonly cursors: number[] = [0];
  private lastLen = 0;
  private ended = false;
  /** The log's length when the last page was last read: it is read again when the log grew. */
  private endAt = 0;
  private endReadAt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(fetch: FetchWindow, on: Events, private readonly filter: LogFilter, private readonly total: () => number) {
    super(fetch, on);
  }

  get count() {
    return (this.cursors.length - 1) * PAGE_LINES + this.lastLen;
  }

  /** Rows may follow: the end was not reached yet. */
  get more() {
    return !this.ended;
  }

  protected lastPage() {
    return this.cursors.length - 1;
  }

  protected needs(p: number) {
    if (p >= this.cursors.length) return false;
    if (!this.pages.has(p)) return true;
    if (p < this.cursors.length - 1 || !this.ended || this.total() <= this.endAt) return false;
    // The log grew since its last page was read: new matches may be there, asked at most every REFRESH_MS.
    const wait = this.endReadAt + REFRESH_MS - Date.now();
    if (wait <= 0) return true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, wait);
    return false;
  }

  protected async load(p: number) {
    const totalAsked = this.total();
    const r = await this.fetch(this.cursors[p]!, PAGE_LINES, this.filter);
    if (!r || this.closed) return !!r;
    const pg = this.page(p);
    pg.entries = r.entries.slice();
    pg.filled = r.entries.length;
    if (p === this.cursors.length - 1) {
      const last = r.entries[r.entries.length - 1];
      if (r.hasMore && last && r.entries.length === PAGE_LINES) {
        this.cursors.push(last.seq);
        this.lastLen = 0;
        this.ended = false;
      } else {
        this.lastLen = r.entries.length;
        this.ended = !r.hasMore;
        this.endAt = totalAsked;
        this.endReadAt = Date.now();
      }
    }
    return true;
  }

  override close() {
    super.close();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
