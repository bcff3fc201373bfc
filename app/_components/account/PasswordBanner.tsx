'use client';

import { useQuery } from '@apollo/client/react';
import { Alert, Anchor, Text } from '@mantine/core';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { MUST_CHANGE_PASSWORD } from './operations';

/**
 * On every console page while the viewer's password was chosen by someone else (printed at first
 * start, or set by an administrator): whoever saw it could sign in as him until he changes it.
 */
export function PasswordBanner() {
  const pathname = usePathname();
  const t = useTranslations('account');
  const { data } = useQuery(MUST_CHANGE_PASSWORD, { fetchPolicy: 'cache-and-network' });
  if (!data?.viewer?.mustChangePassword) return null;
  const here = pathname === '/account';
  return (
    <Alert color="orange" variant="light" radius={0} py={8} role="status" data-testid="password-banner">
      <Text size="sm">
        <Text span fw={600}>{t('banner.title')}</Text>{' '}
        {t('banner.why')}{' '}
        {here ? t('banner.useForm') : <Anchor component={Link} href="/account" size="sm" fw={600} data-testid="password-banner-link">{t('banner.changeNow')}</Anchor>}
      </Text>
    </Alert>
  );
}
