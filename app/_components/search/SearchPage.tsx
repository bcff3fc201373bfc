'use client';

import { NetworkStatus } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import { appendPage } from '../../_lib/append-page';
import { errorMessage, firstError } from '../../_lib/errors';
import { withParams } from '../../_lib/jobs-url';
import { LoadOlder } from '../LoadOlder';
import { SEARCH_LOGS } from './operations';
import { SearchForm } from './SearchForm';
import { SearchHit } from './SearchHit';
import { parseSearch, toLogSearch } from './search-url';
import { PageHeader } from '../PageHeader';

const PAGE = 50;
/** Hits whose neighbouring lines are read at once; the others read theirs when opened. */
const CONTEXT_FIRST = 3;

/** Log lines containing a text, across every log the viewer may see, newest runs first. */
export function SearchPage() {
  const t = useTranslations('search');
  const params = useSearchParams();
  const router = useRouter();
  const state = useMemo(() => parseSearch(params), [params]);
  const search = useMemo(() => toLogSearch(state), [state]);

  const { data, error, fetchMore, refetch, networkStatus, loading } = useQuery(SEARCH_LOGS, {
    variables: { search: search!, first: PAGE },
    skip: !search,
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
  });
  const list = search ? data?.searchLogs : undefined;

  const go = useCallback(
    (changes: Record<string, string | null>) => {
      const next = withParams(params, changes);
      if (next !== withParams(params, {})) router.push(`/search${next}`, { scroll: false });
      // The same search again: read it again (new lines may have been written since).
      else if (search) void refetch();
    },
    [router, params, search, refetch],
  );
  const more = () => void fetchMore({ variables: { after: list?.pageInfo.endCursor }, updateQuery: appendPage('searchLogs') });

  const loadingMore = networkStatus === NetworkStatus.fetchMore;
  const bad = firstError(error)?.code === 'BAD_USER_INPUT';
  const filtered = Boolean(state.job || state.domain || state.levels.length || state.from || state.to);

  return (
    <Stack p="md" gap="md" maw={1100} data-testid="search-page">
      <PageHeader title={t('heading')} intro={t('intro')} />
      <SearchForm state={state} onSubmit={(q, job) => go({ q, job })} onChange={go} />

      {!search ? (
        <Text size="sm" c="dimmed" data-testid="search-idle">{t('idle')}</Text>
      ) : error && !list ? (
        <Alert color={bad ? 'orange' : 'red'} title={bad ? t('badInput') : t('loadError')} data-testid="search-error">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{errorMessage(error)}</Text>
            {!bad && <Button size="xs" variant="white" color="red" onClick={() => void refetch()}>{t('tryAgain')}</Button>}
          </Stack>
        </Alert>
      ) : !list || (loading && !loadingMore && !data) ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : list.nodes.length === 0 ? (
        <Stack gap={4} data-testid="search-empty">
          <Text fw={500}>{t('empty', { text: state.q })}</Text>
          <Text size="sm" c="dimmed">{filtered ? t('emptyFiltered') : t('emptyHint')}</Text>
        </Stack>
      ) : (
        <Stack gap="xs">
          <Text size="sm" c="dimmed" aria-live="polite" data-testid="search-count">
            {list.pageInfo.hasNextPage ? t('countMore', { count: list.nodes.length }) : t('count', { count: list.nodes.length })}
          </Text>
          <Stack component="ol" gap={6} m={0} p={0} style={{ listStyle: 'none' }} data-testid="search-results" aria-busy={loading && !loadingMore}>
            {list.nodes.map((h, i) => (
              <SearchHit key={`${h.execution.id}:${h.entry.seq}`} hit={h} text={state.q} withContext={i < CONTEXT_FIRST} />
            ))}
          </Stack>
          <LoadOlder hasNextPage={list.pageInfo.hasNextPage} loading={loadingMore} onLoad={more}>{t('loadMore')}</LoadOlder>
        </Stack>
      )}
    </Stack>
  );
}
