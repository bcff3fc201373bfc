'use client';

import { Badge, CloseButton, Group, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { useEffect, useMemo, useState } from 'react';
import { SORTS } from '../../_lib/jobs-url';
import type { StatusFilter } from '../../_lib/status';
import { DomainPicker } from '../DomainPicker';
import { StatusChips } from '../StatusChips';

interface Props {
  statuses: StatusFilter[];
  q: string;
  domain: string | null;
  /** Exactly this job, every domain (`?jobId=`), or null. */
  jobId?: string | null;
  /** A SORTS value ("" is the default order). */
  sort: string;
  onStatuses: (s: StatusFilter[]) => void;
  onQ: (q: string) => void;
  onDomain: (d: string | null) => void;
  onClearJobId?: () => void;
  onSort: (s: string) => void;
}

/** Status toggles, the text box, the domain and the order; all write to the URL (through the callbacks). */
export function JobsFilters({ statuses, q, domain, jobId, sort, onStatuses, onQ, onDomain, onClearJobId, onSort }: Props) {
  const t = useTranslations('jobs');
  const sortData = useMemo(() => SORTS.map((s) => ({ value: s.value || 'job', label: t(`sorts.${s.key}`) })), [t]);
  const [text, setText] = useState(q);
  const push = useDebouncedCallback(onQ, 300);
  // Back/forward or a pasted link changes the URL under us: follow it.
  useEffect(() => setText(q), [q]);

  return (
    <Group gap="xs" justify="flex-end" wrap="wrap" role="search" aria-label={t('filters.label')} w={{ base: '100%', xs: 'auto' }}>
      {jobId && (
        <Badge variant="light" size="lg" tt="none" data-testid="jobid-filter"
          rightSection={<CloseButton size="xs" aria-label={t('filters.clearJobId')} onClick={onClearJobId} />}>
          {t('filters.jobId', { jobId })}
        </Badge>
      )}
      <StatusChips value={statuses} onChange={onStatuses} label={t('filters.statuses')} />
      <TextInput
        size="xs"
        w={{ base: '100%', xs: 220 }}
        placeholder={t('filters.searchPlaceholder')}
        aria-label={t('filters.search')}
        value={text}
        data-testid="jobs-search"
        onChange={(e) => {
          setText(e.currentTarget.value);
          push(e.currentTarget.value);
        }}
        rightSection={text ? <CloseButton size="sm" aria-label={t('filters.clearSearch')} onClick={() => { setText(''); onQ(''); }} /> : null}
      />
      <DomainPicker value={domain} onChange={onDomain} w={{ base: 'calc(50% - 5px)', xs: 180 }} data-testid="domain-filter" />
      <Select
        size="xs"
        w={{ base: 'calc(50% - 5px)', xs: 222 }}
        data={sortData}
        value={sort || 'job'}
        allowDeselect={false}
        aria-label={t('filters.sortBy')}
        leftSection={<span aria-hidden style={{ fontSize: 10 }}>{t('filters.sort')}</span>}
        leftSectionWidth={36}
        data-testid="jobs-sort"
        onChange={(v) => onSort(v === 'job' || !v ? '' : v)}
        comboboxProps={{ withinPortal: true }}
      />
    </Group>
  );
}
