// The Upcoming page's state in the query string (a view can be bookmarked and shared):
//   /upcoming?window=3d&status=FAILURE&q=purge&domain=acme.example
// and the grouping of occurrences by hour.

/** The windows offered; the API answers at most 7 days at a time. `key` names its words in messages/<locale>/upcoming.json. */
export const WINDOWS = [
  { value: '6h', hours: 6 },
  { value: '24h', hours: 24 },
  { value: '3d', hours: 72 },
  { value: '7d', hours: 168 },
] as const;
export type WindowValue = (typeof WINDOWS)[number]['value'];

/** An unknown value falls back to the next 24 hours. */
export function parseWindow(raw: string | null) {
  return WINDOWS.find((w) => w.value === raw) ?? WINDOWS[1];
}

/** Occurrences of one hour of the viewer's clock, in time order. */
export interface HourGroup<T> {
  /** The hour's first moment (ISO). */
  hour: string;
  items: T[];
}

/**
 * Consecutive occurrences cut into hours of the viewer's zone (the browser's, as every date of the
 * console). setMinutes works in local time, so zones half an hour off UTC get their own hours.
 */
export function groupByHour<T extends { at: string }>(items: readonly T[]): HourGroup<T>[] {
  const out: HourGroup<T>[] = [];
  let current: HourGroup<T> | undefined;
  for (const it of items) {
    const d = new Date(it.at);
    d.setMinutes(0, 0, 0);
    const hour = d.toISOString();
    if (current?.hour !== hour) out.push((current = { hour, items: [] }));
    current.items.push(it);
  }
  return out;
}

/** The start of the current minute: one `from` for a minute keeps the page's cache key stable. */
export const minuteStart = (ms: number) => ms - (ms % 60_000);

const HOUR_MS = 3600_000;

/** The start of the hour of the viewer's clock that holds `ms`. */
function hourOf(ms: number) {
  const d = new Date(ms);
  d.setMinutes(0, 0, 0);
  return d.getTime();
}

/**
 * Runs per hour from the window's first hour to `lastMs` (the window's end, or the last occurrence
 * loaded while more pages remain): hours with none count 0, so the bars compare like for like.
 */
export function perHour<T extends { at: string }>(groups: readonly HourGroup<T>[], fromMs: number, lastMs: number) {
  const counts = new Map(groups.map((g) => [Date.parse(g.hour), g.items.length]));
  const out: { hour: string; count: number }[] = [];
  // A week is 168 hours; the bound only guards against a clock that never advances.
  for (let h = hourOf(fromMs); h <= lastMs && out.length < 24 * 8; h = hourOf(h + HOUR_MS + 1)) {
    out.push({ hour: new Date(h).toISOString(), count: counts.get(h) ?? 0 });
  }
  return out;
}
