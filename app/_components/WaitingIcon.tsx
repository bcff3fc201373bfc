'use client';

import { useQuery } from '@apollo/client/react';
import { useTranslations } from 'next-intl';
import { memo, useState } from 'react';
import { RESOURCE_USAGE } from '../_lib/operations';

/** When the usage was last read: labels mounting together (a scroll through waiting rows) share one read. */
let lastReadMs = 0;
const FRESH_MS = 5000;

/**
 * "Waiting for mail-store, 4 of 4 in use": what a run that waits for a resource says, in the list
 * and the log viewer. The usage is read when a run starts waiting (every label shares one cached
 * answer, read again at most every few seconds) and counts the runs this viewer may see.
 */
export function useWaitingLabel(resource: string | null | undefined): string | null {
  const t = useTranslations('resources');
  const [fetchPolicy] = useState(() => {
    if (resource && Date.now() - lastReadMs < FRESH_MS) return 'cache-first' as const;
    if (!resource) return 'cache-and-network' as const;
    lastReadMs = Date.now();
    return 'cache-and-network' as const;
  });
  const { data } = useQuery(RESOURCE_USAGE, { skip: !resource, fetchPolicy, nextFetchPolicy: 'cache-first' });
  if (!resource) return null;
  const r = data?.resources.find((x) => x.name === resource);
  return r
    ? t('waiting.label', { name: resource, inUse: r.inUse, capacity: r.capacity })
    : t('waiting.labelShort', { name: resource });
}

/**
 * An hourglass with the label as its accessible name and hover text (an SVG <title>, like the status
 * icon: a waiting fleet is many rows, a floating tooltip each is too heavy).
 */
export const WaitingIcon = memo(function WaitingIcon({ resource, size = 16 }: { resource: string; size?: number }) {
  const label = useWaitingLabel(resource) ?? '';
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" role="img" aria-label={label} data-testid="waiting-icon" data-resource={resource}
      style={{ flex: 'none', display: 'block', color: 'var(--mantine-color-orange-text)' }}>
      <title>{label}</title>
      <path d="M4 1.5h8M4 14.5h8M5 1.5v2.2c0 1.6 3 2.7 3 4.3 0-1.6 3-2.7 3-4.3V1.5M5 14.5v-2.2c0-1.6 3-2.7 3-4.3 0 1.6 3 2.7 3 4.3v2.2"
        fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" />
      <path d="M6.6 13.4h2.8L8 11.2z" fill="currentColor" />
    </svg>
  );
});
