'use client';

import { Alert, Loader, Group, Text } from '@mantine/core';
import { useSyncExternalStore } from 'react';
import { connection } from '../_lib/connection';

/** Shown while the WebSocket that carries live updates is down; it reconnects by itself. */
export function ConnectionBanner() {
  const state = useSyncExternalStore(connection.subscribe, connection.get, () => 'idle' as const);
  if (state !== 'reconnecting') return null;
  return (
    <Alert color="orange" variant="filled" radius={0} py={6} role="status" aria-live="polite" data-testid="connection-lost"
      pos="fixed" top="var(--app-shell-header-offset, 0px)" left={0} right={0} style={{ zIndex: 500 }}>
      <Group gap="xs" justify="center" wrap="nowrap">
        <Loader size="xs" color="white" aria-hidden />
        <Text size="sm" fw={500}>Live connection lost — reconnecting… Statuses and logs resume when it is back.</Text>
      </Group>
    </Alert>
  );
}
