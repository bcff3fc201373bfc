'use client';

import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { Alert, Button, Center, Divider, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect, useState, type FormEvent } from 'react';
import { restartLiveConnection } from '../_lib/apollo';
import { apiErrors } from '../_lib/errors';
import { safeNext } from '../../lib/next-url';
import { LOGIN, VIEWER } from '../_lib/operations';
import { SIGN_IN_METHODS } from './login/operations';

/**
 * /auth/oidc/callback's `?sso=` reasons, and their message keys (login.sso.*): what each means to the
 * person who just came back from the provider.
 */
const SSO_REASONS: Record<string, string> = {
  'unknown-user': 'unknownUser',
  disabled: 'disabled',
  unverified: 'unverified',
  expired: 'expired',
  refused: 'refused',
  off: 'off',
};

export function LoginForm() {
  const router = useRouter();
  const t = useTranslations('login');
  const params = useSearchParams();
  const client = useApolloClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [login, { loading, error, reset }] = useMutation(LOGIN);
  // Already signed in (a bookmarked /login, the back button): straight on.
  const { data: current } = useQuery(VIEWER, { fetchPolicy: 'network-only' });
  const { data: methods } = useQuery(SIGN_IN_METHODS);
  const passwordOn = methods?.signInMethods.password ?? true;
  const ssoFailure = params.get('sso');
  const ssoHref = `/auth/oidc/login?next=${encodeURIComponent(safeNext(params.get('next')))}`;
  useEffect(() => {
    if (current?.viewer) router.replace(safeNext(params.get('next')));
  }, [current, router, params]);

  const errors = apiErrors(error);
  const fieldError = (f: string) => errors.find((e) => e.code === 'BAD_USER_INPUT' && e.field === f)?.message;
  const general = errors.filter((e) => !(e.code === 'BAD_USER_INPUT' && (e.field === 'email' || e.field === 'password')));

  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      await login({ variables: { email: email.trim(), password } });
    } catch {
      return; // shown from `error`
    }
    // A new principal: nothing cached or subscribed under the previous one may leak into this session.
    await client.clearStore();
    restartLiveConnection();
    router.replace(safeNext(params.get('next')));
  }

  return (
    <Center mih="100dvh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={400} component="main">
        <form onSubmit={submit} noValidate aria-labelledby="signin-title">
          <Stack>
            <div>
              <Title order={1} size="h2" id="signin-title">Jobdeck</Title>
              <Text c="dimmed" size="sm">{t('intro')}</Text>
            </div>
            {ssoFailure && (
              <Alert color="red" role="alert" data-testid="sso-error" title={t('sso.failed')}>
                {t(`sso.${Object.hasOwn(SSO_REASONS, ssoFailure) ? SSO_REASONS[ssoFailure] : 'refused'}`)}
              </Alert>
            )}
            {methods?.signInMethods.sso && (
              <>
                {/* A plain link: the provider's page is another site, reached by a full navigation. */}
                <Button component="a" href={ssoHref} variant={passwordOn ? 'default' : 'filled'} fullWidth data-testid="login-sso">
                  {t('ssoButton')}
                </Button>
                {passwordOn && <Divider label={t('orPassword')} labelPosition="center" />}
              </>
            )}
            {general.length > 0 && (
              <Alert color={general[0]?.code === 'RATE_LIMITED' ? 'orange' : 'red'} role="alert" data-testid="login-error"
                title={general[0]?.code === 'RATE_LIMITED' ? t('tooManyAttempts') : t('failed')}>
                {general.map((g) => g.message).join(' ')}
              </Alert>
            )}
            {passwordOn && (<>
            <TextInput
              label={t('email')}
              type="email"
              name="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => { setEmail(e.currentTarget.value); if (error) reset(); }}
              error={fieldError('email')}
              data-testid="login-email"
            />
            <PasswordInput
              label={t('password')}
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => { setPassword(e.currentTarget.value); if (error) reset(); }}
              error={fieldError('password')}
              data-testid="login-password"
            />
            <Button type="submit" loading={loading} fullWidth data-testid="login-submit">{t('submit')}</Button>
            </>)}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
