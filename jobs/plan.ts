/**
 * Job plans: validation of what admins (and JOBS_FILE) send, next occurrences, readable summaries.
 * Pure: no database, no timers.
 */
import { Cron } from 'croner';
import type { RuleJson } from '../db/schema/jobs';
import { badInput } from '../lib/errors';

export type RuleKind = RuleJson['kind'];
export type PlanKind = 'AUTOMATIC' | 'SCHEDULED' | 'DISABLED';
export type Plan = { kind: PlanKind; rule: RuleJson | null };
/** GraphQL RuleInput / JOBS_FILE "automatic". Checked at runtime, so untyped JSON may be passed too. */
export type RuleInput = {
  kind: string;
  every?: number | null;
  days?: readonly string[] | null;
  times?: readonly string[] | null;
  cron?: string | null;
  timeZone?: string | null;
  spreadMinutes?: number | null;
};
export type PlanInput = { kind: string; rule?: RuleInput | null };

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
const EVERY_MINUTES = [1, 2, 5, 10, 15, 20, 30];
const EVERY_HOURS = [1, 2, 3, 4, 6, 8, 12];
const MAX_TIMES = 48;
const MAX_CRON_CHARS = 200;
const RULE_KINDS: readonly RuleKind[] = ['EVERY_MINUTES', 'EVERY_HOURS', 'DAILY', 'CRON'];
// The longest IANA name is 32 characters; anything much longer is not a zone.
const MAX_ZONE_CHARS = 64;
const DAY_MS = 86_400_000;
const CRON_HORIZON_MS = 5 * 366 * DAY_MS;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
// Intl also takes offsets such as "+01:00"; the API promises IANA names only.
const ZONE_RE = /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = (xs: readonly (string | number)[]) => `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`;

// ---------------------------------------------------------------- validation

export function validateRule(input: unknown, field: string, defaultTimeZone = 'UTC'): RuleJson {
  if (!isRecord(input)) throw badInput(field, `${field} must be an object with a kind (${oneOf(RULE_KINDS)}).`);
  const kind = input.kind;
  let rule: Omit<RuleJson, 'timeZone'>;
  switch (kind) {
    case 'EVERY_MINUTES':
    case 'EVERY_HOURS': {
      const allowed = kind === 'EVERY_MINUTES' ? EVERY_MINUTES : EVERY_HOURS;
      if (typeof input.every !== 'number' || !allowed.includes(input.every))
        throw badInput(`${field}.every`, `every must be one of ${oneOf(allowed)} for ${kind}.`);
      rule = { kind, every: input.every };
      break;
    }
    case 'DAILY':
      rule = { kind, days: validateDays(input.days, `${field}.days`), times: validateTimes(input.times, `${field}.times`) };
      break;
    case 'CRON':
      rule = { kind, cron: validateCron(input.cron, `${field}.cron`) };
      break;
    default:
      throw badInput(`${field}.kind`, `kind must be one of ${oneOf(RULE_KINDS)}.`);
  }
  const timeZone = validateTimeZone(input.timeZone ?? defaultTimeZone, `${field}.timeZone`);
  const spreadMinutes = validateSpread(input.spreadMinutes, { ...rule, timeZone }, `${field}.spreadMinutes`);
  // No spread is stored as no key: rules saved before spread existed compare equal to new ones.
  return spreadMinutes ? { ...rule, timeZone, spreadMinutes } : { ...rule, timeZone };
}

export function validatePlan(input: unknown, field: string, defaultTimeZone = 'UTC'): Plan {
  if (!isRecord(input)) throw badInput(field, `${field} must be an object with a kind (AUTOMATIC, SCHEDULED or DISABLED).`);
  const { kind, rule } = input;
  if (kind === 'SCHEDULED') {
    if (rule == null) throw badInput(`${field}.rule`, 'A SCHEDULED plan needs a rule: give rule.kind and what that kind takes.');
    return { kind, rule: validateRule(rule, `${field}.rule`, defaultTimeZone) };
  }
  if (kind === 'AUTOMATIC' || kind === 'DISABLED') {
    // Refused rather than dropped: a caller sending one probably meant SCHEDULED.
    if (rule != null) throw badInput(`${field}.rule`, `A ${kind} plan takes no rule: leave rule out, or use kind SCHEDULED.`);
    return { kind, rule: null };
  }
  throw badInput(`${field}.kind`, 'kind must be one of AUTOMATIC, SCHEDULED or DISABLED.');
}

/** Upcoming occurrences looked at for a rule's shortest gap (DAILY with 48 times: four days). */
const GAP_SAMPLE = 200;

/**
 * The shortest time between two occurrences of a rule: n minutes for EVERY_MINUTES, else the
 * shortest gap among its next GAP_SAMPLE occurrences (a zone's clock change may shorten one later:
 * the spread code copes with that, see jobs/spread.ts). Infinity for a rule that fires once or never.
 */
export function shortestGapMs(rule: RuleJson, from = new Date()): number {
  if (rule.kind === 'EVERY_MINUTES' && rule.every) return rule.every * 60_000;
  const next = nextOccurrences(rule, from, GAP_SAMPLE);
  let gap = Infinity;
  for (let i = 1; i < next.length; i++) gap = Math.min(gap, next[i]!.getTime() - next[i - 1]!.getTime());
  return gap;
}

/** Words for a gap, in the unit a reader thinks in: "45 minutes", "4 hours", "1 day". */
function gapWords(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (minutes % 1440 === 0) return plural(minutes / 1440, 'day');
  if (minutes % 60 === 0) return plural(minutes / 60, 'hour');
  return plural(minutes, 'minute');
}

function validateSpread(spread: unknown, rule: RuleJson, field: string): number {
  if (spread === undefined || spread === null || spread === 0) return 0;
  if (typeof spread !== 'number' || !Number.isInteger(spread) || spread < 0)
    throw badInput(field, 'spreadMinutes must be a whole number of minutes, 0 or more (0: no spread).');
  const gapMs = shortestGapMs(rule);
  if (spread * 60_000 >= gapMs) {
    const most = Math.ceil(gapMs / 60_000) - 1;
    throw badInput(
      field,
      `spreadMinutes must be shorter than the shortest gap between two occurrences of this rule (${gapWords(gapMs)}): use at most ${most}, or a rule that runs less often.`,
    );
  }
  return spread;
}

function validateDays(days: unknown, field: string): string[] {
  const hint = `pick from ${WEEKDAYS.join(', ')}`;
  if (!Array.isArray(days) || days.length === 0) throw badInput(field, `DAILY needs at least one day: ${hint}.`);
  days.forEach((d, i) => {
    if (!(WEEKDAYS as readonly unknown[]).includes(d)) throw badInput(`${field}[${i}]`, `days[${i}] must be a weekday: ${hint}.`);
  });
  return WEEKDAYS.filter((d) => days.includes(d));
}

function validateTimes(times: unknown, field: string): string[] {
  if (!Array.isArray(times) || times.length === 0) throw badInput(field, 'DAILY needs at least one time, as HH:MM (e.g. 03:30).');
  times.forEach((t, i) => {
    if (typeof t !== 'string' || !TIME_RE.test(t))
      throw badInput(`${field}[${i}]`, `times[${i}] must be a time of day as HH:MM, from 00:00 to 23:59 (e.g. 03:30).`);
  });
  // "HH:MM" sorts as text in time order.
  const out = [...new Set(times as string[])].sort();
  if (out.length > MAX_TIMES) throw badInput(field, `DAILY takes at most ${MAX_TIMES} times; use a CRON rule for more.`);
  return out;
}

function validateCron(cron: unknown, field: string): string {
  const example = 'e.g. "0 3 * * 1" for 03:00 on Mondays';
  if (typeof cron !== 'string' || cron.trim() === '') throw badInput(field, `CRON needs a cron expression, ${example}.`);
  const expr = cron.trim().split(/\s+/).join(' ');
  if (expr.length > MAX_CRON_CHARS) throw badInput(field, `cron must be at most ${MAX_CRON_CHARS} characters.`);
  if (expr.split(' ').length !== 5)
    throw badInput(field, `cron must have exactly 5 fields (minute hour day-of-month month day-of-week), ${example}.`);
  let nextWall: Date | null;
  try {
    nextWall = wallMatcher(expr).nextRun(new Date());
  } catch {
    throw badInput(field, `cron must be a valid expression: numbers, names (JAN, MON), "*", ",", "-" and "*/n" in 5 fields, ${example}.`);
  }
  if (!nextWall || nextWall.getTime() - Date.now() > CRON_HORIZON_MS)
    throw badInput(field, 'cron never fires (e.g. 30 February): check the day-of-month and month fields.');
  return expr;
}

function validateTimeZone(zone: unknown, field: string): string {
  const message = 'timeZone must be an IANA time zone name, such as "Europe/Paris" or "UTC".';
  if (typeof zone !== 'string' || zone.length > MAX_ZONE_CHARS || !ZONE_RE.test(zone)) throw badInput(field, message);
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw badInput(field, message);
  }
  // Fix the case ("europe/paris") but keep the name given: ICU would turn "Asia/Kolkata" into "Asia/Calcutta".
  return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
}

// ---------------------------------------------------------------- occurrences

/**
 * croner does the calendar matching on the wall clock (in UTC, where no DST exists), and
 * instantOf() maps each wall time to one instant with the same DST rule for every kind of rule.
 * croner's own zoned mode applies that rule only to single-time patterns: lists, ranges and steps
 * skip a gap and run twice in an overlap.
 */
const wallMatcher = (pattern: string) => {
  // Parsed once per pattern (a paused matcher keeps no state between nextRun calls): the upcoming
  // list asks hundreds of rows for their next occurrences per request, and parsing the pattern each
  // time was half of its time. Any pattern refused by croner throws here, and is not kept.
  let m = matchers.get(pattern);
  if (!m) {
    // utcOffset 0 is UTC without Intl: the same times as timezone 'UTC' (compared over random
    // instants, any process TZ), ~50 → ~4 µs per nextRun.
    m = new Cron(pattern, { utcOffset: 0, mode: '5-part', paused: true });
    if (matchers.size >= MATCHERS_KEPT) matchers.clear();
    matchers.set(pattern, m);
  }
  return m;
};
const matchers = new Map<string, Cron>();
const MATCHERS_KEPT = 1000;

function patternsOf(rule: RuleJson): string[] {
  switch (rule.kind) {
    case 'EVERY_MINUTES':
      return [`*/${rule.every} * * * *`];
    case 'EVERY_HOURS':
      return [`0 */${rule.every} * * *`];
    case 'CRON':
      return [rule.cron ?? ''];
    case 'DAILY': {
      // One pattern per minute value: "30 2,14" is exact, "30,45 2,14" would add 02:45 and 14:30.
      const hoursByMinute = new Map<number, number[]>();
      for (const t of rule.times ?? []) {
        const [h, m] = t.split(':').map(Number) as [number, number];
        hoursByMinute.set(m, [...(hoursByMinute.get(m) ?? []), h]);
      }
      const days = (rule.days ?? []).join(',');
      return [...hoursByMinute].map(([m, hs]) => `${m} ${hs.join(',')} * * ${days}`);
    }
  }
}

// Enough for any real overlap (at most 2 h) walked minute by minute from its second pass.
const MAX_WALK_STEPS = 10_000;

function nextFrom(matchers: Cron[], zone: string, afterMs: number): number | null {
  let wallMs = wallClockMs(afterMs, zone);
  for (let step = 0; step < MAX_WALK_STEPS; step++) {
    let nextWallMs: number | null = null;
    for (const m of matchers) {
      const t = m.nextRun(new Date(wallMs))?.getTime();
      if (t !== undefined && (nextWallMs === null || t < nextWallMs)) nextWallMs = t;
    }
    if (nextWallMs === null) return null;
    // Not yet past `after` when `after` lies in the second pass of an overlap, or a gap maps onto it.
    const instantMs = instantOf(nextWallMs, zone);
    if (instantMs > afterMs) return instantMs;
    wallMs = nextWallMs;
  }
  throw new Error(`nextOccurrence: no progress after ${MAX_WALK_STEPS} steps`);
}

/** The first occurrence strictly after `after`, or null when the rule never fires again. */
export function nextOccurrence(rule: RuleJson, after: Date): Date | null {
  return nextOccurrences(rule, after, 1)[0] ?? null;
}

export type NextOccurrence = (rule: RuleJson, after: Date) => Date | null;

/**
 * nextOccurrence, each (rule, instant) computed once: the rows of one job across a fleet share
 * their rule, and the upcoming list asks the next occurrence of each row it passes — 100 rows due
 * at one hour asked the same question 100 times (~9 µs each, most of a page's own work). Rules are
 * told apart by what decides their occurrences (patterns and zone); at most `max` answers are kept.
 */
export function memoNextOccurrence(max = 10_000): NextOccurrence {
  const known = new Map<string, number | null>();
  return (rule, after) => {
    const key = `${rule.timeZone}\n${after.getTime()}\n${patternsOf(rule).join('\n')}`;
    let ms = known.get(key);
    if (ms === undefined) {
      ms = nextOccurrence(rule, after)?.getTime() ?? null;
      if (known.size < max) known.set(key, ms);
    }
    return ms === null ? null : new Date(ms);
  };
}

/** Up to `count` occurrences after `after`, strictly increasing. */
export function nextOccurrences(rule: RuleJson, after: Date, count: number): Date[] {
  const matchers = patternsOf(rule).map(wallMatcher);
  const out: Date[] = [];
  let fromMs = after.getTime();
  while (out.length < count) {
    const nextMs = nextFrom(matchers, rule.timeZone, fromMs);
    if (nextMs === null) break;
    out.push(new Date(nextMs));
    fromMs = nextMs;
  }
  return out;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  const n = 'numeric';
  const f = formatters.get(zone) ?? new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: n, month: n, day: n, hour: n, minute: n, second: n });
  formatters.set(zone, f);
  return f;
}

/** The zone's wall clock at an instant, as if it were UTC, to the second. */
function wallClockMs(instantMs: number, zone: string): number {
  // UTC's wall clock is the instant itself (to the second), without asking Intl.
  if (zone === 'UTC') return Math.floor(instantMs / 1000) * 1000;
  const parts = formatter(zone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
}

const offsetMs = (instantMs: number, zone: string) => {
  const wholeSecondMs = Math.floor(instantMs / 1000) * 1000;
  return wallClockMs(wholeSecondMs, zone) - wholeSecondMs;
};

/**
 * The instant a wall time runs at: the first of two in an overlap (fall back), and the first
 * instant after the gap for a time that does not exist (spring forward).
 */
function instantOf(wallMs: number, zone: string): number {
  // Real zones change offset at most once in two days, so these bracket any transition near wallMs.
  const earlyOffset = offsetMs(wallMs - DAY_MS, zone);
  const lateOffset = offsetMs(wallMs + DAY_MS, zone);
  if (earlyOffset === lateOffset) return wallMs - earlyOffset;
  const candidates = [wallMs - earlyOffset, wallMs - lateOffset].filter((t) => wallClockMs(t, zone) === wallMs);
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: the transition lies in (wallMs - lateOffset, wallMs - earlyOffset]; find it to the second.
  let beforeMs = wallMs - lateOffset;
  let afterMs = wallMs - earlyOffset;
  while (afterMs - beforeMs > 1000) {
    const midMs = beforeMs + Math.floor((afterMs - beforeMs) / 2000) * 1000;
    if (offsetMs(midMs, zone) === lateOffset) afterMs = midMs;
    else beforeMs = midMs;
  }
  return afterMs;
}

export { summarizePlan, summarizeRule } from './plan-summary';
