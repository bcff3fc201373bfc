'use client';

import { Badge, Group, Progress, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { elapsed } from '../../_lib/format';
import { useFormat } from '../../_lib/use-format';
import { STATUS_COLOR } from '../../_lib/status';
import type { ExecutionSummary } from '../../_lib/types';
import { useLabels } from '../../_lib/use-labels';
import { DateText } from '../DateText';
import { StatusIcon } from '../StatusIcon';
import { WaitingIcon, useWaitingLabel } from '../WaitingIcon';

/** Job, domain, status, start, duration (ticking while it runs) and progress of one execution. */
export function LogHeader({ exec, progress }: { exec: ExecutionSummary; progress: number | null }) {
  const fmt = useFormat();
  const t = useTranslations('logViewer');
  const L = useLabels();
  const running = exec.status === 'IN_PROGRESS';
  const [, tick] = useState(0);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => tick((n) => n + 1), 1000); // a clock for the duration, not a poll
    return () => clearInterval(t);
  }, [running]);

  const waitingFor = running ? exec.waitingFor : null;
  const waitingLabel = useWaitingLabel(waitingFor);
  const pct = progress ?? (running ? null : exec.status === 'SUCCESS' || exec.status === 'WARNING' ? 100 : null);
  return (
    <Stack gap={6} data-testid="log-header">
      <Group gap="md" wrap="wrap">
        <Group gap={6}>
          <StatusIcon status={exec.status} />
          <Badge variant="light" color={STATUS_COLOR[exec.status]} data-testid="log-status" data-status={exec.status}>{L.status(exec.status)}</Badge>
        </Group>
        <Text size="sm"><Text span c="dimmed">{t('header.job')}{' '}</Text><b>{exec.jobId}</b></Text>
        <Text size="sm"><Text span c="dimmed">{t('header.domain')}{' '}</Text>{exec.domain}</Text>
        <Text size="sm"><Text span c="dimmed">{t('header.started')}{' '}</Text><DateText iso={exec.startedAt} run testId="log-started" inline /></Text>
        <Text size="sm"><Text span c="dimmed">{t('header.duration')}{' '}</Text>{fmt.duration(elapsed(exec.startedAt, exec.endedAt, exec.durationMs))}</Text>
        <Text size="sm"><Text span c="dimmed">{t('header.trigger')}{' '}</Text>{L.trigger(exec.trigger)}{exec.triggeredBy ? ` · ${exec.triggeredBy}` : ''}</Text>
        {waitingFor && (
          <Group gap={4} wrap="nowrap" data-testid="log-waiting">
            <WaitingIcon resource={waitingFor} />
            <Text size="sm" c="orange" aria-hidden>{waitingLabel}</Text>
          </Group>
        )}
        {(exec.warningCount > 0 || exec.errorCount > 0) && (
          <Text size="sm">
            {exec.warningCount > 0 && <Text span c="orange">{t('header.warnings', { count: exec.warningCount })}{' '}</Text>}
            {exec.errorCount > 0 && <Text span c="red">{t('header.errors', { count: exec.errorCount })}</Text>}
          </Text>
        )}
      </Group>
      <Group gap="xs" wrap="nowrap">
        <Progress
          flex={1}
          value={pct ?? 100}
          striped={running}
          animated={running && pct === null}
          color={pct === null && running ? 'gray' : STATUS_COLOR[exec.status]}
          aria-label={t('header.progress')}
          data-testid="log-progress"
        />
        <Text size="xs" c="dimmed" w={40} ta="right">{pct === null ? '' : t('header.percent', { pct })}</Text>
      </Group>
    </Stack>
  );
}
