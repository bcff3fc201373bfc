'use client';

import { NetworkStatus } from '@apollo/client';
import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { Alert, Button, Center, Checkbox, Chip, Group, Loader, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import { duration, elapsed } from '../../_lib/format';
import { refetchRow } from '../../_lib/live-jobs';
import { DELETE_EXECUTIONS, EXECUTION_UPDATED, JOB_EXECUTIONS } from '../../_lib/operations';
import { STATUS_COLOR, STATUS_FILTERS, TRIGGER_LABEL } from '../../_lib/status';
import type { ExecutionStatus, JobRef } from '../../_lib/types';
import { ConfirmDialog } from '../ConfirmDialog';
import { DateText } from '../DateText';
import { LoadOlder } from '../LoadOlder';
import { StatusIcon } from '../StatusIcon';

const PAGE = 20;
const CHIPS = STATUS_FILTERS.filter((s) => s.value !== 'NEVER_RUN');

export function ExecutionsTab({ jobRef, onOpenLog }: { jobRef: JobRef; onOpenLog: (executionId: string) => void }) {
  const [statuses, setStatuses] = useState<ExecutionStatus[]>([]);
  const client = useApolloClient();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const { data, previousData, error, refetch, fetchMore, networkStatus } = useQuery(JOB_EXECUTIONS, {
    variables: { ...jobRef, first: PAGE, statuses: statuses.length ? statuses : null },
    notifyOnNetworkStatusChange: true,
    fetchPolicy: 'cache-and-network',
  });
  const [remove, { loading: removing, error: removeError, reset }] = useMutation(DELETE_EXECUTIONS);
  const conn = (data ?? previousData)?.job?.executions;
  const nodes = conn?.nodes ?? [];

  // A new execution of this row appears at the top as soon as it starts; changes of known ones
  // arrive through the normalised cache.
  useSubscription(EXECUTION_UPDATED, {
    variables: jobRef,
    onData({ data: d }) {
      const id = d.data?.executionUpdated.id;
      if (id && !nodes.some((n) => n.id === id)) void refetch().catch(() => undefined);
    },
  });
  useEffect(() => setSelected(new Set()), [statuses]);

  const finishedIds = nodes.filter((n) => n.status !== 'IN_PROGRESS').map((n) => n.id);
  const toggle = (id: string) => setSelected((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  const allSelected = finishedIds.length > 0 && finishedIds.every((id) => selected.has(id));

  async function confirmRemove() {
    try {
      await remove({ variables: { ids: [...selected] } });
      setSelected(new Set());
      setConfirming(false);
      refetchRow(client, jobRef.jobId, jobRef.domain); // its last execution may be gone
      await refetch();
    } catch {
      setConfirming(false);
    }
  }

  return (
    <Stack gap="sm" pt="md" data-testid="tab-executions">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Chip.Group multiple value={statuses} onChange={(v) => setStatuses(v as ExecutionStatus[])}>
          <Group gap={4} role="group" aria-label="Show executions with status">
            {CHIPS.map((s) => (
              <Chip key={s.value} value={s.value} size="xs" variant="outline" color={STATUS_COLOR[s.value]} data-testid={`exec-filter-${s.value}`}>{s.label}</Chip>
            ))}
          </Group>
        </Chip.Group>
        <Group gap="xs">
          {conn && <Text size="xs" c="dimmed">{conn.totalCount} execution{conn.totalCount === 1 ? '' : 's'}</Text>}
          <Button size="xs" color="red" variant="light" disabled={selected.size === 0} onClick={() => { reset(); setConfirming(true); }} data-testid="exec-remove">
            Remove{selected.size ? ` (${selected.size})` : ''}
          </Button>
        </Group>
      </Group>
      {removeError && <Alert color="red" py="xs">{errorMessage(removeError)}</Alert>}

      {error && !conn ? (
        <Alert color="red">{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>Try again</Button></Alert>
      ) : !conn ? (
        <Center p="lg"><Loader size="sm" aria-label="Loading executions" /></Center>
      ) : nodes.length === 0 ? (
        <Text size="sm" c="dimmed" p="md" ta="center" data-testid="exec-empty">{statuses.length ? 'No execution with these statuses.' : 'This job has not run yet.'}</Text>
      ) : (
        <ScrollArea.Autosize mah="min(50dvh, 480px)" type="auto">
          <Table highlightOnHover stickyHeader miw={620} data-testid="exec-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={36}>
                  <Checkbox size="xs" aria-label="Select all finished executions shown" checked={allSelected}
                    indeterminate={selected.size > 0 && !allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(finishedIds))} />
                </Table.Th>
                <Table.Th w={80}>Status</Table.Th>
                <Table.Th>Start</Table.Th>
                <Table.Th w={110}>Duration</Table.Th>
                <Table.Th w={90}>Trigger</Table.Th>
                <Table.Th>Who</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((e) => (
                <Table.Tr key={e.id} className="jd-clickable" onClick={() => onOpenLog(e.id)} data-testid={`exec-row-${e.id}`} data-status={e.status}>
                  <Table.Td onClick={(ev) => ev.stopPropagation()}>
                    <Checkbox size="xs" checked={selected.has(e.id)} onChange={() => toggle(e.id)} disabled={e.status === 'IN_PROGRESS'}
                      aria-label={`Select execution started ${e.startedAt}`} />
                  </Table.Td>
                  <Table.Td><StatusIcon status={e.status} /></Table.Td>
                  <Table.Td>
                    <button type="button" onClick={(ev) => { ev.stopPropagation(); onOpenLog(e.id); }} aria-label={`Open the log of the execution started ${e.startedAt}`}
                      style={{ all: 'unset', cursor: 'pointer' }}>
                      <DateText iso={e.startedAt} run testId="exec-started" />
                    </button>
                  </Table.Td>
                  <Table.Td><Text size="sm">{duration(elapsed(e.startedAt, e.endedAt, e.durationMs))}</Text></Table.Td>
                  <Table.Td><Text size="sm">{TRIGGER_LABEL[e.trigger]}</Text></Table.Td>
                  <Table.Td><Text size="sm" className="jd-truncate">{e.triggeredBy ?? (e.trigger === 'SCHEDULE' ? 'scheduler' : '—')}</Text></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <LoadOlder hasNextPage={conn.pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore}
            onLoad={() => void fetchMore({ variables: { after: conn.pageInfo.endCursor } })}>Load older executions</LoadOlder>
        </ScrollArea.Autosize>
      )}

      <ConfirmDialog
        opened={confirming}
        title="Remove executions?"
        message={`Remove ${selected.size} execution${selected.size === 1 ? '' : 's'} and ${selected.size === 1 ? 'its' : 'their'} logs? This cannot be undone.`}
        confirmLabel="Remove"
        loading={removing}
        onConfirm={() => void confirmRemove()}
        onCancel={() => setConfirming(false)}
      />
    </Stack>
  );
}

