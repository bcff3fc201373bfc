'use client';

import { NetworkStatus } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { Alert, Autocomplete, Badge, Button, Center, Code, Collapse, Group, Loader, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { useMemo, useState } from 'react';
import { errorMessage, fieldErrors } from '../../_lib/errors';
import type { AuditPageQuery } from '../../_lib/generated';
import { DateText } from '../DateText';
import { LoadOlder } from '../LoadOlder';
import { useViewer } from '../ViewerContext';
import { AUDIT_PAGE } from './operations';
import { appendPage } from '../../_lib/append-page';
import { PageHeader } from '../PageHeader';

type Entry = AuditPageQuery['auditLog']['nodes'][number];

// Suggestions only: the action filter takes any name (an exact match on the server). Action names are
// the API's own (code, the same in every language).
const ACTIONS = [
  'cancelExecution', 'changePassword', 'createApiToken', 'createDomain', 'createDomains', 'createUser', 'deleteDomain', 'deleteExecutions',
  'deleteUser', 'endSession', 'executeNow', 'login', 'revokeApiToken', 'setPassword', 'updateJob', 'updateUser',
];

/** Placeholders: data, the same in every language. */
const EXAMPLE_ACTION = 'deleteDomain';
const EXAMPLE_DOMAIN = 'acme.example';

/** A day from a date input, in the viewer's zone: the start of `from`'s day, the end of `to`'s. */
function dayBound(day: string, end: boolean): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const d = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function pretty(details: string) {
  try {
    return JSON.stringify(JSON.parse(details), null, 2);
  } catch {
    return details;
  }
}

function AuditRow({ e }: { e: Entry }) {
  const [open, setOpen] = useState(false);
  const t = useTranslations('audit');
  const detailsId = `audit-details-${e.id}`;
  return (
    <Paper withBorder radius="sm" px="sm" py={6} data-testid="audit-entry" data-action={e.action}>
      <Group justify="space-between" gap="xs" wrap="wrap" align="flex-start">
        <Stack gap={2} style={{ minWidth: 0, flex: '1 1 260px' }}>
          <Group gap={6} wrap="wrap">
            <Badge variant="light" size="sm" tt="none">{e.action}</Badge>
            {e.target && <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>{e.target}</Text>}
            {e.domain && <Text size="xs" c="dimmed">{t('entry.inDomain', { domain: e.domain })}</Text>}
          </Group>
          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {e.address ? t('entry.actorFrom', { actor: e.actor, address: e.address }) : e.actor}
          </Text>
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <Text size="xs"><DateText iso={e.at} inline /></Text>
          {e.details && (
            <Button size="compact-xs" variant="default" onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-controls={detailsId} data-testid="audit-details-toggle">
              {open ? t('entry.hideDetails') : t('entry.details')}
            </Button>
          )}
        </Group>
      </Group>
      {e.details && (
        <Collapse expanded={open}>
          <Code block id={detailsId} mt={6} data-testid="audit-details" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: 360, overflow: 'auto' }}>
            {pretty(e.details)}
          </Code>
        </Collapse>
      )}
    </Paper>
  );
}

/** The audit trail (system administrators): newest first, filtered by actor, action, domain and days. */
export function AuditPage() {
  const t = useTranslations('audit');
  const viewer = useViewer();
  const isAdmin = viewer.role === 'SYSTEM_ADMIN';
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  // A text field, not the domain picker: the trail keeps entries of domains that were deleted since.
  const [domain, setDomain] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  // Debounced as one string: a fresh object each render would restart the timer forever.
  const [typed] = useDebouncedValue(JSON.stringify([actor.trim(), action.trim(), domain.trim()]), 300);
  const filter = useMemo(() => {
    const [a, act, d] = JSON.parse(typed) as [string, string, string];
    return { actor: a || null, action: act || null, domain: d || null, from: dayBound(from, false), to: dayBound(to, true) };
  }, [typed, from, to]);
  const { data, previousData, error, refetch, fetchMore, networkStatus } = useQuery(AUDIT_PAGE, {
    variables: { filter, first: 50 },
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
    skip: !isAdmin,
  });
  if (!isAdmin) return <Alert m="md" color="gray" title={t('notAvailable.title')}>{t('notAvailable.text')}</Alert>;

  const bad = fieldErrors(error, 'filter.');
  const list = (data ?? (error ? undefined : previousData))?.auditLog;
  const filtered = Object.values(filter).some((v) => v !== null);
  const more = () =>
    void fetchMore({
      variables: { after: list?.pageInfo.endCursor },
      updateQuery: appendPage('auditLog'),
    });

  return (
    <Stack p="md" gap="md" maw={1100} data-testid="audit-page">
      <PageHeader title={t('heading')} intro={t('intro')} />
      <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="xs">
        <TextInput label={t('filters.actor')} placeholder={t('filters.actorPlaceholder')} value={actor} onChange={(e) => setActor(e.currentTarget.value)} maxLength={254} data-testid="audit-actor" />
        <Autocomplete label={t('filters.action')} placeholder={t('filters.actionPlaceholder', { example: EXAMPLE_ACTION })} data={ACTIONS} value={action} onChange={setAction} maxLength={100} data-testid="audit-action" />
        <TextInput label={t('filters.domain')} placeholder={EXAMPLE_DOMAIN} value={domain} onChange={(e) => setDomain(e.currentTarget.value)} maxLength={253} data-testid="audit-domain" />
        <TextInput type="date" label={t('filters.from')} value={from} onChange={(e) => setFrom(e.currentTarget.value)} error={bad.get('from')} data-testid="audit-from" />
        <TextInput type="date" label={t('filters.to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} error={bad.get('to')} data-testid="audit-to" />
      </SimpleGrid>

      {error && !list ? (
        bad.size ? null : <Alert color="red" title={t('loadError')}>{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>{t('tryAgain')}</Button></Alert>
      ) : !list ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : list.nodes.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="audit-empty">{filtered ? t('emptyFiltered') : t('empty')}</Text>
      ) : (
        <Stack gap={6} data-testid="audit-list">
          {list.nodes.map((e) => <AuditRow key={e.id} e={e} />)}
          <LoadOlder hasNextPage={list.pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore} onLoad={more}>{t('loadOlder')}</LoadOlder>
        </Stack>
      )}
    </Stack>
  );
}
