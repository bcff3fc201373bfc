'use client';

import { Paper, SimpleGrid, Text, UnstyledButton } from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import type { DashboardQuery } from '../../_lib/generated';
import type { StatusFilter } from '../../_lib/status';
import { useFormat } from '../../_lib/use-format';
import { jobsWith } from './links';

type Overview = DashboardQuery['overview'];

interface Tile {
  key: 'running' | 'waiting' | 'succeeded' | 'warnings' | 'failed' | 'alerts';
  count: number;
  when: 'now' | 'last24h';
  color: string;
  /** The jobs list shows rows by their last status: where that matches the number, the tile leads there. */
  statuses?: StatusFilter[];
}

/** Running and waiting now, the last 24 hours' outcomes, open alerts: one tile each. */
export function NowTiles({ overview: o, domain }: { overview: Overview; domain: string | null }) {
  const t = useTranslations('dashboard');
  const fmt = useFormat();
  const tiles: Tile[] = [
    { key: 'running', count: o.running, when: 'now', color: 'blue', statuses: ['IN_PROGRESS'] },
    { key: 'waiting', count: o.waiting, when: 'now', color: 'gray', statuses: ['IN_PROGRESS'] },
    { key: 'succeeded', count: o.succeededLast24h, when: 'last24h', color: 'green', statuses: ['SUCCESS'] },
    { key: 'warnings', count: o.warningsLast24h, when: 'last24h', color: 'orange', statuses: ['WARNING'] },
    { key: 'failed', count: o.failedLast24h, when: 'last24h', color: 'red', statuses: ['FAILURE', 'INTERRUPTED'] },
    { key: 'alerts', count: o.openAlerts, when: 'now', color: 'red' },
  ];
  return (
    <SimpleGrid cols={{ base: 2, xs: 3, lg: 6 }} spacing="sm" role="list" aria-label={t('tiles.label')}>
      {tiles.map((tile) => {
        const label = t(`tiles.${tile.key}`);
        const when = t(`tiles.${tile.when}`);
        const values = { label, when, count: tile.count };
        const body = (
          <>
            <Text size="sm" fw={500} aria-hidden>{label}</Text>
            <Text fz={28} fw={700} lh={1.2} c={tile.count > 0 ? undefined : 'dimmed'} data-testid={`dash-${tile.key}-count`} aria-hidden>
              {fmt.number(tile.count)}
            </Text>
            <Text size="xs" c="dimmed" aria-hidden>{when}</Text>
          </>
        );
        return (
          <Paper key={tile.key} withBorder radius="md" p={0} role="listitem" data-testid={`dash-${tile.key}`} data-count={tile.count}
            style={{ borderLeft: `4px solid var(--mantine-color-${tile.color}-6)` }}>
            {tile.statuses ? (
              <UnstyledButton component={Link} href={jobsWith(tile.statuses, domain)} className="jd-clickable" p="sm" display="block" h="100%"
                aria-label={t('tiles.showJobs', values)} data-testid={`dash-${tile.key}-link`}>
                {body}
              </UnstyledButton>
            ) : (
              <div style={{ padding: 'var(--mantine-spacing-sm)' }} role="group" aria-label={t('tiles.value', values)}>{body}</div>
            )}
          </Paper>
        );
      })}
    </SimpleGrid>
  );
}
