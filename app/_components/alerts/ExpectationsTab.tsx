'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Anchor, Button, Center, Group, Loader, NumberInput, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { errorMessage, fieldErrors } from '../../_lib/errors';
import type { JobExpectationsQuery } from '../../_lib/generated';
import type { JobRef } from '../../_lib/types';
import { DateText } from '../DateText';
import { AlertKindBadge } from './AlertIcon';
import { RetryPolicyForm } from './RetryPolicyForm';
import { JOB_EXPECTATIONS, UPDATE_EXPECTATIONS } from './operations';

type Values = { maxDurationSeconds: number | ''; minDurationSeconds: number | ''; graceSeconds: number | ''; failuresBeforeAlert: number | '' };
const FIELDS = ['maxDurationSeconds', 'minDurationSeconds', 'graceSeconds', 'failuresBeforeAlert'] as const;
const SNOOZES = ['1h', '8h', '1d', '7d'] as const;
const SNOOZE_MS: Record<(typeof SNOOZES)[number], number> = { '1h': 3600_000, '8h': 8 * 3600_000, '1d': 86_400_000, '7d': 7 * 86_400_000 };
const num = (v: number | '') => (v === '' ? null : v);

/** The tab's name in the job window. */
export function ExpectationsTabLabel() {
  return <>{useTranslations('alerts')('tab')}</>;
}

/** The row's expectations (what opens its alerts), its snooze, and its open alerts. */
export function ExpectationsTab({ jobRef }: { jobRef: JobRef }) {
  const t = useTranslations('alerts');
  const { data, error } = useQuery(JOB_EXPECTATIONS, { variables: jobRef, fetchPolicy: 'cache-and-network' });
  const job = data?.job;
  if (error && !job) return <Alert color="red" mt="sm">{errorMessage(error)}</Alert>;
  if (!job) return <Center p="md"><Loader size="sm" role="status" aria-label={t('loading')} /></Center>;
  return <Form jobRef={jobRef} job={job} />;
}

function Form({ jobRef, job }: { jobRef: JobRef; job: NonNullable<JobExpectationsQuery['job']> }) {
  const t = useTranslations('alerts');
  const e = job.expectations;
  const [v, setV] = useState<Values>({
    maxDurationSeconds: e.maxDurationSeconds ?? '',
    minDurationSeconds: e.minDurationSeconds ?? '',
    graceSeconds: e.graceSeconds,
    failuresBeforeAlert: e.failuresBeforeAlert,
  });
  const [save, saved] = useMutation(UPDATE_EXPECTATIONS);
  const [snooze, snoozed] = useMutation(UPDATE_EXPECTATIONS);
  const errors = fieldErrors(saved.error, 'input.expectations.');
  const snoozeError = snoozed.error ? errorMessage(snoozed.error) : null;
  const submit = () =>
    void save({ variables: { ...jobRef, input: { expectations: Object.fromEntries(FIELDS.map((f) => [f, num(v[f])])) } } }).catch(() => undefined);
  const setSnooze = (until: string | null) => void snooze({ variables: { ...jobRef, input: { snoozedUntil: until } } }).catch(() => undefined);
  return (
    <Stack gap="md" mt="sm" data-testid="tab-alerts">
      <Text size="sm" c="dimmed">{t('expectations.intro')}</Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        {FIELDS.map((f) => (
          <NumberInput key={f} label={t(`expectations.${f}`)} description={t(`expectations.${f}Help`)} value={v[f]} min={0} allowDecimal={false}
            onChange={(x) => setV((old) => ({ ...old, [f]: typeof x === 'number' ? x : '' }))} error={errors.get(f)} data-testid={`expect-${f}`} />
        ))}
      </SimpleGrid>
      {saved.error && errors.size === 0 && <Alert color="red">{errorMessage(saved.error)}</Alert>}
      <Group justify="flex-end" gap="sm">
        {saved.data && !saved.error && <Text size="sm" c="green" role="status">{t('expectations.saved')}</Text>}
        <Button onClick={submit} loading={saved.loading} data-testid="expect-save">{t('expectations.save')}</Button>
      </Group>

      <RetryPolicyForm jobRef={jobRef} retry={job.retry} />

      <Stack gap={6}>
        <Text fw={600} size="sm">{t('snooze.heading')}</Text>
        {job.snoozedUntil ? (
          <Group gap="sm">
            <Text size="sm" component="div" data-testid="snoozed-until">{t('snooze.until')} <DateText iso={job.snoozedUntil} inline /></Text>
            <Button size="compact-sm" variant="default" loading={snoozed.loading} onClick={() => setSnooze(null)} data-testid="snooze-end">{t('snooze.end')}</Button>
          </Group>
        ) : (
          <Text size="sm" c="dimmed">{t('snooze.none')}</Text>
        )}
        <Select size="sm" w={260} placeholder={t('snooze.pick')} aria-label={t('snooze.pick')} value={null} data-testid="snooze-pick"
          data={SNOOZES.map((s) => ({ value: s, label: t(`snooze.for.${s}`) }))}
          onChange={(s) => s && setSnooze(new Date(Date.now() + SNOOZE_MS[s as (typeof SNOOZES)[number]]).toISOString())} />
        {snoozeError && <Text size="sm" c="red">{snoozeError}</Text>}
      </Stack>

      <Stack gap={6}>
        <Group justify="space-between">
          <Text fw={600} size="sm">{t('row.heading')}</Text>
          <Anchor component={Link} href={`/alerts?job=${encodeURIComponent(jobRef.jobId)}&domain=${encodeURIComponent(jobRef.domain)}`} size="sm">{t('row.all')}</Anchor>
        </Group>
        {job.openAlerts.length === 0 ? (
          <Text size="sm" c="dimmed">{t('row.none')}</Text>
        ) : (
          job.openAlerts.map((a) => (
            <Group key={a.id} gap="xs" wrap="nowrap" align="flex-start">
              <AlertKindBadge kind={a.kind} size="xs" />
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{a.message}</Text>
            </Group>
          ))
        )}
      </Stack>
    </Stack>
  );
}
