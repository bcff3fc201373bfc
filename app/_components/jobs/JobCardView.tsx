'use client';

import { Badge, Checkbox } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { memo } from 'react';
import type { JobRow } from '../../_lib/types';
import { useLabels } from '../../_lib/use-labels';
import { DateText } from '../DateText';
import { LogIcon } from '../LogIcon';
import { StatusIcon } from '../StatusIcon';
import { WaitingIcon } from '../WaitingIcon';
import { RowAlertIcon } from '../alerts/AlertIcon';
import { shownResult, type RowResult } from './JobRowView';

interface Props {
  row: JobRow;
  rowKey: string;
  selected: boolean;
  result: RowResult | undefined;
  onToggle: (key: string) => void;
  onOpenJob: (row: JobRow) => void;
  onOpenLog: (row: JobRow) => void;
}

/** Fixed, so the virtualiser can place cards without measuring them (see .jd-card). */
export const CARD_HEIGHT = 100;

/**
 * One job row as a card, for phones: the table's nine columns do not fit 390 px, and a table
 * scrolled sideways hides the status or the actions. Same test ids and controls as JobRowView.
 */
export const JobCardView = memo(function JobCardView({ row, rowKey, selected, result: given, onToggle, onOpenJob, onOpenLog }: Props) {
  const t = useTranslations('jobs');
  const L = useLabels();
  const result = shownResult(row, given);
  return (
    <div role="listitem" className="jd-card" data-selected={selected} data-testid={`job-row-${rowKey}`} data-running={row.running ? 'true' : 'false'}>
      <div className="jd-card-line">
        <Checkbox size="sm" checked={selected} onChange={() => onToggle(rowKey)} aria-label={t('row.select', { key: rowKey })} data-testid="row-checkbox" />
        <StatusIcon status={row.lastExecution?.status} />
        <button type="button" className="jd-link jd-card-title" onClick={() => onOpenJob(row)} title={row.description} data-testid="job-open"
          aria-label={t('row.open', { job: row.jobId, domain: row.domain })}>
          {row.jobId}
        </button>
        {row.lastExecution?.status === 'IN_PROGRESS' && row.lastExecution.waitingFor && <WaitingIcon resource={row.lastExecution.waitingFor} />}
        {row.openAlerts.length > 0 && <RowAlertIcon alerts={row.openAlerts} />}
        {result && <Badge size="xs" variant="light" color={result.color} data-testid="row-result" style={{ flex: 'none' }}>{result.text}</Badge>}
        <LogIcon unread={row.hasUnreadLogs} disabled={!row.lastExecution} onClick={() => onOpenLog(row)} label={rowKey} size="lg" />
      </div>
      <div className="jd-card-line jd-card-meta">
        <span className="jd-cell" title={row.domain}>{row.domain}</span>
        <span className="jd-cell jd-dimmed" style={{ flex: 'none' }}>{L.kind(row.kind)}</span>
      </div>
      <div className="jd-card-line jd-card-meta">
        <span className={row.plan.kind === 'DISABLED' ? 'jd-cell jd-dimmed' : 'jd-cell'} title={row.plan.summary} data-testid="row-plan">{row.plan.summary}</span>
        <span className="jd-cell jd-dimmed" style={{ flex: 'none' }}>{t('row.next')}</span>
        <span style={{ flex: 'none' }}><DateText iso={row.nextRunAt} testId="row-next" /></span>
      </div>
    </div>
  );
});
