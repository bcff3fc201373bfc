'use client';

import { Chip, Group } from '@mantine/core';
import { STATUS_COLOR, STATUS_FILTERS, type StatusFilter } from '../_lib/status';
import { useLabels } from '../_lib/use-labels';

/** The status filter chips of the jobs list and the Upcoming page (`status-filter-<STATUS>`). */
export function StatusChips({ value, onChange, label }: { value: StatusFilter[]; onChange: (v: StatusFilter[]) => void; label: string }) {
  const L = useLabels();
  return (
    <Chip.Group multiple value={value} onChange={(v) => onChange(v as StatusFilter[])}>
      <Group gap={6} wrap="wrap" role="group" aria-label={label}>
        {STATUS_FILTERS.map((s) => (
          <Chip key={s} value={s} size="xs" color={STATUS_COLOR[s]} variant="outline" data-testid={`status-filter-${s}`}>
            {L.statusFilter(s)}
          </Chip>
        ))}
      </Group>
    </Chip.Group>
  );
}
