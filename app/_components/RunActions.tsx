'use client';

import { skipToken, useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { errorMessage, firstError } from '../_lib/errors';
import { applyExecution } from '../_lib/live-jobs';
import { CANCEL_EXECUTION, EXECUTE_NOW } from '../_lib/operations';
import { REASON_LABEL } from '../_lib/status';
import type { JobRef } from '../_lib/types';
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
export function cancelMessage(killGraceSeconds: number | null | undefined) {
  const end = 'The execution ends as Cancelled once the job has stopped.';
  if (killGraceSeconds === null || killGraceSeconds === undefined) return `The job is asked to stop. ${end}`;
  return `This command job gets SIGTERM, then SIGKILL after ${killGraceSeconds} second${killGraceSeconds === 1 ? '' : 's'} if it is still running. ${end}`;
}

/**
 * "Run now" and "Cancel" for one row, in the job window and the log viewer. The same per-row result
 * handling as the list: a row that did not start says why (already running, not found).
 */
export function RunActions({ jobRef, runningId, onStarted, testIdPrefix }: Props) {
  const client = useApolloClient();
  const viewer = useViewer();
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
        setMessage({ color: reason === 'ALREADY_RUNNING' ? 'orange' : 'red', text: `Not started: ${REASON_LABEL[reason] ?? reason.toLowerCase().replaceAll('_', ' ')}.` });
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
      setMessage({ color: 'gray', text: 'Cancel requested.' });
    } catch (e) {
      const err = firstError(e);
      setMessage({ color: 'red', text: err?.code === 'NOT_FOUND' ? 'This execution no longer exists.' : errorMessage(e) });
    } finally {
      setConfirming(false);
    }
  }

  return (
    <Group gap="xs" wrap="wrap">
      <Button size="xs" onClick={() => void run()} loading={starting} data-testid={`${testIdPrefix}-run`}>Run now</Button>
      {runningId && (
        <Button size="xs" color="red" variant="light" onClick={() => { setMessage(null); setConfirming(true); }} data-testid={`${testIdPrefix}-cancel`}>Cancel run</Button>
      )}
      {message && <Text size="sm" c={message.color} role="status" data-testid={`${testIdPrefix}-message`}>{message.text}</Text>}
      <ConfirmDialog
        opened={confirming}
        title={`Cancel ${jobRef.jobId} @ ${jobRef.domain}?`}
        message={cancelMessage(data?.job?.command?.killGraceSeconds)}
        confirmLabel="Cancel the run"
        loading={cancelling}
        onConfirm={() => void cancel()}
        onCancel={() => setConfirming(false)}
      />
    </Group>
  );
}
