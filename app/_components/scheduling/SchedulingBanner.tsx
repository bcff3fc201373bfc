'use client';

import { useQuery } from '@apollo/client/react';
import { Alert, Anchor, Group, Text } from '@mantine/core';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import { useFormat } from '../../_lib/use-format';
import { useViewer } from '../ViewerContext';
import { SCHEDULER } from './operations';

/** Every viewer's console asks this often: a pause or a resume by someone else shows within it. */
export const SCHEDULER_POLL_MS = 15_000;
/** Paused domains named in the banner; the Scheduling page lists them all. */
const NAMED = 3;

/** "14:02" today, else the date and time: when a pause began, in the viewer's zone and clock. */
export function useSince() {
  const fmt = useFormat();
  return (iso: string) => {
    const d = new Date(iso);
    const today = d.toDateString() === new Date().toDateString();
    return today ? fmt.clockTime(d.getHours(), d.getMinutes()) : fmt.shortDate(iso);
  };
}

/**
 * On every console page while scheduled runs do not start for the viewer: all scheduling is paused
 * (or, for a domain administrator, his domain), or some domains of his scope are paused on their own.
 * Kept current by polling `scheduler`; the viewer's own pause or resume writes its answer at once.
 */
export function SchedulingBanner() {
  const t = useTranslations('scheduling');
  const fmt = useFormat();
  const since = useSince();
  const viewer = useViewer();
  const pathname = usePathname();
  const { data } = useQuery(SCHEDULER, { fetchPolicy: 'cache-and-network', pollInterval: SCHEDULER_POLL_MS });
  const s = data?.scheduler;
  if (!s || (!s.paused && s.pausedDomains.length === 0)) return null;
  const here = pathname === '/scheduling';
  const domains = s.pausedDomains;
  // A domain administrator's `paused` is about his domain when it is paused on its own (the server
  // then answers that pause's since/by/reason): the banner names it.
  const ownDomain = viewer.role === 'DOMAIN_ADMIN' && viewer.domains[0] && domains.includes(viewer.domains[0]) ? viewer.domains[0] : null;
  const others = viewer.role === 'SYSTEM_ADMIN' ? domains : [];
  const named = domains.slice(0, NAMED).join(', ');
  const more = domains.length - Math.min(domains.length, NAMED);
  const headline = () => {
    if (!s.since) return ownDomain ? t('banner.domainPaused', { domain: ownDomain }) : t('banner.paused');
    const at = s.since;
    const values = {
      since: since(at),
      by: s.by ?? '',
      domain: ownDomain ?? '',
      time: (chunks: ReactNode) => <time dateTime={at} title={fmt.fullDate(at)}>{chunks}</time>,
    };
    if (ownDomain) return s.by ? t.rich('banner.domainPausedSinceBy', values) : t.rich('banner.domainPausedSince', values);
    return s.by ? t.rich('banner.pausedSinceBy', values) : t.rich('banner.pausedSince', values);
  };

  return (
    <Alert color="yellow" variant="light" radius={0} py={8} role="status" data-testid="scheduling-banner" data-paused={s.paused}>
      <Group gap="xs" wrap="wrap" justify="space-between">
        <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
          {s.paused ? (
            <>
              <Text span fw={600} data-testid="scheduling-banner-headline">{headline()}</Text>
              {s.reason && <>{' — '}<span data-testid="scheduling-banner-reason">{s.reason}</span></>}
              {others.length > 0 && <>{' · '}{t('banner.alsoDomains', { count: others.length })}</>}
            </>
          ) : (
            <Text span fw={600} data-testid="scheduling-banner-headline">
              {more > 0 ? t('banner.domainsPausedMore', { domains: named, more }) : t('banner.domainsPaused', { domains: named })}
            </Text>
          )}
          {' · '}{t('banner.manualStill')}
        </Text>
        {!here && <Anchor component={Link} href="/scheduling" size="sm" fw={600} c="inherit" underline="always" data-testid="scheduling-banner-link">{t('banner.manage')}</Anchor>}
      </Group>
    </Alert>
  );
}
