// Dates are shown in the viewer's own zone (the browser's); the full date and zone go in a tooltip.

const short = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});
const full = new Intl.DateTimeFormat(undefined, {
  weekday: 'long', year: 'numeric', month: 'long', day: 'numeric',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'long',
});
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export function shortDate(iso: string | null | undefined) {
  return iso ? short.format(new Date(iso)) : '—';
}

export function fullDate(iso: string | null | undefined) {
  return iso ? `${full.format(new Date(iso))} (${browserTimeZone()})` : '';
}

/** Log time: hh:mm:ss.mmm, in the viewer's zone. */
export function logTime(iso: string) {
  const d = new Date(iso);
  return `${time.format(d)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function duration(ms: number | null | undefined) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
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
