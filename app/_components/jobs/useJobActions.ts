'use client';

import { useApolloClient, useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { errorMessage, firstError } from '../../_lib/errors';
import { jobKey } from '../../_lib/jobs-url';
import { applyExecution } from '../../_lib/live-jobs';
import { CANCEL_EXECUTION, EXECUTE_NOW } from '../../_lib/operations';
import { REASON_LABEL } from '../../_lib/status';
import type { JobRow } from '../../_lib/types';
import type { RowResult } from './JobsTable';

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
  const client = useApolloClient();
  const [results, setResults] = useState<Map<string, RowResult>>(new Map());
  const [notice, setNotice] = useState<Notice | null>(null);
  const [executeNow, { loading: executing }] = useMutation(EXECUTE_NOW);
  const [cancelExecution] = useMutation(CANCEL_EXECUTION);
  const [cancelling, setCancelling] = useState(false);

  async function execute(rows: JobRow[]) {
    setNotice(null);
    try {
      const refs = rows.map((r) => ({ jobId: r.jobId, domain: r.domain }));
      const answers = [];
      // The server takes at most 500 rows per call.
      for (let i = 0; i < refs.length; i += 500) {
        const { data } = await executeNow({ variables: { jobs: refs.slice(i, i + 500) } });
        answers.push(...(data?.executeNow ?? []));
      }
      const out = new Map<string, RowResult>();
      let started = 0;
      for (const r of answers) {
        if (r.execution) {
          started++;
          applyExecution(client, r.execution);
          out.set(jobKey(r.job), { text: 'started', color: 'blue', executionId: r.execution.id });
        } else {
          const reason = r.reason ?? 'UNKNOWN';
          out.set(jobKey(r.job), { text: REASON_LABEL[reason] ?? reason.toLowerCase().replaceAll('_', ' '), color: reason === 'ALREADY_RUNNING' ? 'orange' : 'red' });
        }
      }
      setResults(out);
      // A second click would run the same rows again (or be refused as already running).
      onExecuted?.();
      const skipped = out.size - started;
      setNotice({
        color: skipped ? 'orange' : 'blue',
        title: `Started ${started} of ${out.size} job${out.size === 1 ? '' : 's'}`,
        message: skipped
          ? [...out].filter(([, v]) => v.text !== 'started').slice(0, 20).map(([k, v]) => `${k}: ${v.text}`).join(' · ') + (skipped > 20 ? ` · and ${skipped - 20} more` : '')
          : 'Follow them live in the list or open their logs.',
      });
    } catch (e) {
      setNotice({ color: 'red', title: 'Could not start the jobs', message: errorMessage(e) });
    }
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
        out.set(jobKey(row), { text: 'cancel requested', color: 'gray', executionId: s.value.data.cancelExecution.id });
      } else {
        const err = s.status === 'rejected' ? firstError(s.reason) : firstError(s.value.error);
        out.set(jobKey(row), { text: err?.code === 'NOT_FOUND' ? 'not found' : 'not cancelled', color: 'red' });
        failed.push(`${jobKey(row)}: ${err?.message ?? 'not cancelled'}`);
      }
    });
    setResults(out);
    setNotice(
      failed.length
        ? { color: 'red', title: `Cancelled ${targets.length - failed.length} of ${targets.length}`, message: failed.join(' · ') }
        : { color: 'gray', title: `Cancel requested for ${targets.length} execution${targets.length === 1 ? '' : 's'}`, message: 'They end as Cancelled once the job has stopped.' },
    );
  }

  function dismiss() {
    setNotice(null);
    setResults(new Map());
  }

  return { results, notice, executing, cancelling, execute, cancel, dismiss };
}
