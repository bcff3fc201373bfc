'use client';

import { NetworkStatus } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Anchor, Badge, Button, Center, Group, Loader, Modal, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import Link from 'next/link';
import { useState } from 'react';
import { executionPath } from '../../../lib/console-links';
import { errorMessage } from '../../_lib/errors';
import { OUTBOX, RETRY_REPORT } from '../../_lib/operations';
import type { OutboxMessage, OutboxStatus } from '../../_lib/types';
import { DateText } from '../DateText';
import { LoadOlder } from '../LoadOlder';
import { useViewer } from '../ViewerContext';
import { MAIL_TRANSPORT } from './operations';

const STATUS_COLOR: Record<OutboxStatus, string> = { PENDING: 'blue', SENT: 'green', FAILED: 'red' };

/** The log of the execution a report is about; nothing once that execution has been removed. */
function LogLink({ m }: { m: OutboxMessage }) {
  const e = m.execution;
  if (!e) return <Text size="xs" c="dimmed">log removed</Text>;
  return (
    <Anchor component={Link} href={executionPath(e.jobId, e.domain, e.id)} size="sm" display="inline-block" py={2} mt={2} onClick={(ev) => ev.stopPropagation()}
      aria-label={`Log of the execution of “${m.subject}”`} data-testid="mail-log-link">Open the log</Anchor>
  );
}

function RetryButton({ m }: { m: OutboxMessage }) {
  const [retry, { loading, error }] = useMutation(RETRY_REPORT);
  return (
    <Stack gap={2} align="flex-end">
      <Button size="compact-xs" variant="light" loading={loading} onClick={(e) => { e.stopPropagation(); void retry({ variables: { id: m.id } }).catch(() => undefined); }}
        aria-label={`Retry sending “${m.subject}”`} data-testid="mail-retry">Retry</Button>
      {error && <Text size="xs" c="red">{errorMessage(error)}</Text>}
    </Stack>
  );
}

/** The report outbox (system administrators): status, attempts, last error, the rendered email, Retry. */
export function MailPage() {
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
    return <Alert m="md" color="gray" title="Not available">The mail outbox is for system administrators.</Alert>;
  }
  const conn = data?.outbox;
  const rows = conn?.nodes ?? [];

  return (
    <Stack p="md" gap="md" data-testid="mail-page">
      <Group justify="space-between" wrap="wrap">
        <div>
          <Title order={2} size="h3">Mail</Title>
          <Text size="sm" c="dimmed">Execution reports waiting, sent or given up on.</Text>
        </div>
        <SegmentedControl size="xs" value={status} onChange={(v) => setStatus(v as typeof status)} aria-label="Show reports with status"
          data={[{ value: 'ALL', label: 'All' }, { value: 'PENDING', label: 'Pending' }, { value: 'SENT', label: 'Sent' }, { value: 'FAILED', label: 'Failed' }]} />
      </Group>
      {transport && !transport.configured && (
        <Alert color="blue" variant="light" title="Reports stay here: SMTP_URL is not set" data-testid="mail-smtp-note">
          No report is sent by email. Each one is kept below as pending, readable here; set SMTP_URL (and MAIL_FROM) and restart to send them.
        </Alert>
      )}
      {error && !conn ? (
        <Alert color="red" title="The outbox could not be loaded">{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>Try again</Button></Alert>
      ) : !conn ? (
        <Center p="lg"><Loader aria-label="Loading the outbox" /></Center>
      ) : rows.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="mail-empty">No report {status === 'ALL' ? 'yet' : `with status ${status.toLowerCase()}`}.</Text>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table highlightOnHover data-testid="mail-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={150}>Created</Table.Th><Table.Th>Subject</Table.Th><Table.Th>Recipients</Table.Th>
                <Table.Th w={90}>Status</Table.Th><Table.Th w={80}>Attempts</Table.Th><Table.Th>Last error</Table.Th><Table.Th w={90} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((m) => (
                <Table.Tr key={m.id} className="jd-clickable" onClick={() => setOpen(m)} data-testid={`mail-row-${m.id}`} data-status={m.status}>
                  <Table.Td><DateText iso={m.createdAt} /></Table.Td>
                  <Table.Td>
                    <button type="button" style={{ all: 'unset', cursor: 'pointer' }} onClick={(e) => { e.stopPropagation(); setOpen(m); }} aria-label={`Show “${m.subject}”`}>
                      <Text size="sm" fw={500}>{m.subject}</Text>
                    </button>
                    {/* Beside the subject, not in a column of its own: a phone sees it without scrolling sideways. */}
                    <div><LogLink m={m} /></div>
                  </Table.Td>
                  <Table.Td><Text size="sm" className="jd-truncate" maw={240} title={m.recipients.join(', ')}>{m.recipients.join(', ')}</Text></Table.Td>
                  <Table.Td><Badge size="sm" variant="light" color={STATUS_COLOR[m.status]}>{m.status.toLowerCase()}</Badge></Table.Td>
                  <Table.Td><Text size="sm">{m.attempts}</Text></Table.Td>
                  <Table.Td><Text size="xs" c={m.lastError ? 'red' : 'dimmed'} lineClamp={2} title={m.lastError ?? undefined}>{m.lastError ?? '—'}</Text></Table.Td>
                  <Table.Td>{m.status === 'FAILED' && <RetryButton m={m} />}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <LoadOlder hasNextPage={conn.pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore}
            onLoad={() => void fetchMore({ variables: { after: conn.pageInfo.endCursor } })}>Load older reports</LoadOlder>
        </Table.ScrollContainer>
      )}

      <Modal opened={open !== null} onClose={() => setOpen(null)} size="min(900px, 96vw)" title={<Text fw={600} className="jd-truncate">{open?.subject}</Text>}>
        {open && (
          <Stack gap="xs">
            <Text size="sm"><Text span c="dimmed">To: </Text>{open.recipients.join(', ')}</Text>
            <Text size="xs" c="dimmed">Message-ID {open.messageId} · execution {open.executionId} · <LogLink m={open} /></Text>
            {/* An email body: no scripts, no same-origin access, no forms, no top navigation. */}
            <iframe title={`Rendered report: ${open.subject}`} srcDoc={open.html} sandbox="" referrerPolicy="no-referrer"
              style={{ width: '100%', height: '65dvh', border: '1px solid var(--mantine-color-default-border)', borderRadius: 4, background: 'white' }}
              data-testid="mail-preview" />
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
