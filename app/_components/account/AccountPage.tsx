'use client';

import { Badge, Group, Stack, Text, Title } from '@mantine/core';
import { useViewer } from '../ViewerContext';
import { ChangePasswordForm } from './ChangePasswordForm';
import { SessionsList } from './SessionsList';

/** The viewer's own account: his password and where he is signed in. */
export function AccountPage() {
  const viewer = useViewer();
  return (
    <Stack p="md" gap="lg" maw={820} data-testid="account-page">
      <div>
        <Title order={2} size="h3">My account</Title>
        <Group gap="xs" mt={4}>
          <Text size="sm" data-testid="account-email">{viewer.email}</Text>
          <Badge size="sm" variant="light" tt="none" color={viewer.role === 'SYSTEM_ADMIN' ? 'indigo' : 'teal'}>
            {viewer.role === 'SYSTEM_ADMIN' ? 'System admin' : 'Domain admin'}
          </Badge>
        </Group>
      </div>
      <Stack gap="xs" component="section" aria-labelledby="account-password">
        <Title order={3} size="h4" id="account-password">Password</Title>
        <Text size="sm" c="dimmed">Changing it signs you out everywhere else.</Text>
        <ChangePasswordForm />
      </Stack>
      <Stack gap="xs" component="section" aria-labelledby="account-sessions">
        <Title order={3} size="h4" id="account-sessions">Sessions</Title>
        <SessionsList />
      </Stack>
    </Stack>
  );
}
