'use client';

import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { Alert, Button, Center, Divider, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { restartLiveConnection } from '../_lib/apollo';
import { apiErrors } from '../_lib/errors';
import { safeNext } from '../../lib/next-url';
import { LOGIN, VIEWER } from '../_lib/operations';
import { SIGN_IN_METHODS } from './login/operations';

/** What /auth/oidc/callback's `?sso=` reasons mean to the person who just came back from the provider. */
const SSO_MESSAGES: Record<string, string> = {
  'unknown-user': 'Your identity provider signed you in, but no Jobdeck user has that email address. Ask an administrator to create one.',
  disabled: 'Your account is disabled. Ask an administrator to enable it.',
  unverified: 'Your identity provider did not confirm your email address.',
  expired: 'That sign-in had expired or was already used. Start again.',
  refused: 'The answer from the identity provider was refused. Start again.',
  off: 'Single sign-on is not configured here.',
};

export function LoginForm() {
  const router = useRouter();
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
              <Text c="dimmed" size="sm">Sign in to manage scheduled jobs.</Text>
            </div>
            {ssoFailure && (
              <Alert color="red" role="alert" data-testid="sso-error" title="Single sign-on failed">
                {SSO_MESSAGES[ssoFailure] ?? SSO_MESSAGES.refused}
              </Alert>
            )}
            {methods?.signInMethods.sso && (
              <>
                {/* A plain link: the provider's page is another site, reached by a full navigation. */}
                <Button component="a" href={ssoHref} variant={passwordOn ? 'default' : 'filled'} fullWidth data-testid="login-sso">
                  Sign in with SSO
                </Button>
                {passwordOn && <Divider label="or with your password" labelPosition="center" />}
              </>
            )}
            {general.length > 0 && (
              <Alert color={general[0]?.code === 'RATE_LIMITED' ? 'orange' : 'red'} role="alert" data-testid="login-error"
                title={general[0]?.code === 'RATE_LIMITED' ? 'Too many attempts' : 'Sign-in failed'}>
                {general.map((g) => g.message).join(' ')}
              </Alert>
            )}
            {passwordOn && (<>
            <TextInput
              label="Email"
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
              label="Password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => { setPassword(e.currentTarget.value); if (error) reset(); }}
              error={fieldError('password')}
              data-testid="login-password"
            />
            <Button type="submit" loading={loading} fullWidth data-testid="login-submit">Sign in</Button>
            </>)}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
