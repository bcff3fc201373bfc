'use client';

import { useMutation } from '@apollo/client/react';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import type { JobFilter } from '../../_lib/types';
import type { Notice } from './useJobActions';
import { EXECUTE_SELECTION } from './operations';

/**
 * What the list does with "every row matching the filter", beyond the loaded page: Execute now
 * through executeSelection (counts, not one result per row), and the bulk edit's outcome.
 */
export function useBulkActions({ onChanged }: { onChanged: () => void }) {
  const t = useTranslations('jobs');
  const [notice, setNotice] = useState<Notice | null>(null);
  const [executeSelection, { loading: executing }] = useMutation(EXECUTE_SELECTION);

  async function executeMatching(filter: JobFilter | null) {
    setNotice(null);
    try {
      const { data } = await executeSelection({ variables: { select: { filter: filter ?? {} } } });
      const r = data?.executeSelection;
      if (!r) return;
      setNotice({ color: r.alreadyRunning ? 'orange' : 'blue', title: t('bulk.executedTitle', { started: r.started }), message: t('bulk.executedMessage', { alreadyRunning: r.alreadyRunning }) });
      onChanged();
    } catch (e) {
      setNotice({ color: 'red', title: t('actions.startFailed'), message: errorMessage(e) });
    }
  }

  function updated(r: { matched: number; updated: number }) {
    setNotice({ color: 'blue', title: t('bulk.doneTitle', { updated: r.updated }), message: t('bulk.doneMessage', { matched: r.matched, updated: r.updated }) });
    onChanged();
  }

  return { notice, executing, executeMatching, updated, dismiss: () => setNotice(null) };
}
