'use client';

import { useQuery } from '@apollo/client/react';
import { Alert, Anchor, Badge, Card, Center, Group, Loader, Progress, SimpleGrid, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { executionPath } from '../../../lib/console-links';
import { errorMessage } from '../../_lib/errors';
import type { WorkersQuery } from '../../_lib/generated';
import { DateText } from '../DateText';
import { useViewer } from '../ViewerContext';
import { WORKERS } from './operations';
import { PageHeader } from '../PageHeader';

type WorkerNode = WorkersQuery['workers'][number];
const POLL_MS = 5000;

/** One worker process: alive or not, slots in use as a bar, its heartbeat, and what it runs now. */
function WorkerCard({ w }: { w: WorkerNode }) {
  const t = useTranslations('workers');
  const used = w.slots ? Math.min(100, (w.running / w.slots) * 100) : 0;
  const state = w.alive ? 'alive' : w.stoppedAt ? 'stopped' : 'dead';
  return (
    <Card withBorder padding="sm" radius="md" data-testid="worker-card" data-state={state} aria-label={t('cardLabel', { host: w.host, pid: w.pid })} component="section">
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Text fw={600} className="jd-truncate" title={w.id}>{t('process', { host: w.host, pid: w.pid })}</Text>
        <Badge color={w.alive ? 'green' : w.stoppedAt ? 'gray' : 'red'} variant="light" data-testid="worker-state">{t(`state.${state}`)}</Badge>
      </Group>
      <Text size="xs" c="dimmed" mt={4}>{t('slotsUsed', { running: w.running, slots: w.slots })}</Text>
      <Progress value={used} mt={4} size="lg" color={used >= 100 ? 'orange' : 'blue'} aria-label={t('slotsUsed', { running: w.running, slots: w.slots })} />
      <Stack gap={2} mt="xs">
        <Text size="xs">{t('lastSeen')} <DateText iso={w.lastSeenAt} /></Text>
        <Text size="xs">{t('started')} <DateText iso={w.startedAt} /></Text>
        {w.stoppedAt && <Text size="xs">{t('stoppedAt')} <DateText iso={w.stoppedAt} /></Text>}
      </Stack>
      <Text size="sm" fw={600} mt="sm">{t('runsNow')}</Text>
      {w.runningExecutions.length === 0 ? (
        <Text size="xs" c="dimmed">{t('idle')}</Text>
      ) : (
        <Stack gap={2} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {w.runningExecutions.map((e) => (
            <li key={e.id}>
              <Anchor component={Link} href={executionPath(e.jobId, e.domain, e.id)} size="xs" data-testid="worker-run">
                {t('run', { job: e.jobId, domain: e.domain, progress: e.progress == null ? 'none' : String(e.progress) })}
              </Anchor>
              {e.waitingFor && <Text span size="xs" c="orange">{` · ${t('waitingFor', { resource: e.waitingFor })}`}</Text>}
            </li>
          ))}
        </Stack>
      )}
    </Card>
  );
}

/** Workers (system administrators): the processes that run jobs, alive first, refreshed every few seconds. */
export function WorkersPage() {
  const t = useTranslations('workers');
  const viewer = useViewer();
  const admin = viewer.role === 'SYSTEM_ADMIN';
  const { data, error } = useQuery(WORKERS, { pollInterval: POLL_MS, skip: !admin, fetchPolicy: 'cache-and-network' });
  if (!admin) return <Alert m="md" color="gray" title={t('notAvailable.title')}>{t('notAvailable.text')}</Alert>;
  const workers = data?.workers ?? [];
  const alive = workers.filter((w) => w.alive);
  const slots = alive.reduce((n, w) => n + w.slots, 0);
  const running = alive.reduce((n, w) => n + w.running, 0);
  return (
    <Stack p="md" gap="md" data-testid="workers-page">
      <PageHeader title={t('heading')} intro={t('intro')} />
      {error && <Alert color="red">{errorMessage(error)}</Alert>}
      {!data && !error ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : (
        <>
          <Text size="sm" data-testid="workers-summary">{t('summary', { alive: alive.length, total: workers.length, running, slots })}</Text>
          {alive.length === 0 && <Alert color="red" variant="light" title={t('none.title')} data-testid="workers-none">{t('none.text')}</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
            {workers.map((w) => <WorkerCard key={w.id} w={w} />)}
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
