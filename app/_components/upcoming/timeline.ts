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
