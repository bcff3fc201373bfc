'use client';

import { Chip, CloseButton, Group, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { SORTS } from '../../_lib/jobs-url';
import { STATUS_COLOR, STATUS_FILTERS, type StatusFilter } from '../../_lib/status';
import { DomainPicker } from '../DomainPicker';

interface Props {
  statuses: StatusFilter[];
  q: string;
  domain: string | null;
  /** A SORTS value ("" is the default order). */
  sort: string;
  onStatuses: (s: StatusFilter[]) => void;
  onQ: (q: string) => void;
  onDomain: (d: string | null) => void;
  onSort: (s: string) => void;
}

const SORT_DATA = SORTS.map((s) => ({ value: s.value || 'job', label: s.label }));

/** Status toggles, the text box, the domain and the order; all write to the URL (through the callbacks). */
export function JobsFilters({ statuses, q, domain, sort, onStatuses, onQ, onDomain, onSort }: Props) {
  const [text, setText] = useState(q);
  const push = useDebouncedCallback(onQ, 300);
  // Back/forward or a pasted link changes the URL under us: follow it.
  useEffect(() => setText(q), [q]);

  return (
    <Group gap="xs" justify="flex-end" wrap="wrap" role="search" aria-label="Filter jobs" w={{ base: '100%', xs: 'auto' }}>
      <Chip.Group multiple value={statuses} onChange={(v) => onStatuses(v as StatusFilter[])}>
        <Group gap={6} wrap="wrap" role="group" aria-label="Status of the last execution">
          {STATUS_FILTERS.map((s) => (
            <Chip key={s.value} value={s.value} size="xs" color={STATUS_COLOR[s.value]} variant="outline"
              data-testid={`status-filter-${s.value}`}>
              {s.label}
            </Chip>
          ))}
        </Group>
      </Chip.Group>
      <TextInput
        size="xs"
        w={{ base: '100%', xs: 220 }}
        placeholder="Search id, description or domain"
        aria-label="Search jobs by identifier, description or domain"
        value={text}
        data-testid="jobs-search"
        onChange={(e) => {
          setText(e.currentTarget.value);
          push(e.currentTarget.value);
        }}
        rightSection={text ? <CloseButton size="sm" aria-label="Clear search" onClick={() => { setText(''); onQ(''); }} /> : null}
      />
      <DomainPicker value={domain} onChange={onDomain} w={{ base: 'calc(50% - 5px)', xs: 180 }} data-testid="domain-filter" />
      <Select
        size="xs"
        w={{ base: 'calc(50% - 5px)', xs: 222 }}
        data={SORT_DATA}
        value={sort || 'job'}
        allowDeselect={false}
        aria-label="Sort by"
        leftSection={<span aria-hidden style={{ fontSize: 10 }}>Sort</span>}
        leftSectionWidth={36}
        data-testid="jobs-sort"
        onChange={(v) => onSort(v === 'job' || !v ? '' : v)}
        comboboxProps={{ withinPortal: true }}
      />
    </Group>
  );
}
