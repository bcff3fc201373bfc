'use client';

import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import { jobKey, liveSensitive, parseJobRef, parseSort, parseStatuses, toJobFilter, withParams } from '../../_lib/jobs-url';
import { useLiveJobs } from '../../_lib/live-jobs';
import { usePagedJobs } from '../../_lib/paged-jobs';
import type { StatusFilter } from '../../_lib/status';
import type { JobRow } from '../../_lib/types';
import { JobWindow } from '../job-window/JobWindow';
import { LogViewer } from '../log-viewer/LogViewer';
import { JobsFilters } from './JobsFilters';
import { JobsTable } from './JobsTable';
import { useJobActions } from './useJobActions';

export function JobsPage() {
  const t = useTranslations('jobs');
  const params = useSearchParams();
  const router = useRouter();
  const statusParam = params.get('status');
  const q = params.get('q') ?? '';
  const domain = params.get('domain') || null;
  const kind = params.get('kind');
  const statuses = useMemo(() => parseStatuses(statusParam), [statusParam]);
  const filter = useMemo(() => toJobFilter(statuses, q, domain, kind), [statuses, q, domain, kind]);
  const sortParam = params.get('sort');
  const sort = useMemo(() => parseSort(sortParam), [sortParam]);
  const openJob = parseJobRef(params.get('job'));
  const openLog = params.get('log');

  const list = usePagedJobs(filter, sort.order);
  const { rows, index, totalCount, error } = list;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const actions = useJobActions({ onExecuted: () => setSelected(new Set()) });
  // A new filter is a new list: a selection of rows no longer shown would act on hidden rows.
  useEffect(() => setSelected(new Set()), [filter]);

  const refreshAll = list.refreshAll;
  const onReconnect = useCallback(() => void refreshAll(), [refreshAll]);
  // Rows change status under a filtered list: re-read it so they come and go (an unfiltered list in
  // the default order keeps its rows, updated in place).
  useLiveJobs(onReconnect, liveSensitive(filter, sort.order) ? list.refreshLive : undefined);

  const go = useCallback(
    (changes: Record<string, string | null>) => router.replace(`/jobs${withParams(params, changes)}`, { scroll: false }),
    [router, params],
  );
  // A filter or an order is a place the user went to: Back returns to the previous one. Opening a
  // job or a log stays a replace, as before.
  const goFilter = useCallback(
    (changes: Record<string, string | null>) => {
      const next = withParams(params, changes);
      if (next !== withParams(params, {})) router.push(`/jobs${next}`, { scroll: false });
    },
    [router, params],
  );
  // Stable handlers for the memoised rows: a URL change must not re-render every row.
  const goRef = useRef(go);
  useLayoutEffect(() => {
    goRef.current = go;
  });
  const openJobRow = useCallback((r: JobRow) => goRef.current({ job: jobKey(r) }), []);
  const openLogRow = useCallback((r: JobRow) => r.lastExecution && goRef.current({ log: r.lastExecution.id }), []);

  // From the selection, not from the rows: O(selected) per render, not O(rows loaded).
  const selectedRows = useMemo(() => [...selected].map((k) => index.get(k)).filter((r): r is JobRow => r !== undefined), [selected, index]);
  const runningSelected = useMemo(() => selectedRows.filter((r) => r.running && r.lastExecution), [selectedRows]);

  const toggle = useCallback(
    (key: string) =>
      setSelected((s) => {
        const n = new Set(s);
        if (n.has(key)) n.delete(key);
        else n.add(key);
        return n;
      }),
    [],
  );
  const toggleAll = () => setSelected((s) => (rows.length > 0 && s.size >= index.size ? new Set() : new Set(index.keys())));

  const filtered = filter !== null;

  return (
    <Stack gap={0} h="calc(100dvh - var(--app-shell-header-offset, 56px))" data-testid="jobs-page">
      <Stack gap="xs" px="md" pt="sm" pb="xs">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
          <Group gap="sm" wrap="wrap">
            <Title order={2} size="h3">{t('title')}</Title>
            <Text size="sm" c="dimmed" data-testid="jobs-count" aria-live="polite">
              {totalCount === undefined
                ? ''
                : rows.length < totalCount
                  ? t('countLoaded', { total: totalCount, loaded: rows.length })
                  : t('count', { total: totalCount })}
            </Text>
            {list.refreshing && <Loader size="xs" role="status" aria-label={t('refreshing')} />}
          </Group>
          <JobsFilters
            statuses={statuses}
            q={q}
            domain={domain}
            sort={sort.value}
            onStatuses={(s: StatusFilter[]) => goFilter({ status: s.join(',') })}
            onQ={(text) => goFilter({ q: text.trim() })}
            onDomain={(d) => goFilter({ domain: d })}
            onSort={(s) => goFilter({ sort: s })}
          />
        </Group>
        <Group gap="xs">
          <Button size="xs" disabled={selectedRows.length === 0} loading={actions.executing} onClick={() => void actions.execute(selectedRows)} data-testid="execute-now">
            {selectedRows.length ? t('executeNowCount', { count: selectedRows.length }) : t('executeNow')}
          </Button>
          <Button size="xs" color="red" variant="light" disabled={runningSelected.length === 0} loading={actions.cancelling}
            onClick={() => void actions.cancel(runningSelected)} data-testid="cancel-selected">
            {runningSelected.length ? t('cancelCount', { count: runningSelected.length }) : t('cancel')}
          </Button>
          <Text size="xs" c="dimmed" aria-live="polite">
            {!selectedRows.length
              ? t('selectHint')
              : runningSelected.length
                ? t('selectedRunning', { count: selectedRows.length, running: runningSelected.length })
                : t('selectedCount', { count: selectedRows.length })}
          </Text>
        </Group>
        {actions.notice && (
          <Alert color={actions.notice.color} title={actions.notice.title} withCloseButton closeButtonLabel={t('dismiss')} onClose={actions.dismiss}
            py="xs" role="status" data-testid="action-notice">
            {actions.notice.message}
          </Alert>
        )}
      </Stack>

      {error && list.loading ? (
        <Center flex={1} p="md">
          <Alert color="red" title={t('loadError')} maw={520} data-testid="jobs-error">
            <Stack gap="xs">
              <Text size="sm">{errorMessage(error)}</Text>
              <Button size="xs" variant="white" color="red" onClick={list.retry}>{t('tryAgain')}</Button>
            </Stack>
          </Alert>
        </Center>
      ) : list.loading ? (
        <Center flex={1}><Loader role="status" aria-label={t('loading')} /></Center>
      ) : rows.length === 0 ? (
        <Center flex={1} p="md" data-testid="jobs-empty">
          <Stack align="center" gap="xs">
            <Text fw={500}>{filtered ? t('emptyFiltered') : t('emptyNone')}</Text>
            {filtered ? (
              <Button size="xs" variant="default" onClick={() => goFilter({ status: null, q: null, domain: null, kind: null })}>{t('clearFilters')}</Button>
            ) : (
              <Text size="sm" c="dimmed">{t('emptyHint')}</Text>
            )}
          </Stack>
        </Center>
      ) : (
        <>
          {error && (
            <Alert color="red" mx="md" mb="xs" py={4}>
              {errorMessage(error)} <Button size="compact-xs" variant="white" color="red" onClick={list.retry}>{t('tryAgain')}</Button>
            </Alert>
          )}
          <JobsTable
            listKey={JSON.stringify([filter, sort.order])}
            rows={rows}
            selected={selected}
            selectedCount={selectedRows.length}
            results={actions.results}
            hasNextPage={list.hasNextPage}
            loadingMore={list.loadingMore}
            onToggle={toggle}
            onToggleAll={toggleAll}
            onOpenJob={openJobRow}
            onOpenLog={openLogRow}
            onLoadMore={list.loadMore}
          />
        </>
      )}

      {openJob && <JobWindow key={jobKey(openJob)} jobRef={openJob} initialTab={params.get('tab')} onClose={() => go({ job: null, tab: null })} onOpenLog={(id) => go({ log: id })} />}
      {openLog && <LogViewer key={openLog} executionId={openLog} onClose={() => go({ log: null })} />}
    </Stack>
  );
}
