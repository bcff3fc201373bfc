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
import { RUN_PARAMETERS } from './run-parameters/operations';
import { RunParametersDialog, type ParameterValueInput, type RunParametersRequest } from './run-parameters/RunParametersDialog';

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

  const [parametersRequest, setParametersRequest] = useState<RunParametersRequest | null>(null);
  const [checking, setChecking] = useState(false);

  /** A job with parameters asks for their values first (the row's defaults prefilled). */
  async function run() {
    setMessage(null);
    setChecking(true);
    try {
      const job = (await client.query({ query: RUN_PARAMETERS, variables: jobRef, fetchPolicy: 'network-only' })).data?.job;
      if (job?.parameters.length) {
        const close = () => setParametersRequest(null);
        setParametersRequest({ job, rowCount: 1, onClose: close, onSubmit: async (values) => { await start(values); close(); } });
        return;
      }
    } catch (e) {
      setMessage({ color: 'red', text: errorMessage(e) });
      return;
    } finally {
      setChecking(false);
    }
    try {
      await start();
    } catch (e) {
      setMessage({ color: 'red', text: errorMessage(e) });
    }
  }

  /** Starts the run; rejects with the API's error (the parameter form shows it on its field). */
  async function start(parameters?: ParameterValueInput[]) {
    const r = (await executeNow({ variables: { jobs: [jobRef], parameters } })).data?.executeNow[0];
    if (r?.execution) {
      applyExecution(client, r.execution);
      onStarted(r.execution.id);
    } else {
      const reason = r?.reason ?? 'UNKNOWN';
      setMessage({ color: reason === 'ALREADY_RUNNING' ? 'orange' : 'red', text: t('runActions.notStarted', { reason: L.reason(reason) }) });
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
      <Button size="xs" onClick={() => void run()} loading={starting || checking} data-testid={`${testIdPrefix}-run`}>{t('runActions.run')}</Button>
      {runningId && (
        <Button size="xs" color="red" variant="light" onClick={() => { setMessage(null); setConfirming(true); }} data-testid={`${testIdPrefix}-cancel`}>{t('runActions.cancel')}</Button>
      )}
      {message && <Text size="sm" c={message.color} role="status" data-testid={`${testIdPrefix}-message`}>{message.text}</Text>}
      <RunParametersDialog request={parametersRequest} />
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
