'use client';

import { useMutation } from '@apollo/client/react';
import { Alert, Button, Group, Stack } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { PasswordField } from '../PasswordField';
import { useState, type FormEvent } from 'react';
import { apiErrors } from '../../_lib/errors';
import { CHANGE_PASSWORD, MUST_CHANGE_PASSWORD, SESSIONS } from './operations';

/** Current, new and repeated password; the server checks the current one (a wrong one counts as a failed sign-in). */
export function ChangePasswordForm() {
  const t = useTranslations('account');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  // The other sessions are gone and the banner's flag is cleared: both lists are read again.
  const [change, { loading, error, reset }] = useMutation(CHANGE_PASSWORD, { refetchQueries: [SESSIONS, MUST_CHANGE_PASSWORD], awaitRefetchQueries: true });
  const errors = apiErrors(error);
  const onField = (f: string) => errors.find((e) => e.code === 'BAD_USER_INPUT' && e.field === f)?.message;
  const other = errors.filter((e) => !(e.code === 'BAD_USER_INPUT' && e.field)).map((e) => e.message).join(' ');
  const edit = (set: (v: string) => void) => (e: React.ChangeEvent<HTMLInputElement>) => {
    set(e.currentTarget.value);
    reset();
    setMismatch(false);
    setDone(false);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    // Caught here, not by the server: a typo in the new password would lock the user out of it.
    if (next !== repeat) return setMismatch(true);
    try {
      await change({ variables: { currentPassword: current, newPassword: next } });
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    } catch {
      // shown next to the field it names
    }
  }

  return (
    <form onSubmit={submit} noValidate data-testid="change-password-form">
      <Stack gap="sm" maw={420}>
        <PasswordField id="current-password-input" label={t('password.current')} autoComplete="current-password" required value={current} maxLength={1024}
          onChange={edit(setCurrent)} error={onField('currentPassword')} data-testid="current-password" />
        <PasswordField id="new-password-input" label={t('password.new')} autoComplete="new-password" required value={next} maxLength={256} description={t('password.newHint')}
          onChange={edit(setNext)} error={onField('newPassword')} data-testid="new-password" />
        <PasswordField id="repeat-password-input" label={t('password.repeat')} autoComplete="new-password" required value={repeat} maxLength={256}
          onChange={edit(setRepeat)} error={mismatch ? t('password.mismatch') : undefined} data-testid="repeat-password" />
        {other && <Alert color="red" role="alert" data-testid="change-password-error">{other}</Alert>}
        {done && (
          <Alert color="green" role="status" data-testid="password-changed">
            {t('password.changed')}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={loading} disabled={!current || !next || !repeat} data-testid="change-password">{t('password.submit')}</Button>
        </Group>
      </Stack>
    </form>
  );
}
