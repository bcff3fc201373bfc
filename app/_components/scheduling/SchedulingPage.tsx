'use client';

import { useQuery } from '@apollo/client/react';
import { Alert, Badge, Button, Center, Group, Loader, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useMemo, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import { ConfirmDialog } from '../ConfirmDialog';
import { DomainPicker } from '../DomainPicker';
import { useViewer } from '../ViewerContext';
import { SCHEDULER } from './operations';
import { ResumeDialog } from './ResumeDialog';
import { SCHEDULER_POLL_MS, useSince } from './SchedulingBanner';
import { usePauseScheduling } from './use-scheduler';
import { PageHeader } from '../PageHeader';

/** As the API allows (services/scheduling.ts MAX_REASON_CHARS). */
const MAX_REASON = 500;
/** Paused domains listed at once; the filter finds the others among thousands. */
const LISTED = 200;

function ReasonInput({ value, onChange, testId }: { value: string; onChange: (v: string) => void; testId: string }) {
  const t = useTranslations('scheduling');
  return (
    <TextInput size="xs" label={t('reason.label')} description={t('reason.help')} placeholder={t('reason.placeholder')} value={value}
      maxLength={MAX_REASON} onChange={(e) => onChange(e.currentTarget.value)} data-testid={testId} style={{ flex: '1 1 260px' }} />
  );
}

/** The pause of everything: system administrators of all domains only. */
function AllScheduling({ paused, since, by, reason, onResume }: { paused: boolean; since: string | null; by: string | null; reason: string | null; onResume: () => void }) {
  const t = useTranslations('scheduling');
  const sinceText = useSince();
  const [why, setWhy] = useState('');
  const [confirm, setConfirm] = useState(false);
  const [pause, { loading, error }] = usePauseScheduling();
  return (
    <Paper withBorder p="md" radius="md" data-testid="scheduling-all">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={3} size="h5">{t('all.heading')}</Title>
          <Badge color={paused ? 'yellow' : 'green'} variant="dot" size="lg" tt="none" data-testid="scheduling-all-status">{paused ? t('status.paused') : t('status.running')}</Badge>
        </Group>
        {paused ? (
          <>
            <Text size="sm">
              {since && by ? t('all.pausedSinceBy', { since: sinceText(since), by }) : since ? t('all.pausedSince', { since: sinceText(since) }) : null}
              {reason && <>{' — '}{reason}</>}
            </Text>
            <Group><Button onClick={onResume} data-testid="scheduling-resume-all">{t('all.resume')}</Button></Group>
          </>
        ) : (
          <>
            <Text size="sm" c="dimmed">{t('all.help')}</Text>
            <Group align="flex-end" wrap="wrap">
              <ReasonInput value={why} onChange={setWhy} testId="scheduling-all-reason" />
              <Button size="xs" onClick={() => setConfirm(true)} data-testid="scheduling-pause-all">{t('all.pause')}</Button>
            </Group>
          </>
        )}
        {error && <Alert color="red" variant="light" role="alert">{errorMessage(error)}</Alert>}
      </Stack>
      <ConfirmDialog opened={confirm} title={t('all.confirmTitle')} message={t('all.confirmText')} confirmLabel={t('all.pause')} color="indigo" loading={loading}
        onCancel={() => setConfirm(false)}
        onConfirm={() => void pause({ variables: { domain: null, reason: why.trim() || null } }).then(() => setWhy(''), () => undefined).finally(() => setConfirm(false))} />
    </Paper>
  );
}

/** Pause one domain: any of a system administrator's, or a domain administrator's own. */
function PauseDomain() {
  const t = useTranslations('scheduling');
  const viewer = useViewer();
  const own = viewer.role === 'DOMAIN_ADMIN' ? (viewer.domains[0] ?? null) : null;
  const [picked, setPicked] = useState<string | null>(null);
  const [why, setWhy] = useState('');
  const [pause, { loading, error }] = usePauseScheduling();
  const domain = own ?? picked;
  return (
    <Paper withBorder p="md" radius="md" data-testid="scheduling-domain">
      <Stack gap="sm">
        <Title order={3} size="h5">{own ? t('domain.headingOwn', { domain: own }) : t('domain.heading')}</Title>
        <Text size="sm" c="dimmed">{t('domain.help')}</Text>
        <Group align="flex-end" wrap="wrap">
          {!own && (
            <Stack gap={4}>
              <Text size="xs" fw={500} component="span">{t('domain.pick')}</Text>
              <DomainPicker value={picked} onChange={setPicked} w={240} placeholder={t('domain.pickPlaceholder')} data-testid="scheduling-domain-picker" />
            </Stack>
          )}
          <ReasonInput value={why} onChange={setWhy} testId="scheduling-domain-reason" />
          <Button size="xs" disabled={!domain} loading={loading} data-testid="scheduling-pause-domain"
            onClick={() => domain && void pause({ variables: { domain, reason: why.trim() || null } }).then(() => { setWhy(''); setPicked(null); }, () => undefined)}>
            {domain ? t('domain.pauseNamed', { domain }) : t('domain.pause')}
          </Button>
        </Group>
        {error && <Alert color="red" variant="light" role="alert">{errorMessage(error)}</Alert>}
      </Stack>
    </Paper>
  );
}

function PausedDomains({ domains, onResume }: { domains: string[]; onResume: (d: string) => void }) {
  const t = useTranslations('scheduling');
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return (f ? domains.filter((d) => d.includes(f)) : domains).slice(0, LISTED);
  }, [domains, filter]);
  return (
    <Paper withBorder p="md" radius="md" data-testid="scheduling-paused-domains">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={3} size="h5">{t('list.heading', { count: domains.length })}</Title>
          {domains.length > 10 && (
            <TextInput size="xs" placeholder={t('list.filter')} aria-label={t('list.filter')} value={filter} onChange={(e) => setFilter(e.currentTarget.value)} w={220} />
          )}
        </Group>
        {domains.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="scheduling-no-paused">{t('list.empty')}</Text>
        ) : (
          <Table verticalSpacing={6}>
            <Table.Tbody>
              {shown.map((d) => (
                <Table.Tr key={d} data-testid={`paused-domain-${d}`}>
                  <Table.Td><Text size="sm" style={{ overflowWrap: 'anywhere' }}>{d}</Text></Table.Td>
                  <Table.Td w={1} style={{ whiteSpace: 'nowrap' }}>
                    <Button size="compact-sm" variant="light" onClick={() => onResume(d)} aria-label={t('list.resumeLabel', { domain: d })}
                      data-testid="paused-domain-resume">{t('list.resume')}</Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {shown.length < domains.length && !filter && <Text size="xs" c="dimmed">{t('list.more', { shown: shown.length, total: domains.length })}</Text>}
      </Stack>
    </Paper>
  );
}

/**
 * The Scheduling page: pause all scheduling (system administrators of all domains) or one domain's
 * (a domain administrator his own), with a reason; resume with a choice for the missed occurrences.
 */
export function SchedulingPage() {
  const t = useTranslations('scheduling');
  const viewer = useViewer();
  const sinceText = useSince();
  const superAdmin = viewer.role === 'SYSTEM_ADMIN' && viewer.allDomains;
  const { data, error, refetch } = useQuery(SCHEDULER, { fetchPolicy: 'cache-and-network', pollInterval: SCHEDULER_POLL_MS });
  const [resuming, setResuming] = useState<string | null | undefined>(undefined);
  const s = data?.scheduler;
  // For a domain administrator `paused` without his domain among the paused ones is the pause of everything.
  const ownPaused = viewer.role === 'DOMAIN_ADMIN' && !!s && s.pausedDomains.includes(viewer.domains[0] ?? '');
  const allPaused = !!s?.paused && !ownPaused;

  return (
    <Stack p="md" gap="md" maw={960} data-testid="scheduling-page">
      <PageHeader title={t('heading')} intro={t('intro')} />
      {error && !s ? (
        <Alert color="red" title={t('loadError')}>{errorMessage(error)} <Button size="compact-xs" variant="white" onClick={() => void refetch()}>{t('tryAgain')}</Button></Alert>
      ) : !s ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : (
        <>
          {superAdmin ? (
            <AllScheduling paused={s.paused} since={s.since} by={s.by} reason={s.reason} onResume={() => setResuming(null)} />
          ) : allPaused ? (
            <Alert color="yellow" variant="light" title={t('all.pausedByOthers')} data-testid="scheduling-all-paused-note">
              {s.since && s.by ? t('all.pausedSinceBy', { since: sinceText(s.since), by: s.by }) : null}
              {s.reason && <>{' — '}{s.reason}</>}
            </Alert>
          ) : null}
          <PauseDomain />
          <PausedDomains domains={s.pausedDomains} onResume={setResuming} />
        </>
      )}
      <ResumeDialog target={resuming} allPaused={allPaused} pausedDomains={s?.pausedDomains.length ?? 0} onClose={() => setResuming(undefined)} />
    </Stack>
  );
}
