'use client';

import { useQuery } from '@apollo/client/react';
import { Alert, Button, Center, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useCallback } from 'react';
import { errorMessage } from '../../_lib/errors';
import { withParams } from '../../_lib/jobs-url';
import { DomainPicker } from '../DomainPicker';
import { useViewer } from '../ViewerContext';
import { NextRuns } from './NextRuns';
import { NowTiles } from './NowTiles';
import { DASHBOARD } from './operations';
import { StatusChart } from './StatusChart';
import { useRefetchOnExecutions } from './use-refetch-on-executions';

const NEXT_RUNS = 10;

/**
 * The console's home: what runs now, the last 24 hours, rows by last status and the next runs, in
 * the viewer's scope; a system administrator may narrow it to one domain (?domain=, kept in the URL).
 * Live from `executionUpdated`, with no polling.
 */
export function DashboardPage() {
  const t = useTranslations('dashboard');
  const viewer = useViewer();
  const params = useSearchParams();
  const router = useRouter();
  const admin = viewer.role === 'SYSTEM_ADMIN';
  // A domain administrator's scope is his one domain already.
  const domain = admin ? params.get('domain') || null : null;
  const { data, previousData, error, refetch } = useQuery(DASHBOARD, {
    variables: { domain, filter: domain ? { domain } : null, first: NEXT_RUNS },
    fetchPolicy: 'cache-and-network',
  });
  const shown = data ?? previousData;
  const reread = useCallback(() => void refetch().catch(() => undefined), [refetch]);
  useRefetchOnExecutions(reread);

  const setDomain = (d: string | null) => router.push(`/dashboard${withParams(params, { domain: d })}`, { scroll: false });

  return (
    <Stack p="md" gap="md" maw={1280} data-testid="dashboard" data-domain={domain ?? ''}>
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <div style={{ minWidth: 0, flex: '1 1 320px' }}>
          <Title order={2} size="h3">{t('heading')}</Title>
          <Text size="sm" c="dimmed">{domain ? t('introDomain', { domain }) : t('intro')}</Text>
        </div>
        {admin && <DomainPicker value={domain} onChange={setDomain} w={240} data-testid="dash-domain" />}
      </Group>

      {error && !shown ? (
        <Alert color="red" title={t('loadError')}>
          <Stack gap="xs" align="flex-start">
            <Text size="sm">{errorMessage(error)}</Text>
            <Button size="xs" onClick={reread}>{t('tryAgain')}</Button>
          </Stack>
        </Alert>
      ) : !shown ? (
        <Center p="xl"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : (
        // While another domain's numbers are on their way the previous ones stay, marked busy.
        <Stack gap="md" aria-busy={!data} data-testid="dashboard-body" data-ready={data ? 'true' : 'false'}>
          <NowTiles overview={shown.overview} domain={domain} />
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <StatusChart counts={shown.overview.rowsByStatus} domain={domain} />
            <NextRuns upcoming={shown.upcoming} />
          </SimpleGrid>
          {error && <Alert color="red" py="xs">{errorMessage(error)}</Alert>}
        </Stack>
      )}
    </Stack>
  );
}
