'use client';

import { useApolloClient, useMutation } from '@apollo/client/react';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { errorMessage, firstError } from '../../_lib/errors';
import { jobKey } from '../../_lib/jobs-url';
import { applyExecution } from '../../_lib/live-jobs';
import { CANCEL_EXECUTION, EXECUTE_NOW } from '../../_lib/operations';
import type { JobRow } from '../../_lib/types';
import { useLabels } from '../../_lib/use-labels';
import type { RowResult } from './JobsTable';
import { RUN_PARAMETERS } from '../run-parameters/operations';
import type { ParameterValueInput, RunParametersRequest } from '../run-parameters/RunParametersDialog';

export interface Notice {
  color: string;
  title: string;
  message: string;
}

interface Options {
  /** Called once Execute now has its answers: the rows it acted on should no longer be armed. */
  onExecuted?: () => void;
}

/** "Execute now" and "Cancel" on the selected rows, with one result per row and a summary. */
export function useJobActions({ onExecuted }: Options = {}) {
  const t = useTranslations('jobs');
  const L = useLabels();
  const client = useApolloClient();
  const [results, setResults] = useState<Map<string, RowResult>>(new Map());
  const [notice, setNotice] = useState<Notice | null>(null);
  const [executeNow, { loading: executing }] = useMutation(EXECUTE_NOW);
  const [cancelExecution] = useMutation(CANCEL_EXECUTION);
  const [cancelling, setCancelling] = useState(false);
  const [parametersRequest, setParametersRequest] = useState<RunParametersRequest | null>(null);
  const [checking, setChecking] = useState(false);

  /**
   * Rows of one job that declares parameters open the parameter form first (RunParametersDialog);
   * rows of several jobs start at once, each with its row's defaults.
   */
  async function execute(rows: JobRow[]) {
    setNotice(null);
    const first = rows[0];
    if (first && rows.every((r) => r.jobId === first.jobId)) {
      setChecking(true);
      try {
        const { data } = await client.query({ query: RUN_PARAMETERS, variables: { jobId: first.jobId, domain: first.domain }, fetchPolicy: 'network-only' });
        const job = data?.job;
        if (job?.parameters.length) {
          const close = () => setParametersRequest(null);
          setParametersRequest({ job, rowCount: rows.length, onClose: close, onSubmit: async (values) => { await start(rows, values); close(); } });
          return;
        }
      } catch (e) {
        setNotice({ color: 'red', title: t('actions.startFailed'), message: errorMessage(e) });
        return;
      } finally {
        setChecking(false);
      }
    }
    try {
      await start(rows);
    } catch (e) {
      setNotice({ color: 'red', title: t('actions.startFailed'), message: errorMessage(e) });
    }
  }

  /** Starts the rows; rejects with the API's error (the parameter form shows it on its field). */
  async function start(rows: JobRow[], parameters?: ParameterValueInput[]) {
    const refs = rows.map((r) => ({ jobId: r.jobId, domain: r.domain }));
    const answers = [];
    // The server takes at most 500 rows per call.
    for (let i = 0; i < refs.length; i += 500) {
      const { data } = await executeNow({ variables: { jobs: refs.slice(i, i + 500), parameters } });
      answers.push(...(data?.executeNow ?? []));
    }
    const out = new Map<string, RowResult>();
    let started = 0;
    for (const r of answers) {
      if (r.execution) {
        started++;
        applyExecution(client, r.execution);
        out.set(jobKey(r.job), { text: t('actions.started'), color: 'blue', executionId: r.execution.id });
      } else {
        const reason = r.reason ?? 'UNKNOWN';
        out.set(jobKey(r.job), { text: L.reason(reason), color: reason === 'ALREADY_RUNNING' ? 'orange' : 'red' });
      }
    }
    setResults(out);
    // A second click would run the same rows again (or be refused as already running).
    onExecuted?.();
    const skipped = out.size - started;
    // The refused ones: those without an execution.
    const list = [...out].filter(([, v]) => !v.executionId).slice(0, 20).map(([k, v]) => t('actions.rowResult', { job: k, result: v.text })).join(' · ');
    setNotice({
      color: skipped ? 'orange' : 'blue',
      title: t('actions.startedTitle', { started, total: out.size }),
      message: !skipped ? t('actions.followLive') : skipped > 20 ? t('actions.skippedMore', { list, count: skipped - 20 }) : list,
    });
  }

  async function cancel(rows: JobRow[]) {
    setNotice(null);
    setCancelling(true);
    const targets = rows.filter((r) => r.running && r.lastExecution);
    const settled = await Promise.allSettled(targets.map((r) => cancelExecution({ variables: { id: r.lastExecution!.id } })));
    setCancelling(false);
    const out = new Map<string, RowResult>();
    const failed: string[] = [];
    settled.forEach((s, i) => {
      const row = targets[i]!;
      if (s.status === 'fulfilled' && s.value.data) {
        applyExecution(client, s.value.data.cancelExecution);
        out.set(jobKey(row), { text: t('actions.cancelRequested'), color: 'gray', executionId: s.value.data.cancelExecution.id });
      } else {
        const err = s.status === 'rejected' ? firstError(s.reason) : firstError(s.value.error);
        out.set(jobKey(row), { text: err?.code === 'NOT_FOUND' ? t('actions.notFound') : t('actions.notCancelled'), color: 'red' });
        failed.push(t('actions.rowResult', { job: jobKey(row), result: err?.message ?? t('actions.notCancelled') }));
      }
    });
    setResults(out);
    setNotice(
      failed.length
        ? { color: 'red', title: t('actions.cancelledTitle', { cancelled: targets.length - failed.length, total: targets.length }), message: failed.join(' · ') }
        : { color: 'gray', title: t('actions.cancelRequestedTitle', { count: targets.length }), message: t('actions.cancelRequestedMessage') },
    );
  }

  function dismiss() {
    setNotice(null);
    setResults(new Map());
  }

  return { results, notice, executing: executing || checking, cancelling, execute, cancel, dismiss, parametersRequest };
}
