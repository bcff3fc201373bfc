'use client';

import { Badge, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useLabels } from '../../_lib/use-labels';
import { useViewer } from '../ViewerContext';
import { ChangePasswordForm } from './ChangePasswordForm';
import { LanguagePicker } from './LanguagePicker';
import { SessionsList } from './SessionsList';

/** The viewer's own account: his password, where he is signed in, and the console's language. */
export function AccountPage() {
  const viewer = useViewer();
  const t = useTranslations('account');
  const L = useLabels();
  return (
    <Stack p="md" gap="lg" maw={820} data-testid="account-page">
      <div>
        <Title order={2} size="h3">{t('title')}</Title>
        <Group gap="xs" mt={4}>
          <Text size="sm" data-testid="account-email">{viewer.email}</Text>
          <Badge size="sm" variant="light" tt="none" color={viewer.role === 'SYSTEM_ADMIN' ? 'indigo' : 'teal'}>
            {L.role(viewer.role)}
          </Badge>
        </Group>
      </div>
      <Stack gap="xs" component="section" aria-labelledby="account-password">
        <Title order={3} size="h4" id="account-password">{t('password.title')}</Title>
        <Text size="sm" c="dimmed">{t('password.intro')}</Text>
        <ChangePasswordForm />
      </Stack>
      <Stack gap="xs" component="section" aria-labelledby="account-sessions">
        <Title order={3} size="h4" id="account-sessions">{t('sessions.title')}</Title>
        <SessionsList />
      </Stack>
      <Stack gap="xs" component="section" aria-labelledby="account-language">
        <Title order={3} size="h4" id="account-language">{t('language.title')}</Title>
        <LanguagePicker />
      </Stack>
    </Stack>
  );
}
