'use client';

import { CloseButton, Group, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { useEffect, useMemo, useState } from 'react';
import type { Role } from '../../_lib/generated';
import { useLabels } from '../../_lib/use-labels';
import { DomainPicker } from '../DomainPicker';
import type { UsersView, UserState } from './users-url';

interface Props {
  view: UsersView;
  onChange: (changes: Record<string, string | null>) => void;
}

const ROLES = ['SYSTEM_ADMIN', 'DOMAIN_ADMIN'] as const;
const STATES = ['enabled', 'disabled'] as const;

/** Email text (debounced), role, domain and state; each change becomes a new URL (see UsersPage). */
export function UsersFilters({ view, onChange }: Props) {
  const t = useTranslations('users');
  const L = useLabels();
  const roles = useMemo(() => [{ value: 'any', label: t('filters.anyRole') }, ...ROLES.map((r) => ({ value: r, label: L.role(r) }))], [t, L]);
  const states = useMemo(() => [{ value: 'any', label: t('filters.anyState') }, ...STATES.map((s) => ({ value: s, label: t(`filters.${s}`) }))], [t]);
  const [text, setText] = useState(view.q);
  const push = useDebouncedCallback((q: string) => onChange({ q: q.trim() }), 300);
  // Back/forward or a pasted link changes the URL under us: follow it.
  useEffect(() => setText(view.q), [view.q]);
  const half = { base: 'calc(50% - 5px)', xs: 150 };

  return (
    <Group gap="xs" wrap="wrap" role="search" aria-label={t('filters.label')}>
      <TextInput size="xs" w={{ base: '100%', xs: 240 }} placeholder={t('filters.searchPlaceholder')} aria-label={t('filters.searchLabel')} value={text}
        data-testid="users-search"
        onChange={(e) => { setText(e.currentTarget.value); push(e.currentTarget.value); }}
        rightSection={text ? <CloseButton size="sm" aria-label={t('filters.clearSearch')} onClick={() => { setText(''); push.cancel(); onChange({ q: null }); }} /> : null} />
      <Select size="xs" w={half} data={roles} value={view.role ?? 'any'} allowDeselect={false} aria-label={t('filters.role')} data-testid="users-role"
        onChange={(v) => onChange({ role: v === 'any' ? null : (v as Role) })} comboboxProps={{ withinPortal: true }} />
      <Select size="xs" w={half} data={states} value={view.state ?? 'any'} allowDeselect={false} aria-label={t('filters.state')} data-testid="users-state"
        onChange={(v) => onChange({ state: v === 'any' ? null : (v as UserState) })} comboboxProps={{ withinPortal: true }} />
      <DomainPicker value={view.domain} onChange={(d) => onChange({ domain: d })} w={{ base: '100%', xs: 200 }} data-testid="users-domain" />
    </Group>
  );
}
