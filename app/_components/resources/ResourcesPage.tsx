'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Badge, Button, Center, Group, Loader, NumberInput, Paper, Progress, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useEffect, useId, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import type { ResourceUsageQuery } from '../../_lib/generated';
import { RESOURCE_USAGE } from '../../_lib/operations';
import { useRefetchOnExecutions } from '../dashboard/use-refetch-on-executions';
import { useViewer } from '../ViewerContext';
import { SET_RESOURCE_CAPACITY } from './operations';
import { PageHeader } from '../PageHeader';

type Resource = ResourceUsageQuery['resources'][number];

/** The API's limit (setResourceCapacity answers BAD_USER_INPUT past it). */
const MAX_CAPACITY = 10_000;
/** Read again this often besides every change of an execution: a fleet's counts move all the time. */
const POLL_MS = 5000;

/** A number input and Save: the new capacity acts at once, on every worker, without a restart. */
function CapacityEditor({ r }: { r: Resource }) {
  const t = useTranslations('resources');
  const [value, setValue] = useState<string | number>(r.capacity);
  const [save, { loading }] = useMutation(SET_RESOURCE_CAPACITY);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const errorId = useId();
  // A capacity changed elsewhere (another administrator, the poll) shows here too.
  useEffect(() => setValue(r.capacity), [r.capacity]);
  const n = typeof value === 'number' ? value : Number.NaN;
  const valid = Number.isInteger(n) && n >= 0 && n <= MAX_CAPACITY;
  async function submit() {
    setSaved(false);
    if (!valid) return setProblem(t('editor.invalid', { max: MAX_CAPACITY }));
    setProblem(null);
    try {
      await save({ variables: { name: r.name, capacity: n } });
      setSaved(true);
    } catch (e) {
      setProblem(errorMessage(e));
    }
  }
  return (
    <form onSubmit={(e) => (e.preventDefault(), void submit())} data-testid="capacity-editor">
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <NumberInput size="xs" w={110} label={t('editor.field')} min={0} max={MAX_CAPACITY} allowDecimal={false} allowNegative={false} clampBehavior="none"
          value={value} onChange={(v) => (setValue(v), setSaved(false), setProblem(null))} error={!!problem} aria-invalid={!!problem}
          aria-describedby={problem ? errorId : undefined} aria-label={t('editor.label', { name: r.name })}
          data-testid="capacity-input" />
        <Button type="submit" size="xs" loading={loading} disabled={value === r.capacity} data-testid="capacity-save"
          aria-label={t('editor.saveLabel', { name: r.name })}>
          {t('editor.save')}
        </Button>
      </Group>
      {problem && <Text size="xs" c="red" role="alert" mt={4} maw={260} id={errorId} data-testid="capacity-error">{problem}</Text>}
      {saved && <Text size="xs" c="green" role="status" mt={4} data-testid="capacity-saved">{t('editor.saved', { capacity: r.capacity })}</Text>}
    </form>
  );
}

function ResourceRow({ r, canEdit }: { r: Resource; canEdit: boolean }) {
  const t = useTranslations('resources');
  const full = r.inUse >= r.capacity;
  // Capacity 0 shows an empty bar; more holders than the capacity (it was just lowered) a full one.
  const pct = r.capacity > 0 ? Math.min(100, (r.inUse / r.capacity) * 100) : 0;
  return (
    <Paper withBorder radius="md" p="sm" data-testid={`resource-${r.name}`} data-capacity={r.capacity} data-in-use={r.inUse} data-waiting={r.waiting}>
      <Group justify="space-between" align="flex-start" gap="sm" wrap="wrap">
        <Stack gap={6} style={{ flex: '1 1 260px', minWidth: 0 }}>
          <Group gap="xs" wrap="wrap">
            <Text fw={600} style={{ overflowWrap: 'anywhere' }}>{r.name}</Text>
            {r.capacity === 0 && <Badge size="sm" color="gray" variant="light">{t('held')}</Badge>}
            {r.waiting > 0 && <Badge size="sm" color="orange" variant="light" data-testid="resource-waiting">{t('waitingCount', { count: r.waiting })}</Badge>}
          </Group>
          <Progress value={pct} color={full ? 'orange' : 'blue'} size="lg" radius="sm"
            aria-label={t('usage', { inUse: r.inUse, capacity: r.capacity })} data-testid="resource-bar" />
          <Text size="sm" c="dimmed" data-testid="resource-usage">{t('usage', { inUse: r.inUse, capacity: r.capacity })}</Text>
        </Stack>
        {canEdit ? <CapacityEditor r={r} /> : <Text size="sm">{t('capacity', { capacity: r.capacity })}</Text>}
      </Group>
    </Paper>
  );
}

/**
 * Resources (system administrators): what jobs lock, how many runs may hold each at once, how many
 * hold and wait now; a system administrator of all domains changes a capacity here.
 */
export function ResourcesPage() {
  const t = useTranslations('resources');
  const viewer = useViewer();
  const isAdmin = viewer.role === 'SYSTEM_ADMIN';
  const canEdit = isAdmin && viewer.allDomains;
  const { data, error, refetch } = useQuery(RESOURCE_USAGE, { fetchPolicy: 'cache-and-network', pollInterval: POLL_MS, skip: !isAdmin });
  useRefetchOnExecutions(() => void refetch().catch(() => undefined));

  if (!isAdmin) return <Alert m="md" color="gray" title={t('notAvailable.title')}>{t('notAvailable.text')}</Alert>;
  const list = data?.resources;
  return (
    <Stack p="md" gap="md" maw={980} data-testid="resources-page">
      <PageHeader title={t('heading')} intro={canEdit ? t('introManage') : t('introSupervise')} />
      {error && !list ? (
        <Alert color="red" title={t('loadError')}>{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>{t('tryAgain')}</Button></Alert>
      ) : !list ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : list.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="resources-empty">{t('empty')}</Text>
      ) : (
        <Stack gap="xs" data-testid="resources-list">
          {list.map((r) => <ResourceRow key={r.name} r={r} canEdit={canEdit} />)}
        </Stack>
      )}
    </Stack>
  );
}
