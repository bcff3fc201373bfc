'use client';

import { Anchor, Badge, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { memo } from 'react';
import type { UpcomingQuery } from '../../_lib/generated';
import { jobKey, withParams } from '../../_lib/jobs-url';
import { useFormat } from '../../_lib/use-format';
import { StatusIcon } from '../StatusIcon';
import type { HourGroup } from './timeline';
import css from './upcoming.module.css';

export type Occurrence = UpcomingQuery['upcoming']['nodes'][number];

/** One occurrence: its time, the row's last status, the row (a link to it in the jobs list) and its plan. */
const OccurrenceRow = memo(function OccurrenceRow({ o }: { o: Occurrence }) {
  const fmt = useFormat();
  const d = new Date(o.at);
  const key = jobKey(o.job);
  const full = fmt.fullDate(o.at);
  return (
    <li className={css.row} data-testid="occurrence" data-at={o.at} data-job={key}>
      <time dateTime={o.at} title={full} aria-label={full} className={css.time}>
        {fmt.clockTime(d.getHours(), d.getMinutes())}
      </time>
      <span className={css.status}><StatusIcon status={o.job.lastExecution?.status} /></span>
      <Anchor component={Link} href={`/jobs${withParams(new URLSearchParams(), { job: key })}`} size="sm" fw={500}
        className={css.job} data-testid="occurrence-job">
        {o.job.jobId}
      </Anchor>
      <Text span size="sm" c="dimmed" className={css.domain} data-testid="occurrence-domain">{o.job.domain}</Text>
      <Text span size="xs" c="dimmed" className={css.plan} title={o.job.plan.summary}>{o.job.plan.summary}</Text>
    </li>
  );
});

/** A heading per hour of the viewer's clock, the hour's occurrences under it. */
export const UpcomingHour = memo(function UpcomingHour({ group }: { group: HourGroup<Occurrence> }) {
  const t = useTranslations('upcoming');
  const fmt = useFormat();
  const id = `hour-${group.hour}`;
  return (
    <section aria-labelledby={id} data-testid="upcoming-hour" data-hour={group.hour}>
      <Group gap="xs" className={css.hourHead} py={4} px="xs">
        <Title order={3} size="h5" id={id}>{fmt.shortDate(group.hour)}</Title>
        <Badge size="sm" variant="light" color="gray" tt="none" data-testid="upcoming-hour-count">{t('hourCount', { count: group.items.length })}</Badge>
      </Group>
      <Stack component="ul" gap={0} m={0} p={0} style={{ listStyle: 'none' }}>
        {group.items.map((o) => <OccurrenceRow key={`${jobKey(o.job)}|${o.at}`} o={o} />)}
      </Stack>
    </section>
  );
});
