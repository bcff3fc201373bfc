'use client';

import { Anchor, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import type { DashboardQuery } from '../../_lib/generated';
import { useFormat } from '../../_lib/use-format';
import { DateText } from '../DateText';
import { jobWindow } from './links';

type Upcoming = DashboardQuery['upcoming'];

/** The next occurrences in time order, each leading to its job's window; then the Upcoming page. */
export function NextRuns({ upcoming }: { upcoming: Upcoming }) {
  const t = useTranslations('dashboard');
  const fmt = useFormat();
  return (
    <Paper withBorder radius="md" p="md" data-testid="dash-next">
      <Stack gap="sm">
        <Title order={3} size="h4">{t('next.title')}</Title>
        {upcoming.nodes.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="dash-next-empty">{t('next.empty')}</Text>
        ) : (
          <Stack gap={2} component="ol" m={0} p={0} style={{ listStyle: 'none' }} aria-label={t('next.title')}>
            {upcoming.nodes.map((o) => (
              <li key={`${o.job.id}-${o.at}`}>
                <Anchor component={Link} href={jobWindow(o.job.jobId, o.job.domain)} underline="never" c="var(--mantine-color-text)" display="block"
                  className="jd-clickable" px={6} py={4} style={{ borderRadius: 'var(--mantine-radius-sm)' }}
                  aria-label={t('next.openJob', { job: o.job.jobId, domain: o.job.domain, date: fmt.fullDate(o.at) })}
                  data-testid="dash-next-item" data-job={`${o.job.jobId}@${o.job.domain}`}>
                  <Group gap="sm" wrap="nowrap" align="baseline">
                    <Text size="sm" miw={140} style={{ flex: 'none', whiteSpace: 'nowrap' }}><DateText iso={o.at} inline /></Text>
                    <div style={{ minWidth: 0 }}>
                      <Text size="sm" fw={500} className="jd-truncate">{o.job.jobId}</Text>
                      <Text size="xs" c="dimmed" className="jd-truncate">{o.job.domain}</Text>
                    </div>
                  </Group>
                </Anchor>
              </li>
            ))}
          </Stack>
        )}
        <Group>
          <Button component={Link} href="/upcoming" variant="light" size="xs" data-testid="dash-upcoming-link">{t('next.all')}</Button>
        </Group>
      </Stack>
    </Paper>
  );
}
