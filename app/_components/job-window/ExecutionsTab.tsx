'use client';

import { NetworkStatus } from '@apollo/client';
import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { Alert, Button, Center, Checkbox, Chip, Group, Loader, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import { elapsed } from '../../_lib/format';
import { useFormat } from '../../_lib/use-format';
import { refetchRow } from '../../_lib/live-jobs';
import { DELETE_EXECUTIONS, EXECUTION_UPDATED, JOB_EXECUTIONS } from '../../_lib/operations';
import { STATUS_COLOR, STATUS_FILTERS } from '../../_lib/status';
import type { ExecutionStatus, JobRef } from '../../_lib/types';
import { useLabels } from '../../_lib/use-labels';
import { ConfirmDialog } from '../ConfirmDialog';
import { DateText } from '../DateText';
import { LoadOlder } from '../LoadOlder';
import { StatusIcon } from '../StatusIcon';

const PAGE = 20;
const CHIPS = STATUS_FILTERS.filter((s): s is ExecutionStatus => s !== 'NEVER_RUN');

export function ExecutionsTab({ jobRef, onOpenLog }: { jobRef: JobRef; onOpenLog: (executionId: string) => void }) {
  const t = useTranslations('jobWindow');
  const L = useLabels();
  const fmt = useFormat();
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
          <Group gap={4} role="group" aria-label={t('executions.filter')}>
            {CHIPS.map((s) => (
              <Chip key={s} value={s} size="xs" variant="outline" color={STATUS_COLOR[s]} data-testid={`exec-filter-${s}`}>{L.statusFilter(s)}</Chip>
            ))}
          </Group>
        </Chip.Group>
        <Group gap="xs">
          {conn && <Text size="xs" c="dimmed">{t('executions.count', { count: conn.totalCount })}</Text>}
          <Button size="xs" color="red" variant="light" disabled={selected.size === 0} onClick={() => { reset(); setConfirming(true); }} data-testid="exec-remove">
            {selected.size ? t('executions.removeCount', { count: selected.size }) : t('executions.remove')}
          </Button>
        </Group>
      </Group>
      {removeError && <Alert color="red" py="xs">{errorMessage(removeError)}</Alert>}

      {error && !conn ? (
        <Alert color="red">{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>{t('tryAgain')}</Button></Alert>
      ) : !conn ? (
        <Center p="lg"><Loader size="sm" role="status" aria-label={t('executions.loading')} /></Center>
      ) : nodes.length === 0 ? (
        <Text size="sm" c="dimmed" p="md" ta="center" data-testid="exec-empty">{statuses.length ? t('executions.emptyFiltered') : t('executions.emptyNone')}</Text>
      ) : (
        <ScrollArea.Autosize mah="min(50dvh, 480px)" type="auto">
          <Table highlightOnHover stickyHeader miw={620} data-testid="exec-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={36}>
                  <Checkbox size="xs" aria-label={t('executions.selectAll')} checked={allSelected}
                    indeterminate={selected.size > 0 && !allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(finishedIds))} />
                </Table.Th>
                <Table.Th w={80}>{t('executions.status')}</Table.Th>
                <Table.Th>{t('executions.start')}</Table.Th>
                <Table.Th w={110}>{t('executions.duration')}</Table.Th>
                <Table.Th w={90}>{t('executions.trigger')}</Table.Th>
                <Table.Th>{t('executions.who')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {nodes.map((e) => (
                <Table.Tr key={e.id} className="jd-clickable" onClick={() => onOpenLog(e.id)} data-testid={`exec-row-${e.id}`} data-status={e.status}>
                  <Table.Td onClick={(ev) => ev.stopPropagation()}>
                    <Checkbox size="xs" checked={selected.has(e.id)} onChange={() => toggle(e.id)} disabled={e.status === 'IN_PROGRESS'}
                      aria-label={t('executions.select', { startedAt: e.startedAt })} />
                  </Table.Td>
                  <Table.Td><StatusIcon status={e.status} /></Table.Td>
                  <Table.Td>
                    <button type="button" onClick={(ev) => { ev.stopPropagation(); onOpenLog(e.id); }} aria-label={t('executions.openLog', { startedAt: e.startedAt })}
                      style={{ all: 'unset', cursor: 'pointer' }}>
                      <DateText iso={e.startedAt} run testId="exec-started" />
                    </button>
                  </Table.Td>
                  <Table.Td><Text size="sm">{fmt.duration(elapsed(e.startedAt, e.endedAt, e.durationMs))}</Text></Table.Td>
                  <Table.Td>
                    <Text size="sm">{L.trigger(e.trigger)}</Text>
                    {e.attempt > 1 && (
                      <Text size="xs" c="dimmed" data-testid="exec-attempt">
                        {t('executions.attempt', { attempt: e.attempt, of: 1 + (data ?? previousData)!.job!.retry.attempts })}
                      </Text>
                    )}
                    {e.retryAt && <Text size="xs" c="orange" data-testid="exec-retry-at">{t('executions.retryAt', { at: fmt.shortDate(e.retryAt) })}</Text>}
                  </Table.Td>
                  <Table.Td><Text size="sm" className="jd-truncate">{e.triggeredBy ?? (e.trigger === 'SCHEDULE' ? t('executions.scheduler') : '—')}</Text></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <LoadOlder hasNextPage={conn.pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore}
            onLoad={() => void fetchMore({ variables: { after: conn.pageInfo.endCursor } })}>{t('executions.loadOlder')}</LoadOlder>
        </ScrollArea.Autosize>
      )}

      <ConfirmDialog
        opened={confirming}
        title={t('executions.removeTitle')}
        message={t('executions.removeMessage', { count: selected.size })}
        confirmLabel={t('executions.remove')}
        loading={removing}
        onConfirm={() => void confirmRemove()}
        onCancel={() => setConfirming(false)}
      />
    </Stack>
  );
}

