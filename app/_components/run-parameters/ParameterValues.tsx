'use client';

import { Badge, Group, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';

/** A run's parameter values, as the API serves them: a secret one's value is null and shown masked. */
export function ParameterValues({ values, testId = 'run-parameter-values' }: { values: readonly { name: string; value: string | null }[] | null | undefined; testId?: string }) {
  const t = useTranslations('common');
  if (!values?.length) return null;
  return (
    <Group gap={6} wrap="wrap" data-testid={testId}>
      <Text size="sm" c="dimmed">{t('runParameters.values')}</Text>
      {values.map((v) => (
        <Badge key={v.name} variant="light" color="gray" tt="none" fw={400} maw="100%" className="jd-truncate"
          aria-label={v.value === null ? t('runParameters.secretValue', { name: v.name }) : undefined} data-testid={`${testId}-${v.name}`}>
          {t('runParameters.value', { name: v.name, value: v.value ?? t('runParameters.mask') })}
        </Badge>
      ))}
    </Group>
  );
}
