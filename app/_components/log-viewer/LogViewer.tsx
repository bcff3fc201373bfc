'use client';

import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { Alert, Button, Chip, Group, Loader, Modal, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import { useIsTopModal } from '../../_lib/modal-stack';
import { EXECUTION, MARK_LOGS_READ } from '../../_lib/operations';
import { parseLine, withParams } from '../../_lib/jobs-url';
import { LEVELS } from '../../_lib/status';
import type { LogLevel } from '../../_lib/types';
import { useLabels } from '../../_lib/use-labels';
import { RunActions } from '../RunActions';
import { JumpBar } from './JumpBar';
import type { LogFilter } from './log-pages';
import { LogHeader } from './LogHeader';
import { ParameterValues } from '../run-parameters/ParameterValues';
import { LogLines, type JumpRequest } from './LogLines';
import { useDownload } from './useDownload';
import { useLogView } from './useLogView';

type Jump = JumpRequest & { bySeq: boolean };

export function LogViewer({ executionId, onClose }: { executionId: string; onClose: () => void }) {
  const client = useApolloClient();
  const t = useTranslations('logViewer');
  const L = useLabels();
  // Kept current by the list's executionUpdated subscription (the Execution is normalised in the cache).
  const { data, loading, error } = useQuery(EXECUTION, { variables: { id: executionId }, fetchPolicy: 'cache-and-network' });
  const exec = data?.execution;
  const params = useSearchParams();
  const lineParam = parseLine(params.get('line'));
  const [levels, setLevels] = useState<string[]>(LEVELS);
  const [text, setText] = useState('');
  const [debounced] = useDebouncedValue(text.trim(), 200);
  // Clearing the text takes effect at once (a jump clears it and goes to the line).
  const needle = text.trim() ? debounced : '';
  const filter = useMemo<LogFilter | null>(
    () => (levels.length === LEVELS.length && !needle ? null : { levels: levels.length === LEVELS.length ? null : (levels as LogLevel[]), text: needle || null }),
    [levels, needle],
  );
  const view = useLogView(executionId, filter);
  const [follow, setFollow] = useState(lineParam === null);
  const [highlight, setHighlight] = useState<number | null>(lineParam);
  const [jump, setJump] = useState<Jump | null>(lineParam === null ? null : { index: lineParam - 1, bySeq: true, nonce: 1 });
  const top = useIsTopModal(true);
  const narrow = useMediaQuery('(max-width: 48em)');
  const download = useDownload(client, executionId, exec);
  const router = useRouter();
  const pathname = usePathname();
  // A new run of this row replaces the one shown, in the address too, so Back and links follow it.
  const showRun = useCallback((id: string) => router.replace(`${pathname}${withParams(params, { log: id })}`, { scroll: false }), [router, pathname, params]);

  const filterOn = filter !== null;
  const seqJumpPending = useRef(false);
  /** Shows line `seq` of the whole log (a filter is cleared), marked, in the middle of the view. */
  const goTo = useCallback(
    (seq: number) => {
      if (filterOn) seqJumpPending.current = true;
      setLevels(LEVELS);
      setText('');
      setFollow(false);
      setHighlight(seq);
      setJump((j) => ({ index: seq - 1, bySeq: true, nonce: (j?.nonce ?? 0) + 1 }));
    },
    [filterOn],
  );
  // A search hit's link into the open viewer (?line=N changed).
  const lastLine = useRef(lineParam);
  useEffect(() => {
    if (lineParam === null || lineParam === lastLine.current) return;
    lastLine.current = lineParam;
    goTo(lineParam);
  }, [lineParam, goTo]);
  // A filter shows its first matches; without one, the tail again (unless a jump asked for a line).
  const filterKey = filter ? JSON.stringify(filter) : '';
  const firstFilter = useRef(true);
  useEffect(() => {
    if (firstFilter.current) {
      firstFilter.current = false;
      return;
    }
    if (filterKey) {
      setFollow(false);
      setJump((j) => ({ index: 0, bySeq: false, nonce: (j?.nonce ?? 0) + 1 }));
    } else if (!seqJumpPending.current) {
      setFollow(true);
    }
    seqJumpPending.current = false;
  }, [filterKey]);

  const [markRead] = useMutation(MARK_LOGS_READ);
  const readSeq = useRef(-1);
  const markAsRead = useCallback(() => {
    if (!exec || readSeq.current >= exec.lastSeq) return;
    readSeq.current = exec.lastSeq;
    void markRead({ variables: { executionId } }).then(() => {
      const id = client.cache.identify({ __typename: 'Job', jobId: exec.jobId, domain: exec.domain });
      if (id) client.cache.modify({ id, fields: { hasUnreadLogs: (cur, { readField }) => {
        const last = readField<{ __ref: string }>('lastExecution');
        return last && readField<string>('id', last) === executionId ? false : cur;
      } } });
    }).catch(() => undefined);
  }, [exec, executionId, markRead, client]);
  // Opening marks the log read; lines seen live are marked read again when the viewer closes.
  useEffect(() => { if (exec) markAsRead(); }, [Boolean(exec)]); // eslint-disable-line react-hooks/exhaustive-deps
  const close = () => { markAsRead(); onClose(); };

  const { rows, total, state } = view;
  const progress = exec?.progress ?? view.progress;
  const streamLabel = state === 'loading' ? t('stream.loading') : state === 'live' ? t('stream.live') : state === 'done' ? t('stream.done') : '';
  const lineCount = !view.filtered
    ? t('count.all', { total })
    : rows.more
      ? t('count.filteredSoFar', { shown: rows.count, total })
      : t('count.filtered', { shown: rows.count, total });
  const emptyText =
    state === 'loading' ? t('empty.loading') : view.filtered && total > 0 ? t('empty.noMatch') : state === 'live' ? t('empty.waiting') : t('empty.none');

  return (
    <Modal
      opened
      onClose={close}
      closeOnEscape={top}
      trapFocus={top}
      fullScreen={narrow}
      size="min(1400px, 96vw)"
      zIndex={250}
      title={<Text fw={600}>{exec ? t('titleOf', { jobId: exec.jobId, domain: exec.domain }) : t('title')}</Text>}
    >
      <Stack gap={10} h="min(78dvh, 900px)" data-testid="log-viewer" data-execution-id={executionId} data-stream={state}>
      {!exec ? (
        loading ? <Loader role="status" aria-label={t('loadingExecution')} /> : (
          <Alert color={error ? 'red' : 'gray'} data-testid="log-not-found">{error ? errorMessage(error) : t('notFound')}</Alert>
        )
      ) : (
        <>
          <LogHeader exec={exec} progress={progress} />
          <ParameterValues values={exec.parameters} testId="log-parameters" />
          <RunActions jobRef={{ jobId: exec.jobId, domain: exec.domain }} testIdPrefix="log"
            runningId={exec.status === 'IN_PROGRESS' ? exec.id : null} onStarted={showRun} />
          <Group gap="xs" wrap="wrap" justify="space-between">
            <Group gap="xs" wrap="wrap">
              <Chip.Group multiple value={levels} onChange={setLevels}>
                <Group gap={4} role="group" aria-label={t('levels')}>
                  {LEVELS.map((l) => (
                    <Chip key={l} value={l} size="xs" variant="outline" color={l === 'ERROR' ? 'red' : l === 'WARNING' ? 'orange' : 'gray'} data-testid={`level-${l}`}>
                      {L.level(l)}
                    </Chip>
                  ))}
                </Group>
              </Chip.Group>
              <TextInput size="xs" w={220} placeholder={t('filter.placeholder')} aria-label={t('filter.label')} value={text}
                onChange={(e) => setText(e.currentTarget.value)} data-testid="log-filter" />
            </Group>
            <Group gap="sm">
              <Text size="xs" c="dimmed" aria-live="polite" data-testid="log-count">
                {streamLabel ? t('count.withState', { count: lineCount, state: streamLabel }) : lineCount}
              </Text>
              {state === 'live' && <Loader size={12} type="dots" aria-hidden />}
              <Switch size="xs" label={t('follow')} checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} data-testid="log-follow" />
              <Button size="xs" variant="default" loading={download.busy && download.percent === null} onClick={download.start} disabled={download.busy} data-testid="log-download">
                {download.busy && download.percent !== null ? t('download.progress', { pct: download.percent }) : t('download.button')}
              </Button>
            </Group>
          </Group>
          <JumpBar executionId={executionId} total={total} current={highlight} onGo={goTo} />
          {view.error && <Alert color="red" py={4}>{view.error}</Alert>}
          {download.error && <Alert color="red" py={4}>{download.error}</Alert>}
          {exec.droppedLines > 0 && (
            <Text size="xs" c="orange">{t('dropped', { count: exec.droppedLines })}</Text>
          )}
          <LogLines
            rows={rows}
            version={view.version}
            bySeq={!view.filtered}
            follow={follow}
            onFollowChange={setFollow}
            jump={jump && jump.bySeq === !view.filtered ? jump : null}
            highlight={highlight}
            digits={String(Math.max(total, 1)).length}
            emptyText={emptyText}
          />
        </>
      )}
      </Stack>
    </Modal>
  );
}
