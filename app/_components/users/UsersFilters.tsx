'use client';

import { CloseButton, Group, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import type { Role } from '../../_lib/generated';
import { DomainPicker } from '../DomainPicker';
import { ROLE_LABEL, type UsersView, type UserState } from './users-url';

interface Props {
  view: UsersView;
  onChange: (changes: Record<string, string | null>) => void;
}

const ROLES = [{ value: 'any', label: 'Any role' }, ...(['SYSTEM_ADMIN', 'DOMAIN_ADMIN'] as const).map((r) => ({ value: r, label: ROLE_LABEL[r] }))];
const STATES = [{ value: 'any', label: 'Any state' }, { value: 'enabled', label: 'Enabled' }, { value: 'disabled', label: 'Disabled' }];

/** Email text (debounced), role, domain and state; each change becomes a new URL (see UsersPage). */
export function UsersFilters({ view, onChange }: Props) {
  const [text, setText] = useState(view.q);
  const push = useDebouncedCallback((q: string) => onChange({ q: q.trim() }), 300);
  // Back/forward or a pasted link changes the URL under us: follow it.
  useEffect(() => setText(view.q), [view.q]);
  const half = { base: 'calc(50% - 5px)', xs: 150 };

  return (
    <Group gap="xs" wrap="wrap" role="search" aria-label="Filter users">
      <TextInput size="xs" w={{ base: '100%', xs: 240 }} placeholder="Search by email" aria-label="Search users by email" value={text}
        data-testid="users-search"
        onChange={(e) => { setText(e.currentTarget.value); push(e.currentTarget.value); }}
        rightSection={text ? <CloseButton size="sm" aria-label="Clear search" onClick={() => { setText(''); push.cancel(); onChange({ q: null }); }} /> : null} />
      <Select size="xs" w={half} data={ROLES} value={view.role ?? 'any'} allowDeselect={false} aria-label="Role" data-testid="users-role"
        onChange={(v) => onChange({ role: v === 'any' ? null : (v as Role) })} comboboxProps={{ withinPortal: true }} />
      <Select size="xs" w={half} data={STATES} value={view.state ?? 'any'} allowDeselect={false} aria-label="State" data-testid="users-state"
        onChange={(v) => onChange({ state: v === 'any' ? null : (v as UserState) })} comboboxProps={{ withinPortal: true }} />
      <DomainPicker value={view.domain} onChange={(d) => onChange({ domain: d })} w={{ base: '100%', xs: 200 }} data-testid="users-domain" />
    </Group>
  );
}
