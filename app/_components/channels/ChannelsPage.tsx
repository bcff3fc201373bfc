'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Badge, Button, Center, Group, Loader, Paper, Stack, Table, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import type { ChannelFieldsFragment, DeliveryStatus } from '../../_lib/generated';
import { useFormat } from '../../_lib/use-format';
import { ConfirmDialog } from '../ConfirmDialog';
import { DateText } from '../DateText';
import { AlertKindBadge } from '../alerts/AlertIcon';
import { ChannelDialog } from './ChannelDialog';
import { CHANNELS, DELETE_CHANNEL, RETRY_ALERT_DELIVERY, TEST_CHANNEL } from './operations';
import { PageHeader } from '../PageHeader';

const STATUS_COLOR: Record<DeliveryStatus, string> = { PENDING: 'blue', DELIVERED: 'green', FAILED: 'red' };

function RetryDelivery({ id }: { id: string }) {
  const t = useTranslations('channels');
  const [retry, { loading, error }] = useMutation(RETRY_ALERT_DELIVERY);
  return (
    <Stack gap={2} align="flex-end">
      <Button size="compact-xs" variant="default" loading={loading} onClick={() => void retry({ variables: { id } }).catch(() => undefined)} data-testid="delivery-retry">
        {t('deliveries.retry')}
      </Button>
      {error && <Text size="xs" c="red">{errorMessage(error)}</Text>}
    </Stack>
  );
}

/** The channel's latest deliveries: event, status, attempts, last error; Retry for a given-up one. */
function Deliveries({ c }: { c: ChannelFieldsFragment }) {
  const t = useTranslations('channels');
  const fmt = useFormat();
  if (!c.deliveries.length) return <Text size="sm" c="dimmed" data-testid="deliveries-empty">{t('deliveries.empty')}</Text>;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table data-testid="deliveries">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('deliveries.at')}</Table.Th><Table.Th>{t('deliveries.alert')}</Table.Th><Table.Th>{t('deliveries.status')}</Table.Th>
            <Table.Th>{t('deliveries.attempts')}</Table.Th><Table.Th>{t('deliveries.lastError')}</Table.Th><Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {c.deliveries.map((d) => (
            <Table.Tr key={d.id} data-testid={`delivery-${d.id}`} data-status={d.status}>
              <Table.Td><DateText iso={d.at} run /></Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  {d.alert && <AlertKindBadge kind={d.alert.kind} size="xs" />}
                  <Text size="xs">{t(`deliveries.event.${d.event}`)}</Text>
                </Group>
              </Table.Td>
              <Table.Td><Badge size="sm" variant="light" color={STATUS_COLOR[d.status]}>{t(`deliveries.statusName.${d.status}`)}</Badge></Table.Td>
              <Table.Td><Text size="sm">{fmt.number(d.attempts)}</Text></Table.Td>
              <Table.Td><Text size="xs" c={d.lastError ? 'red' : 'dimmed'} lineClamp={2} title={d.lastError ?? undefined}>{d.lastError ?? '—'}</Text></Table.Td>
              <Table.Td>{d.status === 'FAILED' && <RetryDelivery id={d.id} />}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function ChannelCard({ c, onEdit }: { c: ChannelFieldsFragment; onEdit: () => void }) {
  const t = useTranslations('channels');
  const [test, tested] = useMutation(TEST_CHANNEL);
  const [del, deleted] = useMutation(DELETE_CHANNEL, { refetchQueries: [CHANNELS] });
  const [confirm, setConfirm] = useState(false);
  const [history, setHistory] = useState(false);
  return (
    <Paper withBorder p="sm" radius="sm" data-testid={`channel-${c.name}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Stack gap={2} miw={0}>
            <Group gap={6} wrap="wrap">
              <Text fw={600}>{c.name}</Text>
              <Badge size="sm" variant="outline">{t(`kind.${c.kind}`)}</Badge>
              {!c.enabled && <Badge size="sm" color="gray">{t('disabled')}</Badge>}
              <Text size="xs" c="dimmed">{c.domain ?? t('everyDomain')}</Text>
            </Group>
            <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }} data-testid="channel-target-shown">{c.target}</Text>
            <Group gap={4} wrap="wrap">{c.events.map((k) => <AlertKindBadge key={k} kind={k} size="xs" />)}</Group>
          </Stack>
          <Group gap="xs">
            <Button size="compact-sm" variant="light" loading={tested.loading} onClick={() => void test({ variables: { id: c.id } }).catch(() => undefined)}
              aria-label={t('testLabel', { name: c.name })} data-testid="channel-test">{t('test')}</Button>
            <Button size="compact-sm" variant="default" onClick={onEdit} aria-label={t('editLabel', { name: c.name })} data-testid="channel-edit">{t('edit')}</Button>
            <Button size="compact-sm" variant="subtle" color="red" onClick={() => setConfirm(true)} aria-label={t('deleteLabel', { name: c.name })} data-testid="channel-delete">{t('delete')}</Button>
          </Group>
        </Group>
        {tested.data?.testChannel && !tested.error && <Text size="sm" c="green" role="status" data-testid="channel-test-ok">{t('testOk')}</Text>}
        {tested.error && <Text size="sm" c="red" role="alert" data-testid="channel-test-error">{errorMessage(tested.error)}</Text>}
        <Button size="compact-xs" variant="default" onClick={() => setHistory((h) => !h)} aria-expanded={history} style={{ alignSelf: 'flex-start' }}
          data-testid="channel-history">{history ? t('deliveries.hide') : t('deliveries.show', { count: c.deliveries.length })}</Button>
        {history && <Deliveries c={c} />}
      </Stack>
      <ConfirmDialog opened={confirm} title={t('confirmDelete.title')} message={t('confirmDelete.message', { name: c.name })} confirmLabel={t('delete')}
        loading={deleted.loading} onCancel={() => setConfirm(false)} onConfirm={() => void del({ variables: { id: c.id } }).finally(() => setConfirm(false))} />
    </Paper>
  );
}

/** Where alerts go: the viewer's channels, Send test, delivery history with attempts and errors. */
export function ChannelsPage() {
  const t = useTranslations('channels');
  const { data, error, refetch } = useQuery(CHANNELS, { fetchPolicy: 'cache-and-network', pollInterval: 10_000 });
  const [editing, setEditing] = useState<ChannelFieldsFragment | 'new' | null>(null);
  const channels = data?.channels;
  return (
    <Stack p="md" gap="md" data-testid="channels-page">
      <Group justify="space-between" wrap="wrap">
        <PageHeader title={t('heading')} intro={t('intro')} />
        <Button onClick={() => setEditing('new')} data-testid="channel-create">{t('create')}</Button>
      </Group>
      {error && !channels ? (
        <Alert color="red" title={t('loadError')}>{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>{t('tryAgain')}</Button></Alert>
      ) : !channels ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : channels.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="channels-empty">{t('empty')}</Text>
      ) : (
        channels.map((c) => <ChannelCard key={c.id} c={c} onEdit={() => setEditing(c)} />)
      )}
      {editing && <ChannelDialog opened channel={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}
