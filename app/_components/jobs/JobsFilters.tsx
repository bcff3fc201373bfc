'use client';

import { Chip, CloseButton, Group, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { STATUS_COLOR, STATUS_FILTERS, type StatusFilter } from '../../_lib/status';

interface Props {
  statuses: StatusFilter[];
  q: string;
  onStatuses: (s: StatusFilter[]) => void;
  onQ: (q: string) => void;
}

/** Status toggles and the text box; both write to the URL (through the callbacks). */
export function JobsFilters({ statuses, q, onStatuses, onQ }: Props) {
  const [text, setText] = useState(q);
  const push = useDebouncedCallback(onQ, 300);
  // Back/forward or a pasted link changes the URL under us: follow it.
  useEffect(() => setText(q), [q]);

  return (
    <Group gap="xs" justify="flex-end" wrap="wrap" role="search" aria-label="Filter jobs">
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
        w={220}
        placeholder="Search id or description"
        aria-label="Search jobs by identifier or description"
        value={text}
        data-testid="jobs-search"
        onChange={(e) => {
          setText(e.currentTarget.value);
          push(e.currentTarget.value);
        }}
        rightSection={text ? <CloseButton size="sm" aria-label="Clear search" onClick={() => { setText(''); onQ(''); }} /> : null}
      />
    </Group>
  );
}
