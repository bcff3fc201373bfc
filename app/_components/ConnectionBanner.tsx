'use client';

import { Alert, Button, Loader, Group, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useEffect, useSyncExternalStore } from 'react';
import { connection } from '../_lib/connection';

function signInAgain() {
  // Read at the click, not at render: the view may have changed since the session ended. A full
  // page load, so the next session starts with a fresh client and socket.
  const next = window.location.pathname + window.location.search;
  window.location.assign(`/login?next=${encodeURIComponent(next)}`);
}

/**
 * Shown while the WebSocket that carries live updates is down (it reconnects by itself), or once
 * the session has ended, which no reconnect can mend.
 */
export function ConnectionBanner() {
  const t = useTranslations('shell');
  const state = useSyncExternalStore(connection.subscribe, connection.get, () => 'idle' as const);
  // The socket's state on <html data-live>, for scripts and tests that act once live updates flow.
  useEffect(() => {
    document.documentElement.dataset.live = state;
  }, [state]);
  if (state === 'signedOut') {
    return (
      <Alert color="red" variant="filled" radius={0} py={6} role="alert" data-testid="signed-out"
        pos="fixed" top="var(--app-shell-header-offset, 0px)" left={0} right={0} style={{ zIndex: 500 }}>
        <Group gap="sm" justify="center" wrap="wrap">
          <Text size="sm" fw={600}>{t('banner.signedOutTitle')}</Text>
          <Text size="sm">{t('banner.signedOutText')}</Text>
          <Button size="compact-sm" variant="white" color="red" onClick={signInAgain} data-testid="sign-in-again">
            {t('banner.signInAgain')}
          </Button>
        </Group>
      </Alert>
    );
  }
  if (state !== 'reconnecting') return null;
  return (
    <Alert color="orange" variant="filled" radius={0} py={6} role="status" aria-live="polite" data-testid="connection-lost"
      pos="fixed" top="var(--app-shell-header-offset, 0px)" left={0} right={0} style={{ zIndex: 500 }}>
      <Group gap="xs" justify="center" wrap="nowrap">
        <Loader size="xs" color="white" aria-hidden />
        <Text size="sm" fw={500}>{t('banner.reconnecting')}</Text>
      </Group>
    </Alert>
  );
}
