'use client';

import { NetworkStatus } from '@apollo/client';
import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { Alert, Anchor, Button, Center, Group, Loader, MultiSelect, Paper, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useMemo, useState } from 'react';
import { appendPage } from '../../_lib/append-page';
import { errorMessage } from '../../_lib/errors';
import type { AlertFieldsFragment, AlertFilter, AlertKind } from '../../_lib/generated';
import { jobKey, logHref, withParams } from '../../_lib/jobs-url';
import { DateText } from '../DateText';
import { DomainPicker } from '../DomainPicker';
import { LoadOlder } from '../LoadOlder';
import { AlertKindBadge } from './AlertIcon';
import { ACKNOWLEDGE_ALERT, ALERT_CHANGED, ALERTS } from './operations';
import { PageHeader } from '../PageHeader';

const KINDS: AlertKind[] = ['FAILED', 'RECOVERED', 'MISSED', 'TOO_LONG', 'TOO_SHORT', 'NO_WORKER'];
type Show = 'open' | 'resolved' | 'all';

function Acknowledge({ a }: { a: AlertFieldsFragment }) {
  const t = useTranslations('alerts');
  const [ack, { loading, error }] = useMutation(ACKNOWLEDGE_ALERT);
  if (a.acknowledgedAt) return <Text size="xs" c="dimmed" data-testid="alert-acknowledged">{t('acknowledgedBy', { who: a.acknowledgedBy ?? '' })}</Text>;
  return (
    <Stack gap={2} align="flex-end">
      <Button size="compact-xs" variant="default" loading={loading} onClick={() => void ack({ variables: { id: a.id } }).catch(() => undefined)}
        aria-label={t('acknowledgeLabel', { message: a.message })} data-testid="alert-ack">{t('acknowledge')}</Button>
      {error && <Text size="xs" c="red">{errorMessage(error)}</Text>}
    </Stack>
  );
}

/** One alert: what, where, since when, and the way to the row and to the run's log. */
function AlertItem({ a }: { a: AlertFieldsFragment }) {
  const t = useTranslations('alerts');
  const ref = a.job ? { jobId: a.job.jobId, domain: a.job.domain } : null;
  return (
    <Paper withBorder p="sm" radius="sm" data-testid={`alert-${a.id}`} data-open={a.resolvedAt ? 'false' : 'true'} data-kind={a.kind}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={4} miw={0}>
          <Group gap={6} wrap="wrap">
            <AlertKindBadge kind={a.kind} />
            {!a.resolvedAt && <Text size="xs" fw={600} c="red">{t('open')}</Text>}
            {a.snoozed && <Text size="xs" c="dimmed">{t('snoozed')}</Text>}
            <Text size="xs" c="dimmed">{a.domain ?? t('fleet')}</Text>
          </Group>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>{a.message}</Text>
          <Text size="xs" c="dimmed" component="div">
            {t('openedAt')} <DateText iso={a.openedAt} run inline />
            {a.resolvedAt && <> · {t('resolvedAt')} <DateText iso={a.resolvedAt} inline /></>}
          </Text>
          <Group gap="md">
            {ref && <Anchor component={Link} href={`/jobs${withParams(new URLSearchParams(), { job: jobKey(ref) })}`} size="sm" data-testid="alert-job-link"
              aria-label={t('jobLabel', { job: ref.jobId, domain: ref.domain })}>{t('openJob')}</Anchor>}
            {ref && a.execution && <Anchor component={Link} href={logHref(ref, a.execution.id)} size="sm" data-testid="alert-log-link"
              aria-label={t('logLabel', { id: a.execution.id })}>{t('openLog')}</Anchor>}
          </Group>
        </Stack>
        <Acknowledge a={a} />
      </Group>
    </Paper>
  );
}

/** One list of alerts (open ones, or resolved ones), paged; refetched when an alert changes. */
function AlertList({ filter, heading, empty, version }: { filter: AlertFilter; heading: string; empty: string; version: number }) {
  const t = useTranslations('alerts');
  const { data, error, refetch, fetchMore, networkStatus } = useQuery(ALERTS, {
    variables: { filter, first: 50 },
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
  });
  const [seen, setSeen] = useState(version);
  if (seen !== version) {
    setSeen(version);
    void refetch().catch(() => undefined);
  }
  const conn = data?.alerts;
  return (
    <Stack gap="xs" component="section" aria-label={heading}>
      <Title order={3} size="h5">{heading}{conn ? ` (${conn.totalCount})` : ''}</Title>
      {error && !conn ? (
        <Alert color="red" title={t('loadError')}>{errorMessage(error)}</Alert>
      ) : !conn ? (
        <Center p="md"><Loader size="sm" role="status" aria-label={t('loading')} /></Center>
      ) : conn.nodes.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="alerts-empty">{empty}</Text>
      ) : (
        <>
          {conn.nodes.map((a) => <AlertItem key={a.id} a={a} />)}
          <LoadOlder hasNextPage={conn.pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore}
            onLoad={() => void fetchMore({ variables: { after: conn.pageInfo.endCursor }, updateQuery: appendPage('alerts') })}>{t('loadOlder')}</LoadOlder>
        </>
      )}
    </Stack>
  );
}

/** Alerts in the viewer's scope: open ones first, filters by kind, domain and job, acknowledge; live. */
export function AlertsPage() {
  const t = useTranslations('alerts');
  const params = useSearchParams();
  const [show, setShow] = useState<Show>('all');
  const [kinds, setKinds] = useState<string[]>([]);
  const [domain, setDomain] = useState<string | null>(params.get('domain'));
  const [jobText, setJobText] = useState(params.get('job') ?? '');
  const [jobId] = useDebouncedValue(jobText.trim(), 300);
  const [version, setVersion] = useState(0);
  useSubscription(ALERT_CHANGED, { onData: () => setVersion((v) => v + 1) });
  const base = useMemo<AlertFilter>(
    () => ({ ...(kinds.length ? { kinds: kinds as AlertKind[] } : {}), ...(domain ? { domain } : {}), ...(jobId ? { jobId } : {}) }),
    [kinds, domain, jobId],
  );
  const kindOptions = useMemo(() => KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) })), [t]);
  return (
    <Stack p="md" gap="md" data-testid="alerts-page">
      <PageHeader title={t('heading')} intro={t('intro')} />
      <Group gap="sm" wrap="wrap" align="flex-end">
        <SegmentedControl size="xs" value={show} onChange={(v) => setShow(v as Show)} aria-label={t('filter.show')}
          data={[{ value: 'all', label: t('filter.all') }, { value: 'open', label: t('filter.open') }, { value: 'resolved', label: t('filter.resolved') }]} />
        <MultiSelect size="xs" data={kindOptions} value={kinds} onChange={setKinds} placeholder={t('filter.kinds')} aria-label={t('filter.kinds')}
          clearable w={{ base: '100%', xs: 260 }} data-testid="alerts-kinds" />
        <DomainPicker value={domain} onChange={setDomain} placeholder={t('filter.domain')} w={{ base: '100%', xs: 220 }} data-testid="alerts-domain" />
        <TextInput size="xs" value={jobText} onChange={(e) => setJobText(e.currentTarget.value)} placeholder={t('filter.job')} aria-label={t('filter.job')}
          w={{ base: '100%', xs: 220 }} data-testid="alerts-job" />
      </Group>
      {show !== 'resolved' && <AlertList filter={{ ...base, open: true }} heading={t('openHeading')} empty={t('emptyOpen')} version={version} />}
      {show !== 'open' && <AlertList filter={{ ...base, open: false }} heading={t('resolvedHeading')} empty={t('emptyResolved')} version={version} />}
    </Stack>
  );
}
