'use client';

import { useQuery, useSubscription } from '@apollo/client/react';
import { ScatterChart } from '@mantine/charts';
import { Alert, Button, Center, Group, Loader, Paper, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useMemo, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import type { JobStatsQuery } from '../../_lib/generated';
import { EXECUTION_UPDATED } from '../../_lib/operations';
import { STATUS_COLOR } from '../../_lib/status';
import type { ExecutionStatus, JobRef } from '../../_lib/types';
import { useFormat } from '../../_lib/use-format';
import { useLabels } from '../../_lib/use-labels';
import { JOB_STATS } from './operations';

/** How many ended runs the tab looks at (the API takes 1 to 500). */
const LASTS = [50, 100, 200, 500] as const;

type Point = NonNullable<JobStatsQuery['job']>['stats']['points'][number];
type Ended = Exclude<ExecutionStatus, 'IN_PROGRESS'>;
/** Legend order: what went well first. */
const ORDER: Ended[] = ['SUCCESS', 'WARNING', 'FAILURE', 'INTERRUPTED', 'CANCELLED'];

/** Shade 6 in both colour schemes, as the legend draws it: the dark scheme's filled grey is lost on its background. */
const colorOf = (s: ExecutionStatus) => `var(--mantine-color-${STATUS_COLOR[s]}-6)`;

/**
 * The duration axis in one unit, chosen from the longest run, with a decimal where it helps: whole
 * units (fmt.duration) would label neighbouring ticks alike ("2 s", "2 s"). Units as fmt.duration writes them.
 */
function durationTicks(locale: string, maxMs: number) {
  const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  if (maxMs < 1000) return (ms: number) => `${num.format(ms)} ms`;
  if (maxMs < 120_000) return (ms: number) => `${num.format(ms / 1000)} s`;
  if (maxMs < 7_200_000) return (ms: number) => `${num.format(ms / 60_000)} min`;
  return (ms: number) => `${num.format(ms / 3_600_000)} h`;
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Paper withBorder radius="sm" px="sm" py={6}>
      <Text size="xs" c="dimmed">{label}</Text>
      <Text fw={600} size="lg" data-testid={testId}>{value}</Text>
    </Paper>
  );
}

/**
 * The row's last ended runs: their durations as points coloured by status (a click opens the run's
 * log), the success rate and the p50 / p95 durations. Re-read when one of the row's runs ends.
 */
export function StatisticsTab({ jobRef, onOpenLog }: { jobRef: JobRef; onOpenLog: (executionId: string) => void }) {
  const t = useTranslations('jobWindow');
  const L = useLabels();
  const fmt = useFormat();
  const [last, setLast] = useState<number>(LASTS[0]);
  const { data, previousData, error, refetch } = useQuery(JOB_STATS, { variables: { ...jobRef, last }, fetchPolicy: 'cache-and-network' });
  const stats = (data ?? previousData)?.job?.stats;

  useSubscription(EXECUTION_UPDATED, {
    variables: jobRef,
    onData({ data: d }) {
      if (d.data && d.data.executionUpdated.status !== 'IN_PROGRESS') void refetch().catch(() => undefined);
    },
  });

  const byId = useMemo(() => new Map((stats?.points ?? []).map((p) => [p.executionId, p])), [stats]);
  // One series per status, so the legend names the colours; x is the run's place, oldest first.
  const series = useMemo(() => {
    const points = stats?.points ?? [];
    return ORDER.map((s) => ({
      name: L.statusFilter(s),
      color: `${STATUS_COLOR[s]}.6`,
      data: points.flatMap((p, i) => (p.status === s && p.durationMs !== null ? [{ run: i + 1, durationMs: p.durationMs, id: Number(p.executionId) }] : [])),
    })).filter((x) => x.data.length > 0);
  }, [stats, L]);

  const chooser = (
    <SegmentedControl size="xs" value={String(last)} onChange={(v) => setLast(Number(v))} aria-labelledby="stats-last-label" data-testid="stats-last"
      data={LASTS.map((n) => ({ value: String(n), label: fmt.number(n) }))} />
  );

  if (!stats) {
    return (
      <Stack gap="sm" pt="md" data-testid="tab-statistics">
        {error ? (
          <Alert color="red">{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>{t('tryAgain')}</Button></Alert>
        ) : (
          <Center p="lg"><Loader size="sm" role="status" aria-label={t('statistics.loading')} /></Center>
        )}
      </Stack>
    );
  }

  const yTick = durationTicks(fmt.locale, Math.max(0, ...stats.points.map((p) => p.durationMs ?? 0)));
  const point = (p: Point | undefined, n: number) =>
    p ? `${t('statistics.run', { n })} · ${fmt.shortDate(p.startedAt, { seconds: true })} · ${L.status(p.status)} · ${fmt.duration(p.durationMs)}` : '';

  return (
    <Stack gap="sm" pt="md" data-testid="tab-statistics" data-runs={stats.runs}>
      <Group gap="xs" wrap="wrap">
        <Text size="sm" id="stats-last-label">{t('statistics.last')}</Text>
        {chooser}
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs">
        <Figure label={t('statistics.runs')} value={fmt.number(stats.runs)} testId="stats-runs" />
        <Figure label={t('statistics.successRate')} value={stats.successRate === null ? '—' : t('statistics.successRateValue', { rate: stats.successRate })} testId="stats-success-rate" />
        <Figure label={t('statistics.p50')} value={fmt.duration(stats.durationP50Ms)} testId="stats-p50" />
        <Figure label={t('statistics.p95')} value={fmt.duration(stats.durationP95Ms)} testId="stats-p95" />
      </SimpleGrid>
      {stats.runs === 0 ? (
        <Text size="sm" c="dimmed" p="md" ta="center" data-testid="stats-empty">{t('statistics.empty')}</Text>
      ) : (
        <>
          {/* A picture of the figures above and of the Latest executions tab: its points are for the mouse. */}
          <div role="img" aria-label={t('statistics.chart', { count: stats.runs })} data-testid="stats-chart">
            <ScatterChart
              h={260}
              data={series}
              dataKey={{ x: 'run', y: 'durationMs' }}
              withLegend
              accessibilityLayer={false}
              valueFormatter={{ x: (n) => fmt.number(n), y: yTick }}
              yAxisProps={{ width: 64 }}
              xAxisProps={{ allowDecimals: false, domain: [0, 'dataMax + 1'] }}
              tooltipProps={{
                content: ({ payload }) => {
                  const id = (payload?.[0]?.payload as { id?: number } | undefined)?.id;
                  const p = id === undefined ? undefined : byId.get(String(id));
                  const n = (payload?.[0]?.payload as { run?: number } | undefined)?.run ?? 0;
                  return p ? <Paper withBorder shadow="sm" px="xs" py={4}><Text size="xs">{point(p, n)}</Text></Paper> : null;
                },
              }}
              scatterProps={{
                shape: (props: { cx?: number; cy?: number; payload?: { id?: number } }) => {
                  const id = String(props.payload?.id ?? '');
                  const p = byId.get(id);
                  if (!p || props.cx === undefined || props.cy === undefined) return <g />;
                  return (
                    <circle cx={props.cx} cy={props.cy} r={5} fill={colorOf(p.status)} stroke="var(--mantine-color-body)" strokeWidth={1}
                      style={{ cursor: 'pointer' }} onClick={() => onOpenLog(id)}
                      data-testid="stats-point" data-execution-id={id} data-status={p.status} data-duration-ms={p.durationMs ?? undefined} />
                  );
                },
              }}
            />
          </div>
          <Text size="xs" c="dimmed">{t('statistics.hint')}</Text>
        </>
      )}
    </Stack>
  );
}
