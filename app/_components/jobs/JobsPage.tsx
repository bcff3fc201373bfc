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
import { BulkEditDialog, type BulkTarget } from './BulkEditDialog';
import { useBulkActions } from './useBulkActions';
import { RunParametersDialog } from '../run-parameters/RunParametersDialog';

export function JobsPage() {
  const t = useTranslations('jobs');
  const params = useSearchParams();
  const router = useRouter();
  const statusParam = params.get('status');
  const q = params.get('q') ?? '';
  const domain = params.get('domain') || null;
  const kind = params.get('kind');
  const jobIdParam = params.get('jobId') || null;
  const statuses = useMemo(() => parseStatuses(statusParam), [statusParam]);
  const filter = useMemo(() => toJobFilter(statuses, q, domain, kind, jobIdParam), [statuses, q, domain, kind, jobIdParam]);
  const sortParam = params.get('sort');
  const sort = useMemo(() => parseSort(sortParam), [sortParam]);
  const openJob = parseJobRef(params.get('job'));
  const openLog = params.get('log');

  const list = usePagedJobs(filter, sort.order);
  const { rows, index, totalCount, error } = list;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  // "Select all N matching": the selection is the filter itself, every row it matches, loaded or not.
  const [allMatching, setAllMatching] = useState(false);
  const [bulkEdit, setBulkEdit] = useState<BulkTarget | null>(null);
  const clearSelection = useCallback(() => {
    setSelected(new Set());
    setAllMatching(false);
  }, []);
  const actions = useJobActions({ onExecuted: clearSelection });
  // A new filter is a new list: a selection of rows no longer shown would act on hidden rows.
  useEffect(() => clearSelection(), [filter, clearSelection]);

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
    (key: string) => {
      setAllMatching(false);
      setSelected((s) => {
        const n = new Set(s);
        if (n.has(key)) n.delete(key);
        else n.add(key);
        return n;
      });
    },
    [],
  );
  const toggleAll = () => {
    setAllMatching(false);
    setSelected((s) => (rows.length > 0 && s.size >= index.size ? new Set() : new Set(index.keys())));
  };
  // Every loaded row is selected and the filter matches more than were loaded: offer them all.
  const canSelectAllMatching = !allMatching && totalCount !== undefined && rows.length > 0 && selectedRows.length === rows.length && totalCount > rows.length;
  const bulk = useBulkActions({ onChanged: () => { clearSelection(); void refreshAll(); } });
  const selectionCount = allMatching ? (totalCount ?? 0) : selectedRows.length;
  // Rows loaded after "select all matching" (scrolling on) are part of it: shown ticked.
  const tableSelected = useMemo(() => (allMatching ? new Set(index.keys()) : selected), [allMatching, index, selected]);

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
            jobId={jobIdParam}
            sort={sort.value}
            onStatuses={(s: StatusFilter[]) => goFilter({ status: s.join(',') })}
            onQ={(text) => goFilter({ q: text.trim() })}
            onDomain={(d) => goFilter({ domain: d })}
            onClearJobId={() => goFilter({ jobId: null })}
            onSort={(s) => goFilter({ sort: s })}
          />
        </Group>
        <Group gap="xs">
          <Button size="xs" disabled={selectionCount === 0} loading={actions.executing || bulk.executing}
            onClick={() => void (allMatching ? bulk.executeMatching(filter) : actions.execute(selectedRows))} data-testid="execute-now">
            {selectionCount ? t('executeNowCount', { count: selectionCount }) : t('executeNow')}
          </Button>
          <Button size="xs" variant="default" disabled={selectionCount === 0}
            onClick={() => setBulkEdit(allMatching ? { filter: filter ?? {} } : { refs: selectedRows.map((r) => ({ jobId: r.jobId, domain: r.domain })) })}
            data-testid="bulk-edit">
            {selectionCount ? t('bulk.editCount', { count: selectionCount }) : t('bulk.edit')}
          </Button>
          <Button size="xs" color="red" variant="light" disabled={runningSelected.length === 0} loading={actions.cancelling}
            onClick={() => void actions.cancel(runningSelected)} data-testid="cancel-selected">
            {runningSelected.length ? t('cancelCount', { count: runningSelected.length }) : t('cancel')}
          </Button>
          <Text size="xs" c="dimmed" aria-live="polite" data-testid="selection-status">
            {allMatching
              ? t('allMatchingSelected', { total: totalCount ?? 0 })
              : !selectedRows.length
                ? t('selectHint')
                : runningSelected.length
                  ? t('selectedRunning', { count: selectedRows.length, running: runningSelected.length })
                  : t('selectedCount', { count: selectedRows.length })}
          </Text>
          {canSelectAllMatching && (
            <Button size="compact-xs" variant="subtle" onClick={() => setAllMatching(true)} data-testid="select-all-matching">
              {t('selectAllMatching', { total: totalCount })}
            </Button>
          )}
          {allMatching && (
            <Button size="compact-xs" variant="subtle" onClick={clearSelection} data-testid="clear-selection">{t('clearSelection')}</Button>
          )}
        </Group>
        {actions.notice && (
          <Alert color={actions.notice.color} title={actions.notice.title} withCloseButton closeButtonLabel={t('dismiss')} onClose={actions.dismiss}
            py="xs" role="status" data-testid="action-notice">
            {actions.notice.message}
          </Alert>
        )}
        {bulk.notice && (
          <Alert color={bulk.notice.color} title={bulk.notice.title} withCloseButton closeButtonLabel={t('dismiss')} onClose={bulk.dismiss}
            py="xs" role="status" data-testid="bulk-notice">
            {bulk.notice.message}
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
              <Button size="xs" variant="default" onClick={() => goFilter({ status: null, q: null, domain: null, kind: null, jobId: null })}>{t('clearFilters')}</Button>
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
            selected={tableSelected}
            selectedCount={allMatching ? rows.length : selectedRows.length}
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

      <RunParametersDialog request={actions.parametersRequest} />
      {bulkEdit && (
        <BulkEditDialog target={bulkEdit} count={selectionCount} onClose={() => setBulkEdit(null)}
          onDone={(r) => { setBulkEdit(null); bulk.updated(r); }} />
      )}
      {openJob && <JobWindow key={jobKey(openJob)} jobRef={openJob} initialTab={params.get('tab')} onClose={() => go({ job: null, tab: null })} onOpenLog={(id) => go({ log: id })} />}
      {openLog && <LogViewer key={openLog} executionId={openLog} onClose={() => go({ log: null })} />}
    </Stack>
  );
}
