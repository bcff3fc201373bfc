'use client';

import type { ApolloClient } from '@apollo/client';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { logEntryText } from '../../../lib/log-text';
import { errorMessage } from '../../_lib/errors';
import { readAllLogs } from '../../_lib/log-stream';
import type { ExecutionSummary, LogEntry } from '../../_lib/types';

/**
 * Entries as lines of the downloaded file. Shown, not obeyed: a job's terminal escapes and carriage
 * returns must not drive the terminal that opens the file (the report email does the same).
 */
export function logFileText(entries: readonly Pick<LogEntry, 'at' | 'level' | 'message'>[]): string {
  return entries.map((e) => `${logEntryText(`${e.at} ${e.level.padEnd(8)} `, e.message)}\n`).join('');
}

/**
 * "Download": the full log as text, read page by page from the server (not the filtered lines).
 * Each page becomes a Blob part at once: the browser keeps those outside the script's heap, so a
 * million-line log is never held as entries, and the button shows how far it got.
 */
export function useDownload(client: ApolloClient, executionId: string, exec: ExecutionSummary | null | undefined) {
  const t = useTranslations('logViewer');
  const [busy, setBusy] = useState(false);
  const [percent, setPercent] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function start() {
    setBusy(true);
    setPercent(null);
    setError(null);
    try {
      const parts: Blob[] = [];
      const total = exec?.lastSeq ?? 0;
      const r = await readAllLogs(client, executionId, 0, (entries) => {
        parts.push(new Blob([logFileText(entries)]));
        const last = entries[entries.length - 1]!.seq;
        if (total > 0) setPercent(Math.min(100, Math.floor((last / total) * 100)));
      });
      if (!r) {
        setError(t('download.failed', { reason: t('download.gone') }));
        return;
      }
      const head = exec ? `# ${t('download.fileHead', { jobId: exec.jobId, domain: exec.domain, id: executionId, status: exec.status, startedAt: exec.startedAt })}\n` : '';
      const url = URL.createObjectURL(new Blob([head, ...parts], { type: 'text/plain;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${exec ? `${exec.jobId}@${exec.domain}-` : ''}execution-${executionId}.log.txt`.replace(/[^\w.@-]+/g, '_');
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(t('download.failed', { reason: errorMessage(e) }));
    } finally {
      setBusy(false);
      setPercent(null);
    }
  }

  return { busy, percent, error, start: () => void start() };
}
