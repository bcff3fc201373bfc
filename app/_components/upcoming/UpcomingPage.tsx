'use client';

import { NetworkStatus } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Alert, Button, Center, Group, Loader, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { appendPage } from '../../_lib/append-page';
import { errorMessage } from '../../_lib/errors';
import { jobKey, parseStatuses, toJobFilter, withParams } from '../../_lib/jobs-url';
import type { StatusFilter } from '../../_lib/status';
import { useFormat } from '../../_lib/use-format';
import { LoadOlder } from '../LoadOlder';
import { UPCOMING } from './operations';
import { groupByHour, minuteStart, parseWindow } from './timeline';
import { UpcomingChart } from './UpcomingChart';
import { UpcomingFilters } from './UpcomingFilters';
import { UpcomingHour, type Occurrence } from './UpcomingTimeline';
import { PageHeader } from '../PageHeader';

/** Occurrences per page: 100,000 rows × 24 a day are never read at once. */
const PAGE = 200;
const HOUR_MS = 3600_000;

/** What runs next: occurrences in time order, by hour, a page at a time. */
export function UpcomingPage() {
  const t = useTranslations('upcoming');
  const fmt = useFormat();
  const params = useSearchParams();
  const router = useRouter();
  const win = parseWindow(params.get('window'));
  const statusParam = params.get('status');
  const q = params.get('q') ?? '';
  const domain = params.get('domain') || null;
  const statuses = useMemo(() => parseStatuses(statusParam), [statusParam]);
  const filter = useMemo(() => toJobFilter(statuses, q, domain), [statuses, q, domain]);

  // Read in the browser: the server's clock and zone are not the viewer's. One value per minute
  // keeps the cache key stable; "Now" moves it on.
  const [from, setFrom] = useState<number | null>(null);
  useEffect(() => setFrom(minuteStart(Date.now())), []);
  const fromIso = from === null ? '' : new Date(from).toISOString();
  const toIso = from === null ? '' : new Date(from + win.hours * HOUR_MS).toISOString();

  const { data, previousData, error, fetchMore, refetch, networkStatus, loading } = useQuery(UPCOMING, {
    variables: { from: fromIso, to: toIso, filter, first: PAGE },
    skip: from === null,
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
  });
  const list = (data ?? (error ? undefined : previousData))?.upcoming;

  // Pages follow one cursor, so they never overlap; a row key guards the list all the same.
  const nodes = useMemo(() => {
    const seen = new Set<string>();
    return (list?.nodes ?? []).filter((o: Occurrence) => {
      const k = `${jobKey(o.job)}|${o.at}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }, [list]);
  const groups = useMemo(() => groupByHour(nodes), [nodes]);

  const goFilter = useCallback(
    (changes: Record<string, string | null>) => {
      const next = withParams(params, changes);
      if (next !== withParams(params, {})) router.push(`/upcoming${next}`, { scroll: false });
    },
    [router, params],
  );
  const more = () => void fetchMore({ variables: { after: list?.pageInfo.endCursor }, updateQuery: appendPage('upcoming') });
  const now = () => {
    const m = minuteStart(Date.now());
    if (m === from) void refetch();
    else setFrom(m);
  };

  const loadingMore = networkStatus === NetworkStatus.fetchMore;
  const busy = loading && !loadingMore;
  const hasNext = Boolean(list?.pageInfo.hasNextPage);
  const last = nodes[nodes.length - 1];

  return (
    <Stack p="md" gap="sm" maw={1200} data-testid="upcoming-page">
      <Group justify="space-between" align="flex-start" gap="xs" wrap="wrap">
        <PageHeader title={t('heading')} intro={t('intro')} />
        <UpcomingFilters
          window={win.value}
          statuses={statuses}
          q={q}
          domain={domain}
          onWindow={(w) => goFilter({ window: w === '24h' ? null : w })}
          onStatuses={(s: StatusFilter[]) => goFilter({ status: s.join(',') })}
          onQ={(text) => goFilter({ q: text.trim() })}
          onDomain={(d) => goFilter({ domain: d })}
        />
      </Group>

      {from !== null && (
        <Group gap="xs" wrap="wrap">
          <Text size="sm" data-testid="upcoming-range">{t('range', { from: fmt.shortDate(fromIso), to: fmt.shortDate(toIso) })}</Text>
          <Button size="compact-xs" variant="default" onClick={now} data-testid="upcoming-now">{t('now')}</Button>
          {busy && list && <Loader size="xs" role="status" aria-label={t('loading')} />}
        </Group>
      )}

      {error && !list ? (
        <Alert color="red" title={t('loadError')} data-testid="upcoming-error">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{errorMessage(error)}</Text>
            <Button size="xs" variant="white" color="red" onClick={() => void refetch()}>{t('tryAgain')}</Button>
          </Stack>
        </Alert>
      ) : !list ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : nodes.length === 0 ? (
        <Stack align="center" gap="xs" p="lg" data-testid="upcoming-empty">
          <Text fw={500}>{filter ? t('emptyFiltered') : t('empty')}</Text>
          {filter && (
            <Button size="xs" variant="default" onClick={() => goFilter({ status: null, q: null, domain: null })}>{t('clearFilters')}</Button>
          )}
        </Stack>
      ) : (
        <>
          <Text size="sm" c="dimmed" aria-live="polite" data-testid="upcoming-count">
            {hasNext && last
              ? t('countPartial', { count: nodes.length, until: fmt.shortDate(last.at) })
              : t('countAll', { count: nodes.length })}
          </Text>
          {from !== null && <UpcomingChart groups={groups} fromMs={from} toMs={from + win.hours * HOUR_MS} partial={hasNext} />}
          <Stack gap="sm" data-testid="upcoming-list" aria-busy={busy} style={{ opacity: busy ? 0.6 : 1 }}>
            {groups.map((g) => <UpcomingHour key={g.hour} group={g} />)}
          </Stack>
          <LoadOlder hasNextPage={hasNext} loading={loadingMore} onLoad={more}>{t('loadMore')}</LoadOlder>
        </>
      )}
    </Stack>
  );
}
