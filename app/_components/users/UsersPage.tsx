'use client';

import { NetworkStatus } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useState } from 'react';
import { errorMessage, firstError } from '../../_lib/errors';
import { withParams } from '../../_lib/jobs-url';
import { ConfirmDialog } from '../ConfirmDialog';
import { LoadOlder } from '../LoadOlder';
import { useViewer } from '../ViewerContext';
import { DELETE_USER, UPDATE_USER, USERS, type UserRow } from './operations';
import { PasswordDialog } from './PasswordDialog';
import { UserDialog } from './UserDialog';
import { UsersFilters } from './UsersFilters';
import { UsersList, type UserAction } from './UsersList';
import { parseUsersView, toUserFilter } from './users-url';
import { appendPage } from '../../_lib/append-page';

const PAGE = 50;

export function NotAllowed() {
  const t = useTranslations('users');
  return (
    <Center p="xl" data-testid="users-not-allowed">
      <Stack align="center" gap="xs" maw={480} ta="center">
        <Title order={2} size="h3">{t('notAllowed.title')}</Title>
        <Text size="sm">{t('notAllowed.text')}</Text>
        <Group gap="xs">
          <Button component={Link} href="/jobs" size="xs">{t('notAllowed.backToJobs')}</Button>
          <Button component={Link} href="/account" size="xs" variant="default">{t('notAllowed.myAccount')}</Button>
        </Group>
      </Stack>
    </Center>
  );
}

type Notice = { color: string; text: string };

/** System administrators: the users they manage, searched and filtered through the URL, and what they can do to them. */
export function UsersPage() {
  const viewer = useViewer();
  return viewer.role === 'SYSTEM_ADMIN' ? <UsersAdmin viewerId={viewer.id} /> : <NotAllowed />;
}

function UsersAdmin({ viewerId }: { viewerId: string }) {
  const t = useTranslations('users');
  const params = useSearchParams();
  const router = useRouter();
  const view = useMemo(() => parseUsersView(params), [params]);
  const filter = useMemo(() => toUserFilter(view), [view]);
  const { data, previousData, error, refetch, fetchMore, networkStatus } = useQuery(USERS, {
    variables: { filter, first: PAGE },
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
  });
  // While the next filter's answer is on its way the previous list stays (no flash of a spinner per key).
  const conn = (data ?? previousData)?.users;
  const [editing, setEditing] = useState<UserRow | 'new' | null>(null);
  const [passwordFor, setPasswordFor] = useState<UserRow | null>(null);
  const [deleting, setDeleting] = useState<UserRow | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [update] = useMutation(UPDATE_USER);
  const [remove, removal] = useMutation(DELETE_USER);

  // A filter is a place the user went to: Back returns to the previous one.
  const goFilter = useCallback(
    (changes: Record<string, string | null>) => {
      const next = withParams(params, changes);
      if (next !== withParams(params, {})) router.push(`/users${next}`, { scroll: false });
    },
    [router, params],
  );

  const onAction = useCallback(
    async (action: UserAction, u: UserRow) => {
      setNotice(null);
      if (action === 'edit') return setEditing(u);
      if (action === 'password') return setPasswordFor(u);
      if (action === 'delete') return setDeleting(u);
      try {
        await update({ variables: { id: u.id, input: { disabled: !u.disabled } } });
        setNotice({ color: 'green', text: u.disabled ? t('notice.enabled', { email: u.email }) : t('notice.disabled', { email: u.email }) });
        // The state filter may no longer match him, and the count may change.
        await refetch();
      } catch (e) {
        setNotice({ color: 'red', text: errorMessage(e) });
      }
    },
    [update, refetch, t],
  );

  async function confirmDelete() {
    if (!deleting) return;
    try {
      await remove({ variables: { id: deleting.id } });
      setNotice({ color: 'green', text: t('notice.deleted', { email: deleting.email }) });
      await refetch();
    } catch (e) {
      setNotice({ color: 'red', text: errorMessage(e) });
    } finally {
      setDeleting(null);
    }
  }

  if (firstError(error)?.code === 'FORBIDDEN' && !conn) return <NotAllowed />;
  const users = conn?.nodes ?? [];
  const filtered = filter !== null;

  return (
    <Stack p="md" gap="sm" maw={1200} data-testid="users-page">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="xs">
        <div>
          <Title order={2} size="h3">{t('heading')}</Title>
          <Text size="sm" c="dimmed" data-testid="users-count" aria-live="polite">
            {conn ? (users.length < conn.totalCount ? t('countShown', { total: conn.totalCount, shown: users.length }) : t('count', { total: conn.totalCount })) : ' '}
          </Text>
        </div>
        <Button size="xs" onClick={() => { setNotice(null); setEditing('new'); }} data-testid="user-new">{t('newUser')}</Button>
      </Group>
      <UsersFilters view={view} onChange={goFilter} />
      {notice && (
        <Alert color={notice.color} withCloseButton closeButtonLabel={t('dismiss')} onClose={() => setNotice(null)} py="xs" role="status" data-testid="users-notice">
          {notice.text}
        </Alert>
      )}
      {error && !conn ? (
        <Alert color="red" title={t('loadError')} data-testid="users-error">
          {errorMessage(error)} <Button size="compact-xs" variant="white" color="red" onClick={() => void refetch()}>{t('tryAgain')}</Button>
        </Alert>
      ) : !conn ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : users.length === 0 ? (
        <Stack align="center" gap="xs" p="lg" data-testid="users-empty">
          <Text fw={500}>{filtered ? t('emptyFiltered') : t('empty')}</Text>
          {filtered && <Button size="xs" variant="default" onClick={() => goFilter({ q: null, role: null, domain: null, state: null })}>{t('clearFilters')}</Button>}
        </Stack>
      ) : (
        <div style={{ opacity: networkStatus === NetworkStatus.setVariables ? 0.6 : 1 }}>
          <UsersList users={users} viewerId={viewerId} onAction={(a, u) => void onAction(a, u)} />
          <LoadOlder hasNextPage={conn.pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore}
            onLoad={() =>
              void fetchMore({
                variables: { after: conn.pageInfo.endCursor },
                updateQuery: appendPage('users'),
              })}>
            {t('loadMore')}
          </LoadOlder>
        </div>
      )}

      {editing && (
        <UserDialog user={editing === 'new' ? null : editing} onClose={() => setEditing(null)}
          onSaved={(email) => {
            setNotice({ color: 'green', text: editing === 'new' ? t('notice.created', { email }) : t('notice.saved', { email }) });
            setEditing(null);
            void refetch();
          }} />
      )}
      {passwordFor && (
        <PasswordDialog user={passwordFor} onClose={() => setPasswordFor(null)}
          onDone={(email) => { setNotice({ color: 'green', text: t('notice.newPassword', { email }) }); setPasswordFor(null); }} />
      )}
      <ConfirmDialog
        opened={deleting !== null}
        title={t('confirmDelete.title')}
        message={t('confirmDelete.message', { email: deleting?.email ?? '' })}
        confirmLabel={t('confirmDelete.confirm')}
        loading={removal.loading}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setDeleting(null)}
      />
    </Stack>
  );
}
