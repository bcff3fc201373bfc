'use client';

import { BarChart } from '@mantine/charts';
import { Anchor, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { Rectangle, type RectangleProps } from 'recharts';
import type { DashboardQuery } from '../../_lib/generated';
import { STATUS_COLOR, STATUS_FILTERS, type StatusFilter } from '../../_lib/status';
import { useFormat } from '../../_lib/use-format';
import { useLabels } from '../../_lib/use-labels';
import { StatusIcon } from '../StatusIcon';
import { jobsWith } from './links';

type Counts = DashboardQuery['overview']['rowsByStatus'];

/**
 * Rows by the status of their last run, as bars (a click lists those rows) and as links with their
 * counts: the links are what a keyboard or a screen reader uses, the bars only repeat them.
 */
export function StatusChart({ counts, domain }: { counts: Counts; domain: string | null }) {
  const t = useTranslations('dashboard');
  const L = useLabels();
  const fmt = useFormat();
  const router = useRouter();
  const countOf = (s: StatusFilter) => counts.find((c) => (c.status ?? 'NEVER_RUN') === s)?.count ?? 0;
  // Shade 6 in both colour schemes: the dark scheme's filled grey (never run) is lost on its background.
  const rows = STATUS_FILTERS.map((s) => ({ status: s, label: L.statusFilter(s), count: countOf(s), color: `${STATUS_COLOR[s]}.6` }));
  const total = rows.reduce((n, r) => n + r.count, 0);

  return (
    <Paper withBorder radius="md" p="md" data-testid="dash-by-status" data-total={total}>
      <Stack gap="sm">
        <div>
          <Title order={3} size="h4">{t('byStatus.title')}</Title>
          <Text size="sm" c="dimmed">{t('byStatus.description')}</Text>
        </div>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
          {/* The links beside it say the same to assistive technology and the keyboard. */}
          <div aria-hidden data-testid="dash-status-chart">
            <BarChart
              h={260}
              data={rows}
              dataKey="label"
              orientation="vertical"
              series={[{ name: 'count', color: 'gray' }]}
              withTooltip={false}
              withBarValueLabel
              accessibilityLayer={false}
              gridAxis="none"
              yAxisProps={{ width: 96, interval: 0 }}
              xAxisProps={{ allowDecimals: false }}
              valueFormatter={(n) => fmt.number(n)}
              barProps={{
                cursor: 'pointer',
                // Each bar names its status, for the tests and the browser's inspector alike.
                shape: (props: RectangleProps & { payload?: { status?: StatusFilter } }) => (
                  <g data-testid="dash-bar" data-status={props.payload?.status}><Rectangle {...props} /></g>
                ),
                onClick: (bar: { payload?: { status?: StatusFilter } }) => {
                  const s = bar.payload?.status;
                  if (s) router.push(jobsWith([s], domain));
                },
              }}
            />
          </div>
          <Stack gap={4} component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label={t('byStatus.title')}>
            {rows.map((r) => (
              <li key={r.status}>
                <Anchor component={Link} href={jobsWith([r.status], domain)} data-testid={`dash-status-${r.status}`} data-count={r.count} underline="hover" c="var(--mantine-color-text)">
                  <Group gap="xs" wrap="nowrap" py={4}>
                    <span aria-hidden><StatusIcon status={r.status === 'NEVER_RUN' ? null : r.status} /></span>
                    <Text size="sm">{t('byStatus.item', { status: r.label, count: r.count })}</Text>
                  </Group>
                </Anchor>
              </li>
            ))}
            <li>
              <Text size="xs" c="dimmed" pt={4} data-testid="dash-status-total">{t('byStatus.total', { count: total })}</Text>
            </li>
          </Stack>
        </SimpleGrid>
      </Stack>
    </Paper>
  );
}
