'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Badge, Button, Center, Group, Loader, Paper, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useMemo, useState } from 'react';
import { errorMessage, firstError } from '../../_lib/errors';
import { DateText } from '../DateText';
import { END_SESSION, SESSIONS } from './operations';
import { shortUserAgent, type UserAgentTexts } from './user-agent';

/** The viewer's own open sessions, this one marked; each other one can be signed out. */
export function SessionsList() {
  const t = useTranslations('account');
  const uaTexts = useMemo<UserAgentTexts>(
    () => ({ unknown: t('userAgent.unknown'), onSystem: (browser, system) => t('userAgent.onSystem', { browser, system }) }),
    [t],
  );
  const { data, error, refetch } = useQuery(SESSIONS, { fetchPolicy: 'cache-and-network' });
  const [end] = useMutation(END_SESSION);
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const sessions = data?.sessions ?? [];
  const others = sessions.filter((s) => !s.current);

  async function endSessions(ids: string[], key: string) {
    setBusy(key);
    setFailure(null);
    try {
      // One at a time: there are a handful, and a NOT_FOUND (already ended elsewhere) must not stop the rest.
      for (const id of ids) {
        await end({ variables: { id } }).catch((e: unknown) => {
          if (firstError(e)?.code !== 'NOT_FOUND') throw e;
        });
      }
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(null);
      await refetch().catch(() => undefined);
    }
  }

  if (error && !data) return <Alert color="red" title={t('sessions.loadFailed')}>{errorMessage(error)}</Alert>;
  if (!data) return <Center p="md"><Loader size="sm" role="status" aria-label={t('sessions.loading')} /></Center>;
  return (
    <Stack gap="xs" data-testid="sessions">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text size="sm" c="dimmed" data-testid="sessions-count">
          {others.length === 0 ? t('sessions.hereOnly') : t('sessions.count', { total: sessions.length, others: others.length })}
        </Text>
        {others.length > 0 && (
          <Button size="xs" variant="light" color="red" loading={busy === 'others'} onClick={() => void endSessions(others.map((s) => s.id), 'others')}
            data-testid="sessions-end-others">
            {t('sessions.endOthers')}
          </Button>
        )}
      </Group>
      {failure && <Alert color="red" role="alert">{failure}</Alert>}
      <Stack gap={8} role="list" aria-label={t('sessions.list')}>
        {sessions.map((s) => {
          const browser = shortUserAgent(s.userAgent, uaTexts);
          return (
            <Paper key={s.id} withBorder radius="sm" px="sm" py={8} role="listitem" data-testid={`session-${s.id}`} data-current={s.current ? 'true' : 'false'}>
              <Group justify="space-between" wrap="nowrap" gap="sm">
                <Stack gap={2} miw={0}>
                  <Group gap={6} wrap="nowrap" miw={0}>
                    <Text size="sm" fw={500} className="jd-truncate" title={s.userAgent ?? undefined} data-testid="session-browser">{browser}</Text>
                    {s.current && <Badge size="sm" variant="light" color="green" tt="none" style={{ flex: 'none' }} data-testid="session-current">{t('sessions.current')}</Badge>}
                  </Group>
                  {/* One run of text, so a phone wraps it between words rather than between boxes. */}
                  <Text size="xs" c="dimmed">
                    {t.rich('sessions.details', {
                      address: s.address ?? t('sessions.addressUnknown'),
                      where: (c) => <span data-testid="session-address">{c}</span>,
                      lastSeen: () => <DateText iso={s.lastSeenAt} inline />,
                      created: () => <DateText iso={s.createdAt} inline />,
                    })}
                  </Text>
                </Stack>
                {!s.current && (
                  <Button size="compact-sm" variant="default" loading={busy === s.id} onClick={() => void endSessions([s.id], s.id)}
                    aria-label={s.address ? t('sessions.endOne', { browser, address: s.address }) : t('sessions.endOneUnknown', { browser })} data-testid="session-end" style={{ flex: 'none' }}>
                    {t('sessions.end')}
                  </Button>
                )}
              </Group>
            </Paper>
          );
        })}
      </Stack>
    </Stack>
  );
}
