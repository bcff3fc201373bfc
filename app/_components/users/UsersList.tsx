'use client';

import { ActionIcon, Badge, Group, Menu, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { memo } from 'react';
import { useLabels } from '../../_lib/use-labels';
import { DateText } from '../DateText';
import type { UserRow } from './operations';

export type UserAction = 'edit' | 'password' | 'toggle' | 'delete';

interface Props {
  users: UserRow[];
  viewerId: string;
  onAction: (action: UserAction, user: UserRow) => void;
}

/** Below this the five columns do not fit, and the list becomes cards (as the jobs list does). */
const PHONE_QUERY = '(max-width: 700px)';
/** Domains written out before the rest is counted ("+N"); the full list is on hover. */
const SHOWN_DOMAINS = 3;

function Domains({ u }: { u: UserRow }) {
  const t = useTranslations('users');
  if (u.allDomains) return <Badge size="sm" variant="light" color="indigo" tt="none" data-testid="user-domains">{t('list.allDomains')}</Badge>;
  const shown = u.domains.slice(0, SHOWN_DOMAINS);
  const rest = u.domains.length - shown.length;
  // The "+N" never shrinks: a narrow cell cuts the names, not the count of those not shown.
  return (
    <span style={{ display: 'flex', gap: 4, minWidth: 0 }} title={u.domains.join(', ')} data-testid="user-domains">
      <span className="jd-cell">{shown.join(', ') || '—'}</span>
      {rest > 0 && <span className="jd-cell jd-dimmed" style={{ flex: 'none' }}>{`+${rest}`}</span>}
    </span>
  );
}

function State({ u }: { u: UserRow }) {
  const t = useTranslations('users');
  return u.disabled
    ? <Badge size="sm" variant="light" color="gray" data-testid="user-state">{t('list.disabled')}</Badge>
    : <Badge size="sm" variant="light" color="green" data-testid="user-state">{t('list.enabled')}</Badge>;
}

/** The row's menu; nobody disables or deletes himself, so those are not offered on one's own row. */
function Actions({ u, self, onAction }: { u: UserRow; self: boolean; onAction: Props['onAction'] }) {
  const t = useTranslations('users');
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={t('list.actionsFor', { email: u.email })} data-testid="user-actions">
          <span aria-hidden style={{ fontSize: 18, lineHeight: 1 }}>⋯</span>
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item onClick={() => onAction('edit', u)} data-testid="user-edit">{t('list.edit')}</Menu.Item>
        <Menu.Item onClick={() => onAction('password', u)} data-testid="user-set-password">{t('list.setPassword')}</Menu.Item>
        {!self && (
          <>
            <Menu.Item onClick={() => onAction('toggle', u)} data-testid="user-toggle">{u.disabled ? t('list.enable') : t('list.disable')}</Menu.Item>
            <Menu.Divider />
            <Menu.Item color="red" onClick={() => onAction('delete', u)} data-testid="user-delete">{t('list.delete')}</Menu.Item>
          </>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}

function Email({ u, self }: { u: UserRow; self: boolean }) {
  const t = useTranslations('users');
  return (
    <Group gap={6} wrap="nowrap" miw={0}>
      <Text size="sm" fw={500} className="jd-truncate" title={u.email}>{u.email}</Text>
      {self && <Badge size="xs" variant="outline" tt="none" style={{ flex: 'none' }}>{t('list.you')}</Badge>}
    </Group>
  );
}

const UserCard = memo(function UserCard({ u, self, onAction }: { u: UserRow; self: boolean; onAction: Props['onAction'] }) {
  const t = useTranslations('users');
  const L = useLabels();
  return (
    <Paper withBorder radius="sm" px="sm" py={8} mb={8} role="listitem" data-testid={`user-row-${u.email}`} data-state={u.disabled ? 'disabled' : 'enabled'}>
      <Stack gap={6}>
        <div className="jd-card-line">
          <div style={{ flex: 1, minWidth: 0 }}><Email u={u} self={self} /></div>
          <Actions u={u} self={self} onAction={onAction} />
        </div>
        <div className="jd-card-line">
          <Badge size="sm" variant="light" color={u.role === 'SYSTEM_ADMIN' ? 'indigo' : 'teal'} tt="none" style={{ flex: 'none' }}>{L.role(u.role)}</Badge>
          <State u={u} />
          <div style={{ flex: 1, minWidth: 0 }}><Domains u={u} /></div>
        </div>
        <div className="jd-card-line jd-card-meta">
          <span className="jd-cell jd-dimmed" style={{ flex: 'none' }}>{t('list.lastSignIn')}</span>
          <DateText iso={u.lastSignInAt} empty={t('list.never')} />
        </div>
      </Stack>
    </Paper>
  );
});

const UserTableRow = memo(function UserTableRow({ u, self, onAction }: { u: UserRow; self: boolean; onAction: Props['onAction'] }) {
  const t = useTranslations('users');
  const L = useLabels();
  return (
    <Table.Tr data-testid={`user-row-${u.email}`} data-state={u.disabled ? 'disabled' : 'enabled'}>
      <Table.Td maw={320}><Email u={u} self={self} /></Table.Td>
      <Table.Td><Text size="sm" className="jd-truncate">{L.role(u.role)}</Text></Table.Td>
      <Table.Td maw={280}><Domains u={u} /></Table.Td>
      <Table.Td><State u={u} /></Table.Td>
      <Table.Td><DateText iso={u.lastSignInAt} empty={t('list.never')} /></Table.Td>
      <Table.Td ta="right" w={48}><Actions u={u} self={self} onAction={onAction} /></Table.Td>
    </Table.Tr>
  );
});

/** The users of one or more loaded pages: a table on a desktop, cards on a phone. */
export function UsersList({ users, viewerId, onAction }: Props) {
  const t = useTranslations('users');
  // Read at once, not in an effect: the list mounts on the client only, and a first frame of table
  // on a phone would be a flash of the wrong layout.
  const phone = useMediaQuery(PHONE_QUERY, undefined, { getInitialValueInEffect: false });
  if (phone) {
    return (
      <div role="list" aria-label={t('list.label')} data-testid="users-cards" data-layout="cards">
        {users.map((u) => <UserCard key={u.id} u={u} self={u.id === viewerId} onAction={onAction} />)}
      </div>
    );
  }
  return (
    <Table highlightOnHover layout="fixed" data-testid="users-table" data-layout="table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="32%">{t('list.email')}</Table.Th>
          <Table.Th w={130}>{t('list.role')}</Table.Th>
          <Table.Th>{t('list.domains')}</Table.Th>
          <Table.Th w={100}>{t('list.state')}</Table.Th>
          <Table.Th w={170}>{t('list.lastSignIn')}</Table.Th>
          <Table.Th w={48}><VisuallyHidden>{t('list.actions')}</VisuallyHidden></Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {users.map((u) => <UserTableRow key={u.id} u={u} self={u.id === viewerId} onAction={onAction} />)}
      </Table.Tbody>
    </Table>
  );
}
