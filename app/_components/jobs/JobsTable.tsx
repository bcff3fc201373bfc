'use client';

import { Button, Center, Checkbox, Loader, Table, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useTranslations } from 'next-intl';
import { useEffect, useRef } from 'react';
import { jobKey } from '../../_lib/jobs-url';
import type { JobRow } from '../../_lib/types';
import { CARD_HEIGHT, JobCardView } from './JobCardView';
import { JobRowView, type RowResult } from './JobRowView';

interface Props {
  /** Changes when the list is a new one (other filters): it starts again at the top. */
  listKey: string;
  rows: JobRow[];
  selected: Set<string>;
  selectedCount: number;
  results: Map<string, RowResult>;
  hasNextPage: boolean;
  loadingMore: boolean;
  onToggle: (key: string) => void;
  onToggleAll: () => void;
  onOpenJob: (row: JobRow) => void;
  onOpenLog: (row: JobRow) => void;
  onLoadMore: () => void;
}

const ROW_HEIGHT = 44;
const estimateRow = () => ROW_HEIGHT;
// A card and the gap below it (.jd-card's margin).
const estimateCard = () => CARD_HEIGHT + 8;
/** Below this the nine columns do not fit, and the list becomes cards. */
const PHONE_QUERY = '(max-width: 700px)';

export type { RowResult };

/**
 * The jobs list: a Mantine table whose rows are virtualised, so 10,000 loaded rows stay smooth; on a
 * phone, the same rows as virtualised cards.
 */
export function JobsTable({ listKey, rows, selected, selectedCount, results, hasNextPage, loadingMore, onToggle, onToggleAll, onOpenJob, onOpenLog, onLoadMore }: Props) {
  const t = useTranslations('jobs');
  const scrollRef = useRef<HTMLDivElement>(null);
  // Read at once, not in an effect: the list mounts on the client only (after the viewer query),
  // and a first frame of table on a phone would be a flash of the wrong layout.
  const phone = useMediaQuery(PHONE_QUERY, undefined, { getInitialValueInEffect: false });
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: phone ? estimateCard : estimateRow,
    overscan: 12,
  });
  useEffect(() => virtualizer.measure(), [phone, virtualizer]);
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1];

  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [listKey]);

  // Infinite scroll: ask for the next page a little before the end comes into view.
  useEffect(() => {
    if (last && last.index >= rows.length - 20 && hasNextPage && !loadingMore) onLoadMore();
  }, [last, rows.length, hasNextPage, loadingMore, onLoadMore]);

  const shownSelected = selectedCount;
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (last?.end ?? 0);

  const loadMore = (hasNextPage || loadingMore) && (
    <Center py="sm">
      {loadingMore ? <Loader size="sm" role="status" aria-label={t('table.loadingMore')} /> : (
        <Button variant="default" size="xs" onClick={onLoadMore} data-testid="load-more">{t('table.loadMore')}</Button>
      )}
    </Center>
  );

  if (phone) {
    return (
      <div ref={scrollRef} style={{ overflowY: 'auto', overflowX: 'hidden', flex: 1, minHeight: 0, paddingInline: 'var(--mantine-spacing-sm)' }}
        data-testid="jobs-scroll" data-layout="cards">
        <div className="jd-cards-head">
          <Checkbox
            size="sm"
            label={t('table.selectAllShown')}
            checked={rows.length > 0 && shownSelected === rows.length}
            indeterminate={shownSelected > 0 && shownSelected < rows.length}
            onChange={onToggleAll}
            data-testid="select-all"
          />
        </div>
        <div role="list" aria-label={t('table.list')} data-testid="jobs-cards" style={{ paddingTop, paddingBottom }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const key = jobKey(row);
            return (
              <JobCardView key={key} row={row} rowKey={key} selected={selected.has(key)} result={results.get(key)}
                onToggle={onToggle} onOpenJob={onOpenJob} onOpenLog={onOpenLog} />
            );
          })}
        </div>
        {loadMore}
      </div>
    );
  }

  return (
    <div ref={scrollRef} style={{ overflow: 'auto', flex: 1, minHeight: 0, paddingInline: 'var(--mantine-spacing-xs)' }} data-testid="jobs-scroll" data-layout="table">
      <Table layout="fixed" miw={1140} verticalSpacing={0} highlightOnHover={false} aria-rowcount={rows.length + 1} data-testid="jobs-table">
        <Table.Thead className="jd-sticky-head">
          <Table.Tr>
            <Table.Th w={40}>
              <Checkbox
                size="xs"
                aria-label={t('table.selectAllShownJobs')}
                checked={rows.length > 0 && shownSelected === rows.length}
                indeterminate={shownSelected > 0 && shownSelected < rows.length}
                onChange={onToggleAll}
                data-testid="select-all"
              />
            </Table.Th>
            <Table.Th w={40}><VisuallyHidden>{t('table.status')}</VisuallyHidden></Table.Th>
            {/* Wide enough for the header in every language ("Journal" in French), not only for the icon. */}
            <Table.Th w={76}>{t('table.log')}</Table.Th>
            {/* Scheduling takes what is left: at a fixed 250 px it cut "Daily at …" summaries
                while the Job column (auto) had room to spare; 18% fits a usual job id. */}
            <Table.Th w="18%">{t('table.job')}</Table.Th>
            <Table.Th w={130}>{t('table.kind')}</Table.Th>
            <Table.Th w={150}>{t('table.domain')}</Table.Th>
            <Table.Th>{t('table.scheduling')}</Table.Th>
            <Table.Th w={175}>{t('table.last')}</Table.Th>
            <Table.Th w={165}>{t('table.next')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {paddingTop > 0 && <tr aria-hidden style={{ height: paddingTop }} />}
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const key = jobKey(row);
            return (
              <JobRowView key={key} row={row} rowKey={key} index={item.index} selected={selected.has(key)} result={results.get(key)}
                onToggle={onToggle} onOpenJob={onOpenJob} onOpenLog={onOpenLog} />
            );
          })}
          {paddingBottom > 0 && <tr aria-hidden style={{ height: paddingBottom }} />}
        </Table.Tbody>
      </Table>
      {loadMore}
    </div>
  );
}
