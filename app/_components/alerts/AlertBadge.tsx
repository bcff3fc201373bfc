'use client';

import { useQuery, useSubscription } from '@apollo/client/react';
import { Badge } from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { ALERT_CHANGED, OPEN_ALERT_COUNT } from './operations';

/** The header's count of open alerts, kept current by alertChanged; a link to the Alerts page. */
export function AlertBadge() {
  const t = useTranslations('alerts');
  const { data, refetch } = useQuery(OPEN_ALERT_COUNT, { fetchPolicy: 'cache-and-network' });
  useSubscription(ALERT_CHANGED, { onData: () => void refetch().catch(() => undefined) });
  const n = data?.alerts.totalCount ?? 0;
  return (
    <Badge component={Link} href="/alerts" variant={n ? 'filled' : 'light'} color={n ? 'red' : 'gray'} style={{ cursor: 'pointer', flex: 'none' }}
      data-testid="alert-badge" data-count={n} aria-label={t('badge.label', { count: n })} leftSection={<span aria-hidden>⚠</span>}>
      {n}
    </Badge>
  );
}
