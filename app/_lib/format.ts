// The console's one formatter for dates, times and durations: every screen goes through here (most
// through app/_components/DateText.tsx), so a date reads the same everywhere.
//
// Language: the console's (next-intl's locale, passed in). Clock: that locale's own (24-hour unless that locale uses a 12-hour clock, as en-US does);
// Intl picks it when no hourCycle is forced, and a native <input type="time"> follows the same locale.
// Zone: the viewer's (the browser's), unless a time belongs to a rule in another zone; then the
// zone is written next to it.

export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** One formatter per (locale, style, zone): building an Intl.DateTimeFormat costs far more than using one. */
const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, style: 'short' | 'seconds' | 'dayMonth' | 'full' | 'time' | 'clock' | 'ymd', zone: string | undefined) {
  const key = `${locale}\n${style}\n${zone ?? ''}`;
  let f = cache.get(key);
  if (!f) {
    const timeZone = zone;
    const hm = { hour: '2-digit', minute: '2-digit' } as const;
    const opts: Intl.DateTimeFormatOptions =
      style === 'short' ? { year: 'numeric', month: 'short', day: '2-digit', ...hm, timeZone }
      : style === 'seconds' ? { year: 'numeric', month: 'short', day: '2-digit', ...hm, second: '2-digit', timeZone }
      : style === 'full' ? { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', ...hm, second: '2-digit', timeZoneName: 'long', timeZone }
      : style === 'dayMonth' ? { month: 'short', day: '2-digit', ...hm, second: '2-digit', timeZone }
      : style === 'time' ? { ...hm, second: '2-digit', timeZone }
      : style === 'ymd' ? { year: 'numeric', month: '2-digit', day: '2-digit', timeZone }
      : { ...hm, timeZone: 'UTC' };
    f = new Intl.DateTimeFormat(locale, opts);
    cache.set(key, f);
  }
  return f;
}

/** The canonical name of a zone ("Etc/UTC" and "UTC" are one), or the name as given when unknown. */
function canonicalZone(zone: string) {
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return zone;
  }
}

/** Whether times in `zone` read the same as the viewer's local times (then no zone is written). */
export function isLocalZone(zone: string | null | undefined) {
  return !zone || canonicalZone(zone) === canonicalZone(browserTimeZone());
}

export interface DateOptions {
  /** Show seconds (where runs are listed: a run's start matters to the second). */
  seconds?: boolean;
  /** Show the time in this IANA zone instead of the viewer's; the zone is then written next to it. */
  zone?: string | null;
}

/** The calendar day of a moment in a zone (the viewer's when undefined). */
function calendarDay(d: Date, zone: string | undefined) {
  const parts = formatter('en', 'ymd', zone).formatToParts(d);
  const part = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { year: part('year'), key: `${part('year')}-${part('month')}-${part('day')}` };
}

/**
 * "29 Nov 2026, 08:13", in the viewer's zone or in `zone` followed by "(zone)". With seconds (a
 * run's time) it is as short as it can be read: the time alone today, no year within this year; the
 * exact date is in the tooltip, and narrow list columns keep the seconds in view.
 */
export function shortDate(locale: string, iso: string | null | undefined, o: DateOptions = {}) {
  if (!iso) return '—';
  const other = o.zone && !isLocalZone(o.zone) ? o.zone : undefined;
  const d = new Date(iso);
  let style: 'short' | 'seconds' | 'dayMonth' | 'time' = 'short';
  if (o.seconds) {
    const [day, today] = [calendarDay(d, other), calendarDay(new Date(), other)];
    style = day.key === today.key ? 'time' : day.year === today.year ? 'dayMonth' : 'seconds';
  }
  const text = formatter(locale, style, other).format(d);
  return other ? `${text} (${other})` : text;
}

/** The exact moment, for a tooltip: weekday, date, time with seconds, and the zone by name. */
export function fullDate(locale: string, iso: string | null | undefined, zone?: string | null) {
  if (!iso) return '';
  const z = zone && !isLocalZone(zone) ? zone : browserTimeZone();
  return `${formatter(locale, 'full', z).format(new Date(iso))} (${z})`;
}

const relatives = new Map<string, Intl.RelativeTimeFormat>();
function relativeFormat(locale: string) {
  let f = relatives.get(locale);
  if (!f) relatives.set(locale, (f = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' })));
  return f;
}
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [['second', 60], ['minute', 60], ['hour', 24], ['day', 30], ['month', 12], ['year', Infinity]];

/** "3 min ago", "in 2 hr", "now": rounded to the largest unit that fits. */
export function relativeTime(locale: string, iso: string, nowMs: number) {
  const relative = relativeFormat(locale);
  let v = (new Date(iso).getTime() - nowMs) / 1000;
  if (Math.abs(v) < 10) return relative.format(0, 'second');
  for (const [unit, size] of STEPS) {
    if (Math.abs(v) < size) return relative.format(Math.trunc(v), unit);
    v /= size;
  }
  return '';
}

/** Log time: the clock time with seconds and milliseconds, in the viewer's zone. */
export function logTime(locale: string, iso: string) {
  const d = new Date(iso);
  const parts = formatter(locale, 'time', undefined).formatToParts(d);
  const secondAt = parts.findIndex((p) => p.type === 'second');
  // Milliseconds go right after the seconds, before any day period ("08:13:26.042 AM").
  return parts.map((p, i) => (i === secondAt ? `${p.value}.${String(d.getMilliseconds()).padStart(3, '0')}` : p.value)).join('');
}

/** A wall-clock time of a rule ("06:30"), in the locale's clock ("06:30" or "6:30 AM"). */
export function clockTime(locale: string, hours: number, minutes: number) {
  return formatter(locale, 'clock', undefined).format(Date.UTC(2000, 0, 1, hours, minutes));
}

const CLOCK_RE = /\b(\d{1,2}):(\d{2})(?:\s?([AP]M)\b)?/g;

/**
 * A schedule summary from the server with its times in the locale's clock. The server writes
 * "01:00" for daily rules and cron descriptions such as "At 02:30 AM"; both become one style.
 */
export function localizeClock(locale: string, summary: string) {
  return summary.replace(CLOCK_RE, (whole, h: string, m: string, period?: string) => {
    let hours = Number(h);
    if (period) hours = (hours % 12) + (period === 'PM' ? 12 : 0);
    return hours < 24 && Number(m) < 60 ? clockTime(locale, hours, Number(m)) : whole;
  });
}

export function duration(locale: string, ms: number | null | undefined) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms.toLocaleString(locale)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

/** Duration of a running execution, from its start to now. */
export function elapsed(startedAt: string, endedAt: string | null, durationMs: number | null) {
  if (durationMs !== null) return durationMs;
  return (endedAt ? new Date(endedAt).getTime() : Date.now()) - new Date(startedAt).getTime();
}

/** The formatters above bound to one language: what useFormat() (app/_lib/use-format.ts) hands out. */
export function formatFor(locale: string) {
  return {
    locale,
    shortDate: (iso: string | null | undefined, o?: DateOptions) => shortDate(locale, iso, o),
    fullDate: (iso: string | null | undefined, zone?: string | null) => fullDate(locale, iso, zone),
    relativeTime: (iso: string, nowMs: number) => relativeTime(locale, iso, nowMs),
    logTime: (iso: string) => logTime(locale, iso),
    clockTime: (hours: number, minutes: number) => clockTime(locale, hours, minutes),
    localizeClock: (summary: string) => localizeClock(locale, summary),
    duration: (ms: number | null | undefined) => duration(locale, ms),
    number: (n: number) => n.toLocaleString(locale),
  };
}
export type Format = ReturnType<typeof formatFor>;
