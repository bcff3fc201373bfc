'use client';

import { Badge, Checkbox, Table } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { memo } from 'react';
import type { JobRow } from '../../_lib/types';
import { useLabels } from '../../_lib/use-labels';
import { DateText } from '../DateText';
import { LogIcon } from '../LogIcon';
import { StatusIcon } from '../StatusIcon';
import { WaitingIcon } from '../WaitingIcon';
import { RowAlertIcon } from '../alerts/AlertIcon';

export interface RowResult {
  text: string;
  color: string;
  /** The execution this result is about ("started", "cancel requested"): shown only while it runs. */
  executionId?: string;
}

/**
 * The result badge to show, if any. One about an execution goes once that execution has ended (or a
 * newer one replaced it), whether the live update or the next refresh brings the news: a "started"
 * badge beside a final status reads as a contradiction. Refusals stay until dismissed.
 */
export function shownResult(row: JobRow, result: RowResult | undefined): RowResult | undefined {
  if (!result?.executionId) return result;
  const last = row.lastExecution;
  return last?.id === result.executionId && last.status === 'IN_PROGRESS' ? result : undefined;
}

interface Props {
  row: JobRow;
  rowKey: string;
  index: number;
  selected: boolean;
  result: RowResult | undefined;
  onToggle: (key: string) => void;
  onOpenJob: (row: JobRow) => void;
  onOpenLog: (row: JobRow) => void;
}

/**
 * One row of the list. Memoised: a scroll mounts only the rows coming into view, and a live update
 * re-renders only its own row (the cache hands back the same object for every unchanged row).
 */
export const JobRowView = memo(function JobRowView({ row, rowKey, index, selected, result: given, onToggle, onOpenJob, onOpenLog }: Props) {
  const t = useTranslations('jobs');
  const L = useLabels();
  const result = shownResult(row, given);
  return (
    <Table.Tr className="jd-row" data-selected={selected} data-testid={`job-row-${rowKey}`} data-running={row.running ? 'true' : 'false'}
      aria-rowindex={index + 2}>
      <td className="jd-td">
        <Checkbox size="xs" checked={selected} onChange={() => onToggle(rowKey)} aria-label={t('row.select', { key: rowKey })} data-testid="row-checkbox" />
      </td>
      <td className="jd-td"><StatusIcon status={row.lastExecution?.status} /></td>
      <td className="jd-td">
        <LogIcon unread={row.hasUnreadLogs} disabled={!row.lastExecution} onClick={() => onOpenLog(row)} label={rowKey} />
      </td>
      <td className="jd-td">
        <div style={{ display: 'flex', gap: 6, alignItems: 'center', minWidth: 0 }}>
          <button type="button" className="jd-link" onClick={() => onOpenJob(row)} title={row.description} data-testid="job-open"
            aria-label={t('row.open', { job: row.jobId, domain: row.domain })}>
            {row.jobId}
          </button>
          {row.lastExecution?.status === 'IN_PROGRESS' && row.lastExecution.waitingFor && <WaitingIcon resource={row.lastExecution.waitingFor} />}
          {row.openAlerts.length > 0 && <RowAlertIcon alerts={row.openAlerts} />}
          {result && <Badge size="xs" variant="light" color={result.color} data-testid="row-result" style={{ flex: 'none' }}>{result.text}</Badge>}
        </div>
      </td>
      <td className="jd-td"><span className="jd-cell">{L.kind(row.kind)}</span></td>
      <td className="jd-td"><span className="jd-cell" title={row.domain}>{row.domain}</span></td>
      <td className="jd-td">
        <span className={row.plan.kind === 'DISABLED' ? 'jd-cell jd-dimmed' : 'jd-cell'} title={row.plan.summary} data-testid="row-plan">{row.plan.summary}</span>
      </td>
      <td className="jd-td"><DateText iso={row.lastExecution?.startedAt} testId="row-last" empty={t('row.never')} run /></td>
      <td className="jd-td"><DateText iso={row.nextRunAt} testId="row-next" /></td>
    </Table.Tr>
  );
});
