'use client';

import { CloseButton, Group, SegmentedControl, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import type { StatusFilter } from '../../_lib/status';
import { DomainPicker } from '../DomainPicker';
import { StatusChips } from '../StatusChips';
import { WINDOWS, type WindowValue } from './timeline';

interface Props {
  window: WindowValue;
  statuses: StatusFilter[];
  q: string;
  domain: string | null;
  onWindow: (w: WindowValue) => void;
  onStatuses: (s: StatusFilter[]) => void;
  onQ: (q: string) => void;
  onDomain: (d: string | null) => void;
}

/** The window, then the same filters as the jobs list (status of the row's last run, text, domain); all write to the URL. */
export function UpcomingFilters({ window, statuses, q, domain, onWindow, onStatuses, onQ, onDomain }: Props) {
  const t = useTranslations('upcoming');
  const [text, setText] = useState(q);
  const push = useDebouncedCallback(onQ, 300);
  // Back/forward or a pasted link changes the URL under us: follow it.
  useEffect(() => setText(q), [q]);

  return (
    <Group gap="xs" wrap="wrap" role="search" aria-label={t('filters.label')}>
      <SegmentedControl
        size="xs"
        value={window}
        onChange={(v) => onWindow(v as WindowValue)}
        data={WINDOWS.map((w) => ({ value: w.value, label: <span data-testid={`window-${w.value}`}>{t(`window.${w.value}`)}</span> }))}
        aria-label={t('window.label')}
        data-testid="upcoming-window"
        w={{ base: '100%', xs: 'auto' }}
      />
      <StatusChips value={statuses} onChange={onStatuses} label={t('filters.statuses')} />
      <TextInput
        size="xs"
        w={{ base: 'calc(50% - 5px)', xs: 200 }}
        placeholder={t('filters.searchPlaceholder')}
        aria-label={t('filters.search')}
        value={text}
        data-testid="upcoming-search"
        onChange={(e) => {
          setText(e.currentTarget.value);
          push(e.currentTarget.value);
        }}
        rightSection={text ? <CloseButton size="sm" aria-label={t('filters.clearSearch')} onClick={() => { setText(''); onQ(''); }} /> : null}
      />
      <DomainPicker value={domain} onChange={onDomain} w={{ base: 'calc(50% - 5px)', xs: 180 }} data-testid="upcoming-domain" />
    </Group>
  );
}
