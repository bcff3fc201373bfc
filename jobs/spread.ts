/**
 * Spread (API.md, "Fleet operations"): a rule with spreadMinutes runs each row at its own steady
 * offset after every occurrence, so 20,000 rows of one job do not start in the same second. The
 * offset comes from a hash of (jobId, domain) alone: the same after a restart, on every process and
 * across plan changes. Pure: no database, no timers.
 */
import type { RuleJson } from '../db/schema/jobs';
import { nextOccurrence, nextOccurrences, type NextOccurrence } from './plan';

/** What names a row for its offset. */
export type RowKey = { jobId: string; domain: string };

/**
 * 32 bits of (jobId, domain): FNV-1a over the UTF-16 code units, then murmur3's finalizer, which
 * spreads the small differences of "d00017.example" and "d00018.example" over every bit.
 */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The row's place in the window as a fraction in [0, 1). Kept apart from the spread itself, so a
 * longer or shorter spread scales the offset and every row keeps its place relative to the others.
 */
export const spreadFraction = (row: RowKey) => hash32(`${row.jobId}\n${row.domain}`) / 2 ** 32;

/** The row's offset in milliseconds: whole seconds in [0, spreadMinutes) minutes; 0 without spread. */
export function spreadOffsetMs(row: RowKey, spreadMinutes: number | null | undefined): number {
  if (!spreadMinutes || spreadMinutes <= 0) return 0;
  return Math.floor(spreadFraction(row) * spreadMinutes * 60) * 1000;
}

/**
 * The row's first run strictly after `after`: the rule's occurrence after `after - offset`, plus the
 * offset. `next`: how occurrences are found (a memo of them, for many rows: memoNextOccurrence).
 */
export function nextRunOf(rule: RuleJson, row: RowKey, after: Date, next: NextOccurrence = nextOccurrence): Date | null {
  const offsetMs = spreadOffsetMs(row, rule.spreadMinutes);
  if (!offsetMs) return next(rule, after);
  const base = next(rule, new Date(after.getTime() - offsetMs));
  return base ? new Date(base.getTime() + offsetMs) : null;
}

/** Up to `count` runs of the row after `after`, strictly increasing (previewRule with a job). */
export function nextRunsOf(rule: RuleJson, row: RowKey, after: Date, count: number): Date[] {
  const offsetMs = spreadOffsetMs(row, rule.spreadMinutes);
  return nextOccurrences(rule, new Date(after.getTime() - offsetMs), count).map((d) => new Date(d.getTime() + offsetMs));
}

/**
 * The next runs of many rows of one rule after one instant. The rule's occurrences after
 * `after - spread` are computed once (two are enough while the spread is shorter than every gap;
 * more are added when a time-zone change makes a gap shorter), then each row picks the first one
 * its offset puts after `after`: 20,000 rows cost two occurrences and 20,000 hashes.
 */
export class RuleRuns {
  private readonly bases: number[] = [];
  private ended = false;
  private readonly spreadMs: number;

  constructor(
    private readonly rule: RuleJson,
    private readonly afterMs: number,
  ) {
    this.spreadMs = (rule.spreadMinutes ?? 0) > 0 ? rule.spreadMinutes! * 60_000 : 0;
  }

  private more(): boolean {
    if (this.ended) return false;
    const fromMs = this.bases.length ? this.bases[this.bases.length - 1]! : this.afterMs - this.spreadMs;
    const next = nextOccurrence(this.rule, new Date(fromMs));
    if (!next) this.ended = true;
    else this.bases.push(next.getTime());
    return !this.ended;
  }

  nextFor(row: RowKey): Date | null {
    const offsetMs = spreadOffsetMs(row, this.rule.spreadMinutes);
    const sinceMs = this.afterMs - offsetMs;
    for (let i = 0; ; i++) {
      if (i >= this.bases.length && !this.more()) return null;
      const b = this.bases[i]!;
      if (b > sinceMs) return new Date(b + offsetMs);
    }
  }
}

/** RuleRuns by rule, for rows of several rules after one instant (rows of one job share theirs). */
export class NextRuns {
  private readonly byRule = new Map<string, RuleRuns>();
  private readonly afterMs: number;

  constructor(after: Date) {
    this.afterMs = after.getTime();
  }

  of(rule: RuleJson, row: RowKey): Date | null {
    const key = JSON.stringify(rule);
    let runs = this.byRule.get(key);
    if (!runs) this.byRule.set(key, (runs = new RuleRuns(rule, this.afterMs)));
    return runs.nextFor(row);
  }
}
