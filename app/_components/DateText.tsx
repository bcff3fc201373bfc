'use client';

import { memo, useSyncExternalStore } from 'react';
import { useFormat } from '../_lib/use-format';

// One clock for every relative time on the page: a list of thousands of runs shares one timer,
// and it only runs while something shows a relative time.
const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
function subscribe(fn: () => void) {
  listeners.add(fn);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 15_000);
  }
  return () => {
    listeners.delete(fn);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}
const getNow = () => now;

/** "3 min ago", kept current by the shared clock. */
function Relative({ iso }: { iso: string }) {
  useSyncExternalStore(subscribe, getNow, getNow); // re-renders on each tick; the time itself is read now
  const fmt = useFormat();
  return <span className="jd-dimmed" data-testid="date-relative">{` · ${fmt.relativeTime(iso, Date.now())}`}</span>;
}

interface Props {
  iso: string | null | undefined;
  testId?: string;
  empty?: string;
  /**
   * A run's time (a start, the last execution): with seconds, and how long ago ("3 min ago").
   * Where runs are listed this is what readers compare.
   */
  run?: boolean;
  /** Show the time in this IANA zone (a rule's) instead of the viewer's; the zone is written next to it. */
  zone?: string | null;
  /** Inside a sentence ("Next run: …"), not a list cell of its own. */
  inline?: boolean;
}

/**
 * A date in the viewer's zone, in the locale's clock; the exact time and zone on hover (title) and
 * to assistive technology. Plain elements on purpose: thousands of list cells use it.
 */
export const DateText = memo(function DateText({ iso, testId, empty = '—', run, zone, inline }: Props) {
  const fmt = useFormat();
  const cell = inline ? undefined : 'jd-cell';
  if (!iso) return <span className={inline ? 'jd-dimmed' : 'jd-cell jd-dimmed'} data-testid={testId}>{empty}</span>;
  const full = fmt.fullDate(iso, zone);
  return (
    <time className={cell} dateTime={iso} title={full} aria-label={full} data-testid={testId}>
      {fmt.shortDate(iso, { seconds: run, zone })}
      {run && <Relative iso={iso} />}
    </time>
  );
});
