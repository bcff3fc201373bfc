'use client';

import { useQuery, useSubscription } from '@apollo/client/react';
import { Badge } from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useEffect } from 'react';
import { connection } from '../../_lib/connection';
import { useFreshRead } from '../../_lib/fresh-read';
import { ALERT_CHANGED, OPEN_ALERT_COUNT } from './operations';

/**
 * The header's count of open alerts, re-read on every alertChanged and on every connect (an alert
 * opened while the socket was connecting was pushed to nobody); a link to the Alerts page.
 */
export function AlertBadge() {
  const t = useTranslations('alerts');
  const { data } = useQuery(OPEN_ALERT_COUNT, { fetchPolicy: 'cache-and-network' });
  const [fresh, read] = useFreshRead(OPEN_ALERT_COUNT);
  useSubscription(ALERT_CHANGED, { onData: read });
  useEffect(() => connection.onConnected(read), [read]);
  const n = (fresh ?? data)?.alerts.totalCount ?? 0;
  return (
    <Badge component={Link} href="/alerts" variant={n ? 'filled' : 'light'} color={n ? 'red' : 'gray'} style={{ cursor: 'pointer', flex: 'none' }}
      data-testid="alert-badge" data-count={n} aria-label={t('badge.label', { count: n })} leftSection={<span aria-hidden>⚠</span>}>
      {n}
    </Badge>
  );
}
