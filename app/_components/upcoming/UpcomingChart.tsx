'use client';

import { BarChart } from '@mantine/charts';
import { Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import { useFormat } from '../../_lib/use-format';
import { perHour, type HourGroup } from './timeline';
import type { Occurrence } from './UpcomingTimeline';

interface Props {
  groups: HourGroup<Occurrence>[];
  fromMs: number;
  toMs: number;
  /** More pages remain: the chart stops at the last occurrence loaded. */
  partial: boolean;
}

/**
 * Runs per hour, as bars: where the load piles up. A bar leads to its hour in the list below. The
 * headings of the list say the same counts to assistive technology, so the chart is hidden from it.
 */
export function UpcomingChart({ groups, fromMs, toMs, partial }: Props) {
  const t = useTranslations('upcoming');
  const fmt = useFormat();
  const last = groups[groups.length - 1];
  const lastMs = partial && last ? Date.parse(last.hour) : toMs - 1;
  const data = useMemo(
    () => perHour(groups, fromMs, lastMs).map((h) => {
      const d = new Date(h.hour);
      return { ...h, label: fmt.shortDate(h.hour), tick: fmt.clockTime(d.getHours(), d.getMinutes()) };
    }),
    [groups, fromMs, lastMs, fmt],
  );
  const ticks = useMemo(() => new Map(data.map((d) => [d.label, d.tick])), [data]);
  const peak = data.reduce((m, d) => Math.max(m, d.count), 0);

  return (
    <Paper withBorder radius="md" p="sm" data-testid="upcoming-chart" data-hours={data.length} data-peak={peak}>
      <Stack gap={4}>
        <Title order={3} size="h5">{t('chart.title')}</Title>
        <Text size="xs" c="dimmed">
          {partial && last ? t('chart.partial', { until: fmt.shortDate(last.hour) }) : t('chart.description', { peak: fmt.number(peak) })}
        </Text>
        <div aria-hidden>
          <BarChart
            h={140}
            data={data}
            dataKey="label"
            series={[{ name: 'count', label: t('chart.series'), color: 'indigo.6' }]}
            gridAxis="y"
            tickLine="none"
            accessibilityLayer={false}
            xAxisProps={{ tickFormatter: (v: string) => ticks.get(v) ?? v, minTickGap: 16 }}
            yAxisProps={{ allowDecimals: false, width: 32, tickCount: 3 }}
            valueFormatter={(n) => fmt.number(n)}
            barProps={{
              cursor: 'pointer',
              onClick: (bar: { payload?: { hour?: string } }) => {
                const id = bar.payload?.hour && `hour-${bar.payload.hour}`;
                if (id) document.getElementById(id)?.scrollIntoView({ block: 'start' });
              },
            }}
          />
        </div>
      </Stack>
    </Paper>
  );
}
