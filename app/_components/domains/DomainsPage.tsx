'use client';

import { NetworkStatus } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Button, Center, Group, Loader, Paper, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
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
const n = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;

/** The confirmation's sentence: what goes with the domain, counted by the server just now. */
function impactMessage(name: string, impact: { rows: number; executions: number; domainAdmins: number } | null | undefined, loading: boolean) {
  if (loading) return `Counting what goes with ${name}…`;
  if (!impact) return `${name} no longer exists.`;
  return `${n(impact.rows, 'job row')}, ${n(impact.executions, 'execution')} with their logs and ${n(impact.domainAdmins, 'domain administrator')} go with ${name}. This cannot be undone.`;
}

/**
 * Domains (system administrators): searched and paged on the server; a system administrator of
 * all domains creates them (one, or a pasted list) and deletes them after seeing what goes with them.
 */
export function DomainsPage() {
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

  if (!isAdmin) return <Alert m="md" color="gray" title="Not available">Domains are managed by system administrators.</Alert>;

  // While the next search is on its way, the previous answer stays on screen.
  const list = (data ?? previousData)?.domainList;

  async function confirmDelete() {
    const name = toDelete;
    if (!name) return;
    try {
      await remove({ variables: { name } });
      setNotice({ color: 'green', text: `${name} was deleted.` });
      await refetch();
    } catch (e) {
      setNotice({ color: 'red', text: errorMessage(e) });
    } finally {
      setToDelete(null);
    }
  }

  const more = () =>
    void fetchMore({
      variables: { after: list?.pageInfo.endCursor },
      updateQuery: appendPage('domainList'),
    });

  return (
    <Stack p="md" gap="md" maw={980} data-testid="domains-page">
      <div>
        <Title order={2} size="h3">Domains</Title>
        <Text size="sm" c="dimmed">
          {canManage ? 'The tenants jobs run for. A new domain gets its job rows and next runs at once.' : 'The domains you supervise. Only a system administrator of all domains creates or deletes them.'}
        </Text>
      </div>
      {canManage && (
        <Paper withBorder p="sm" radius="md">
          <CreateDomains onCreated={() => void refetch()} />
        </Paper>
      )}
      {notice && <Alert color={notice.color} variant="light" withCloseButton onClose={() => setNotice(null)} data-testid="domains-notice">{notice.text}</Alert>}

      <Group justify="space-between" align="flex-end" wrap="wrap" gap="xs">
        <TextInput label="Search" placeholder="Part of a name" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={280} maw="100%" maxLength={253}
          data-testid="domains-search" />
        {list && <Text size="sm" c="dimmed" data-testid="domains-total">{text ? `${n(list.totalCount, 'domain')} match` : n(list.totalCount, 'domain')}</Text>}
      </Group>

      {error && !list ? (
        <Alert color="red" title="The domains could not be loaded">{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>Try again</Button></Alert>
      ) : !list ? (
        <Center p="lg"><Loader aria-label="Loading domains" /></Center>
      ) : list.nodes.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="domains-empty">{text ? `No domain contains “${text}”.` : 'No domain yet.'}</Text>
      ) : (
        <div>
          <Table highlightOnHover data-testid="domains-table" layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                {/* A phone keeps the name whole and the action at hand; the date cell would be cut anyway. */}
                <Table.Th w={200} visibleFrom="xs">Created</Table.Th>
                {canManage && <Table.Th w={80}><VisuallyHidden>Actions</VisuallyHidden></Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.nodes.map((d) => (
                <Table.Tr key={d.name} data-testid={`domain-row-${d.name}`}>
                  <Table.Td><Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>{d.name}</Text></Table.Td>
                  <Table.Td visibleFrom="xs"><DateText iso={d.createdAt} /></Table.Td>
                  {canManage && (
                    <Table.Td ta="right">
                      <Button size="compact-xs" color="red" variant="subtle" onClick={() => setToDelete(d.name)} aria-label={`Delete ${d.name}`} data-testid="domain-delete">Delete</Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <LoadOlder hasNextPage={list.pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore} onLoad={more}>Load more domains</LoadOlder>
        </div>
      )}

      <ConfirmDialog
        opened={toDelete !== null}
        title={`Delete ${toDelete ?? ''}?`}
        message={impactMessage(toDelete ?? '', impact.data?.domainImpact, impact.loading)}
        confirmLabel="Delete domain"
        // Filled red.7 (the theme's shade) is 3.8:1 under white text; red.9 passes AA.
        color="red.9"
        loading={deleting || impact.loading}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setToDelete(null)}
      />
    </Stack>
  );
}
