'use client';

import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { Alert, Button, Chip, Group, Loader, Modal, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import { useLogStream } from '../../_lib/log-stream';
import { useIsTopModal } from '../../_lib/modal-stack';
import { EXECUTION, MARK_LOGS_READ } from '../../_lib/operations';
import { withParams } from '../../_lib/jobs-url';
import { LEVELS } from '../../_lib/status';
import type { LogEntry } from '../../_lib/types';
import { useLabels } from '../../_lib/use-labels';
import { RunActions } from '../RunActions';
import { LogHeader } from './LogHeader';
import { LogLines } from './LogLines';
import { useDownload } from './useDownload';

/** Progress from the last PROGRESS entry ("42", "42%", "::progress::42"), when the execution has none. */
function progressFromLines(lines: LogEntry[]): number | null {
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 5000; i--) {
    const e = lines[i]!;
    if (e.level !== 'PROGRESS') continue;
    const m = /(\d{1,3})(?:\s*%)?/.exec(e.message);
    if (m) return Math.min(100, Number(m[1]));
  }
  return null;
}

export function LogViewer({ executionId, onClose }: { executionId: string; onClose: () => void }) {
  const client = useApolloClient();
  const t = useTranslations('logViewer');
  const L = useLabels();
  // Kept current by the list's executionUpdated subscription (the Execution is normalised in the cache).
  const { data, loading, error } = useQuery(EXECUTION, { variables: { id: executionId }, fetchPolicy: 'cache-and-network' });
  const exec = data?.execution;
  const stream = useLogStream(executionId);
  const [levels, setLevels] = useState<string[]>(LEVELS);
  const [text, setText] = useState('');
  const [needle] = useDebouncedValue(text.trim().toLowerCase(), 200);
  const [follow, setFollow] = useState(true);
  const top = useIsTopModal(true);
  const narrow = useMediaQuery('(max-width: 48em)');
  const download = useDownload(client, executionId, exec);
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  // A new run of this row replaces the one shown, in the address too, so Back and links follow it.
  const showRun = useCallback((id: string) => router.replace(`${pathname}${withParams(params, { log: id })}`, { scroll: false }), [router, pathname, params]);

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

  const all = stream.entries;
  const filtered = useMemo(() => {
    if (levels.length === LEVELS.length && !needle) return all;
    const on = new Set(levels);
    return all.filter((e) => on.has(e.level) && (!needle || e.message.toLowerCase().includes(needle)));
    // `version` marks growth of the same array
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [all, stream.version, levels, needle]);

  const progress = exec?.progress ?? progressFromLines(all);
  const streamLabel =
    stream.state === 'loading' ? t('stream.loading') : stream.state === 'live' ? t('stream.live') : stream.state === 'done' ? t('stream.done') : '';
  const lineCount =
    filtered.length === all.length ? t('count.all', { total: all.length }) : t('count.filtered', { shown: filtered.length, total: all.length });

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
      <Stack gap={10} h="min(78dvh, 900px)" data-testid="log-viewer" data-execution-id={executionId} data-stream={stream.state}>
      {!exec ? (
        loading ? <Loader aria-label={t('loadingExecution')} /> : (
          <Alert color={error ? 'red' : 'gray'} data-testid="log-not-found">{error ? errorMessage(error) : t('notFound')}</Alert>
        )
      ) : (
        <>
          <LogHeader exec={exec} progress={progress} />
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
              {stream.state === 'live' && <Loader size={12} type="dots" aria-hidden />}
              <Switch size="xs" label={t('follow')} checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} data-testid="log-follow" />
              <Button size="xs" variant="default" loading={download.busy} onClick={download.start} data-testid="log-download">{t('download.button')}</Button>
            </Group>
          </Group>
          {stream.error && <Alert color="red" py={4}>{stream.error}</Alert>}
          {download.error && <Alert color="red" py={4}>{download.error}</Alert>}
          {exec.droppedLines > 0 && (
            <Text size="xs" c="orange">{t('dropped', { count: exec.droppedLines })}</Text>
          )}
          <LogLines
            lines={filtered}
            version={stream.version}
            follow={follow}
            onFollowChange={setFollow}
            emptyText={stream.state === 'loading' ? t('empty.loading') : all.length ? t('empty.noMatch') : stream.state === 'live' ? t('empty.waiting') : t('empty.none')}
          />
        </>
      )}
      </Stack>
    </Modal>
  );
}

