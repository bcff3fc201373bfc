'use client';

import { NetworkStatus } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Button, Center, Group, Loader, Paper, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import { ConfirmDialog } from '../ConfirmDialog';
import { DateText } from '../DateText';
import { LoadOlder } from '../LoadOlder';
import { useViewer } from '../ViewerContext';
import { CreateDomains } from './CreateDomains';
import { DELETE_DOMAIN, DOMAIN_IMPACT, DOMAINS_PAGE } from './operations';
import { appendPage } from '../../_lib/append-page';

const PAGE = 50;
/**
 * Domains (system administrators): searched and paged on the server; a system administrator of
 * all domains creates them (one, or a pasted list) and deletes them after seeing what goes with them.
 */
export function DomainsPage() {
  const t = useTranslations('domains');
  const viewer = useViewer();
  const isAdmin = viewer.role === 'SYSTEM_ADMIN';
  const canManage = isAdmin && viewer.allDomains;
  const [search, setSearch] = useState('');
  const [text] = useDebouncedValue(search.trim(), 250);
  const { data, previousData, error, refetch, fetchMore, networkStatus } = useQuery(DOMAINS_PAGE, {
    variables: { text: text || null, first: PAGE },
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
    skip: !isAdmin,
  });
  const [toDelete, setToDelete] = useState<string | null>(null);
  const impact = useQuery(DOMAIN_IMPACT, { variables: { name: toDelete ?? '' }, skip: !toDelete, fetchPolicy: 'network-only' });
  const [remove, { loading: deleting }] = useMutation(DELETE_DOMAIN);
  const [notice, setNotice] = useState<{ color: string; text: string } | null>(null);

  if (!isAdmin) return <Alert m="md" color="gray" title={t('notAvailable.title')}>{t('notAvailable.text')}</Alert>;

  // While the next search is on its way, the previous answer stays on screen.
  const list = (data ?? previousData)?.domainList;

  async function confirmDelete() {
    const name = toDelete;
    if (!name) return;
    try {
      await remove({ variables: { name } });
      setNotice({ color: 'green', text: t('deleted', { name }) });
      await refetch();
    } catch (e) {
      setNotice({ color: 'red', text: errorMessage(e) });
    } finally {
      setToDelete(null);
    }
  }

  // The confirmation's sentence: what goes with the domain, counted by the server just now.
  const counted = impact.data?.domainImpact;
  const doomed = toDelete ?? '';
  const impactMessage = impact.loading ? t('delete.counting', { name: doomed })
    : !counted ? t('delete.gone', { name: doomed })
    : t('delete.impact', { rows: counted.rows, executions: counted.executions, admins: counted.domainAdmins, name: doomed });

  const more = () =>
    void fetchMore({
      variables: { after: list?.pageInfo.endCursor },
      updateQuery: appendPage('domainList'),
    });

  return (
    <Stack p="md" gap="md" maw={980} data-testid="domains-page">
      <div>
        <Title order={2} size="h3">{t('heading')}</Title>
        <Text size="sm" c="dimmed">
          {canManage ? t('introManage') : t('introSupervise')}
        </Text>
      </div>
      {canManage && (
        <Paper withBorder p="sm" radius="md">
          <CreateDomains onCreated={() => void refetch()} />
        </Paper>
      )}
      {notice && <Alert color={notice.color} variant="light" withCloseButton onClose={() => setNotice(null)} data-testid="domains-notice">{notice.text}</Alert>}

      <Group justify="space-between" align="flex-end" wrap="wrap" gap="xs">
        <TextInput label={t('search.label')} placeholder={t('search.placeholder')} value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={280} maw="100%" maxLength={253}
          data-testid="domains-search" />
        {list && <Text size="sm" c="dimmed" data-testid="domains-total">{text ? t('totalMatching', { count: list.totalCount }) : t('total', { count: list.totalCount })}</Text>}
      </Group>

      {error && !list ? (
        <Alert color="red" title={t('loadError')}>{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>{t('tryAgain')}</Button></Alert>
      ) : !list ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : list.nodes.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="domains-empty">{text ? t('emptySearch', { text }) : t('empty')}</Text>
      ) : (
        <div>
          <Table highlightOnHover data-testid="domains-table" layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('table.name')}</Table.Th>
                {/* A phone keeps the name whole and the action at hand; the date cell would be cut anyway. */}
                <Table.Th w={200} visibleFrom="xs">{t('table.created')}</Table.Th>
                {canManage && <Table.Th w={80}><VisuallyHidden>{t('table.actions')}</VisuallyHidden></Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.nodes.map((d) => (
                <Table.Tr key={d.name} data-testid={`domain-row-${d.name}`}>
                  <Table.Td><Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>{d.name}</Text></Table.Td>
                  <Table.Td visibleFrom="xs"><DateText iso={d.createdAt} /></Table.Td>
                  {canManage && (
                    <Table.Td ta="right">
                      <Button size="compact-xs" color="red" variant="subtle" onClick={() => setToDelete(d.name)} aria-label={t('delete.ariaLabel', { name: d.name })} data-testid="domain-delete">{t('delete.button')}</Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <LoadOlder hasNextPage={list.pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore} onLoad={more}>{t('loadMore')}</LoadOlder>
        </div>
      )}

      <ConfirmDialog
        opened={toDelete !== null}
        title={t('delete.confirmTitle', { name: doomed })}
        message={impactMessage}
        confirmLabel={t('delete.confirmLabel')}
        // Filled red.7 (the theme's shade) is 3.8:1 under white text; red.9 passes AA.
        color="red.9"
        loading={deleting || impact.loading}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setToDelete(null)}
      />
    </Stack>
  );
}
