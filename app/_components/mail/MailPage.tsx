'use client';

import { NetworkStatus } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Anchor, Badge, Button, Center, Group, Loader, Modal, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { executionPath } from '../../../lib/console-links';
import { errorMessage } from '../../_lib/errors';
import { OUTBOX, RETRY_REPORT } from '../../_lib/operations';
import type { OutboxMessage, OutboxStatus } from '../../_lib/types';
import { useFormat } from '../../_lib/use-format';
import { DateText } from '../DateText';
import { LoadOlder } from '../LoadOlder';
import { useViewer } from '../ViewerContext';
import { MAIL_TRANSPORT } from './operations';
import { PageHeader } from '../PageHeader';

const STATUS_COLOR: Record<OutboxStatus, string> = { PENDING: 'blue', SENT: 'green', FAILED: 'red' };
const FILTERS = ['ALL', 'PENDING', 'SENT', 'FAILED'] as const;

/** The log of the execution a report is about; nothing once that execution has been removed. */
function LogLink({ m }: { m: OutboxMessage }) {
  const t = useTranslations('mail');
  const e = m.execution;
  if (!e) return <Text size="xs" c="dimmed">{t('logRemoved')}</Text>;
  return (
    <Anchor component={Link} href={executionPath(e.jobId, e.domain, e.id)} size="sm" display="inline-block" py={2} mt={2} onClick={(ev) => ev.stopPropagation()}
      aria-label={t('logLabel', { subject: m.subject })} data-testid="mail-log-link">{t('openLog')}</Anchor>
  );
}

function RetryButton({ m }: { m: OutboxMessage }) {
  const t = useTranslations('mail');
  const [retry, { loading, error }] = useMutation(RETRY_REPORT);
  return (
    <Stack gap={2} align="flex-end">
      <Button size="compact-xs" variant="light" loading={loading} onClick={(e) => { e.stopPropagation(); void retry({ variables: { id: m.id } }).catch(() => undefined); }}
        aria-label={t('retryLabel', { subject: m.subject })} data-testid="mail-retry">{t('retry')}</Button>
      {error && <Text size="xs" c="red">{errorMessage(error)}</Text>}
    </Stack>
  );
}

/** The report outbox (system administrators): status, attempts, last error, the rendered email, Retry. */
export function MailPage() {
  const t = useTranslations('mail');
  const fmt = useFormat();
  const filters = useMemo(() => FILTERS.map((value) => ({ value, label: t(`filter.${value}`) })), [t]);
  const viewer = useViewer();
  const [status, setStatus] = useState<'ALL' | OutboxStatus>('ALL');
  const [open, setOpen] = useState<OutboxMessage | null>(null);
  const { data, error, refetch, fetchMore, networkStatus } = useQuery(OUTBOX, {
    variables: { status: status === 'ALL' ? null : status, first: 50 },
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
    skip: viewer.role !== 'SYSTEM_ADMIN',
  });
  const transport = useQuery(MAIL_TRANSPORT, { skip: viewer.role !== 'SYSTEM_ADMIN' }).data?.mailTransport;

  if (viewer.role !== 'SYSTEM_ADMIN') {
    return <Alert m="md" color="gray" title={t('notAvailable.title')}>{t('notAvailable.text')}</Alert>;
  }
  const conn = data?.outbox;
  const rows = conn?.nodes ?? [];

  return (
    <Stack p="md" gap="md" data-testid="mail-page">
      <Group justify="space-between" wrap="wrap">
        <PageHeader title={t('heading')} intro={t('intro')} />
        <SegmentedControl size="xs" value={status} onChange={(v) => setStatus(v as typeof status)} aria-label={t('filter.label')}
          data={filters} />
      </Group>
      {transport && !transport.configured && (
        <Alert color="blue" variant="light" title={t('smtp.title')} data-testid="mail-smtp-note">
          {t('smtp.text')}
        </Alert>
      )}
      {error && !conn ? (
        <Alert color="red" title={t('loadError')}>{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>{t('tryAgain')}</Button></Alert>
      ) : !conn ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : rows.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="mail-empty">{t(`empty.${status}`)}</Text>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table highlightOnHover data-testid="mail-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={150}>{t('table.created')}</Table.Th><Table.Th>{t('table.subject')}</Table.Th><Table.Th>{t('table.recipients')}</Table.Th>
                <Table.Th w={90}>{t('table.status')}</Table.Th><Table.Th w={80}>{t('table.attempts')}</Table.Th><Table.Th>{t('table.lastError')}</Table.Th><Table.Th w={90} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((m) => (
                <Table.Tr key={m.id} className="jd-clickable" onClick={() => setOpen(m)} data-testid={`mail-row-${m.id}`} data-status={m.status}>
                  <Table.Td><DateText iso={m.createdAt} /></Table.Td>
                  <Table.Td>
                    <button type="button" style={{ all: 'unset', cursor: 'pointer' }} onClick={(e) => { e.stopPropagation(); setOpen(m); }} aria-label={t('table.show', { subject: m.subject })}>
                      <Text size="sm" fw={500}>{m.subject}</Text>
                    </button>
                    {/* Beside the subject, not in a column of its own: a phone sees it without scrolling sideways. */}
                    <div><LogLink m={m} /></div>
                  </Table.Td>
                  <Table.Td><Text size="sm" className="jd-truncate" maw={240} title={m.recipients.join(', ')}>{m.recipients.join(', ')}</Text></Table.Td>
                  <Table.Td><Badge size="sm" variant="light" color={STATUS_COLOR[m.status]}>{t(`status.${m.status}`)}</Badge></Table.Td>
                  <Table.Td><Text size="sm">{fmt.number(m.attempts)}</Text></Table.Td>
                  <Table.Td><Text size="xs" c={m.lastError ? 'red' : 'dimmed'} lineClamp={2} title={m.lastError ?? undefined}>{m.lastError ?? '—'}</Text></Table.Td>
                  <Table.Td>{m.status === 'FAILED' && <RetryButton m={m} />}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <LoadOlder hasNextPage={conn.pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore}
            onLoad={() => void fetchMore({ variables: { after: conn.pageInfo.endCursor } })}>{t('loadOlder')}</LoadOlder>
        </Table.ScrollContainer>
      )}

      <Modal opened={open !== null} onClose={() => setOpen(null)} size="min(900px, 96vw)" title={<Text fw={600} className="jd-truncate">{open?.subject}</Text>}>
        {open && (
          <Stack gap="xs">
            <Text size="sm"><Text span c="dimmed">{t('message.to')}{' '}</Text>{open.recipients.join(', ')}</Text>
            <Text size="xs" c="dimmed">{t.rich('message.meta', { messageId: open.messageId, executionId: open.executionId, log: () => <LogLink m={open} /> })}</Text>
            {/* An email body: no scripts, no same-origin access, no forms, no top navigation. */}
            <iframe title={t('message.preview', { subject: open.subject })} srcDoc={open.html} sandbox="" referrerPolicy="no-referrer"
              style={{ width: '100%', height: '65dvh', border: '1px solid var(--mantine-color-default-border)', borderRadius: 4, background: 'white' }}
              data-testid="mail-preview" />
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
