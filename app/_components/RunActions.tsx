'use client';

import { skipToken, useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { Button, Group, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useCallback, useState } from 'react';
import { errorMessage, firstError } from '../_lib/errors';
import { applyExecution } from '../_lib/live-jobs';
import { CANCEL_EXECUTION, EXECUTE_NOW } from '../_lib/operations';
import type { JobRef } from '../_lib/types';
import { useLabels } from '../_lib/use-labels';
import { ConfirmDialog } from './ConfirmDialog';
import { JOB_COMMAND } from './job-window/operations';
import { useViewer } from './ViewerContext';

interface Props {
  jobRef: JobRef;
  /** The execution Cancel acts on, when one is in progress. */
  runningId: string | null;
  /** A run was started: open (or switch to) its log. */
  onStarted: (executionId: string) => void;
  testIdPrefix: string;
}

/** What Cancel does, in words: for a command job the signals and the grace, as the catalog declares them. */
export function useCancelMessage() {
  const t = useTranslations('common');
  return useCallback(
    (killGraceSeconds: number | null | undefined) =>
      killGraceSeconds === null || killGraceSeconds === undefined ? t('runActions.cancelAsk') : t('runActions.cancelCommand', { seconds: killGraceSeconds }),
    [t],
  );
}

/**
 * "Run now" and "Cancel" for one row, in the job window and the log viewer. The same per-row result
 * handling as the list: a row that did not start says why (already running, not found).
 */
export function RunActions({ jobRef, runningId, onStarted, testIdPrefix }: Props) {
  const client = useApolloClient();
  const viewer = useViewer();
  const t = useTranslations('common');
  const L = useLabels();
  const cancelMessage = useCancelMessage();
  const [executeNow, { loading: starting }] = useMutation(EXECUTE_NOW);
  const [cancelExecution, { loading: cancelling }] = useMutation(CANCEL_EXECUTION);
  const [message, setMessage] = useState<{ color: string; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  // Only system administrators may read a command (null for the others); they need no extra request.
  const { data } = useQuery(JOB_COMMAND, viewer.role === 'SYSTEM_ADMIN' ? { variables: jobRef } : skipToken);

  async function run() {
    setMessage(null);
    try {
      const r = (await executeNow({ variables: { jobs: [jobRef] } })).data?.executeNow[0];
      if (r?.execution) {
        applyExecution(client, r.execution);
        onStarted(r.execution.id);
      } else {
        const reason = r?.reason ?? 'UNKNOWN';
        setMessage({ color: reason === 'ALREADY_RUNNING' ? 'orange' : 'red', text: t('runActions.notStarted', { reason: L.reason(reason) }) });
      }
    } catch (e) {
      setMessage({ color: 'red', text: errorMessage(e) });
    }
  }

  async function cancel() {
    if (!runningId) return;
    setMessage(null);
    try {
      const r = await cancelExecution({ variables: { id: runningId } });
      if (r.data) applyExecution(client, r.data.cancelExecution);
      setMessage({ color: 'gray', text: t('runActions.cancelRequested') });
    } catch (e) {
      const err = firstError(e);
      setMessage({ color: 'red', text: err?.code === 'NOT_FOUND' ? t('runActions.gone') : errorMessage(e) });
    } finally {
      setConfirming(false);
    }
  }

  return (
    <Group gap="xs" wrap="wrap">
      <Button size="xs" onClick={() => void run()} loading={starting} data-testid={`${testIdPrefix}-run`}>{t('runActions.run')}</Button>
      {runningId && (
        <Button size="xs" color="red" variant="light" onClick={() => { setMessage(null); setConfirming(true); }} data-testid={`${testIdPrefix}-cancel`}>{t('runActions.cancel')}</Button>
      )}
      {message && <Text size="sm" c={message.color} role="status" data-testid={`${testIdPrefix}-message`}>{message.text}</Text>}
      <ConfirmDialog
        opened={confirming}
        title={t('runActions.confirmTitle', { jobId: jobRef.jobId, domain: jobRef.domain })}
        message={cancelMessage(data?.job?.command?.killGraceSeconds)}
        confirmLabel={t('runActions.confirmOk')}
        loading={cancelling}
        onConfirm={() => void cancel()}
        onCancel={() => setConfirming(false)}
      />
    </Group>
  );
}
