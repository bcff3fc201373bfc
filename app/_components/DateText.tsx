'use client';

import { memo } from 'react';
import { fullDate, shortDate } from '../_lib/format';

/**
 * A date in the viewer's zone; the full date and zone on hover (title) and to assistive technology.
 * Plain elements on purpose: thousands of list cells use it.
 */
export const DateText = memo(function DateText({ iso, testId, empty = '—' }: { iso: string | null | undefined; testId?: string; empty?: string }) {
  if (!iso) return <span className="jd-cell jd-dimmed" data-testid={testId}>{empty}</span>;
  const full = fullDate(iso);
  return (
    <time className="jd-cell" dateTime={iso} title={full} aria-label={full} data-testid={testId}>
      {shortDate(iso)}
    </time>
  );
});
