'use client';

import { useMutation } from '@apollo/client/react';
import { Alert, Button, Group, NumberInput, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { errorMessage, fieldErrors } from '../../_lib/errors';
import type { Backoff } from '../../_lib/generated';
import type { JobRef } from '../../_lib/types';
import { UPDATE_EXPECTATIONS } from './operations';

type Policy = { attempts: number; delaySeconds: number; backoff: Backoff };

/** The row's retry policy: how many more attempts a failed run gets, after how long, fixed or doubling. */
export function RetryPolicyForm({ jobRef, retry }: { jobRef: JobRef; retry: Policy }) {
  const t = useTranslations('alerts');
  const [v, setV] = useState<{ attempts: number | ''; delaySeconds: number | ''; backoff: Backoff }>(retry);
  const [save, saved] = useMutation(UPDATE_EXPECTATIONS);
  const errors = fieldErrors(saved.error, 'input.retry.');
  const submit = () =>
    void save({ variables: { ...jobRef, input: { retry: { attempts: v.attempts === '' ? 0 : v.attempts, delaySeconds: v.delaySeconds === '' ? 0 : v.delaySeconds, backoff: v.backoff } } } }).catch(() => undefined);
  return (
    <Stack gap={6} data-testid="retry-policy">
      <Text fw={600} size="sm">{t('retry.heading')}</Text>
      <Text size="sm" c="dimmed">{t('retry.intro')}</Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <NumberInput label={t('retry.attempts')} description={t('retry.attemptsHelp')} value={v.attempts} min={0} max={10} allowDecimal={false}
          onChange={(x) => setV((o) => ({ ...o, attempts: typeof x === 'number' ? x : '' }))} error={errors.get('attempts')} data-testid="retry-attempts" />
        <NumberInput label={t('retry.delaySeconds')} description={t('retry.delayHelp')} value={v.delaySeconds} min={0} max={86_400} allowDecimal={false}
          onChange={(x) => setV((o) => ({ ...o, delaySeconds: typeof x === 'number' ? x : '' }))} error={errors.get('delaySeconds')} data-testid="retry-delay" />
      </SimpleGrid>
      <div>
        <Text size="sm" fw={500} id="retry-backoff-label">{t('retry.backoff')}</Text>
        <SegmentedControl size="xs" value={v.backoff} onChange={(b) => setV((o) => ({ ...o, backoff: b as Backoff }))} aria-labelledby="retry-backoff-label"
          data={[{ value: 'FIXED', label: t('retry.FIXED') }, { value: 'EXPONENTIAL', label: t('retry.EXPONENTIAL') }]} data-testid="retry-backoff" />
      </div>
      {saved.error && errors.size === 0 && <Alert color="red">{errorMessage(saved.error)}</Alert>}
      <Group justify="flex-end" gap="sm">
        {saved.data && !saved.error && <Text size="sm" c="green" role="status">{t('retry.saved')}</Text>}
        <Button onClick={submit} loading={saved.loading} variant="light" data-testid="retry-save">{t('retry.save')}</Button>
      </Group>
    </Stack>
  );
}
