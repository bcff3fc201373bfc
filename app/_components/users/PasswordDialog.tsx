'use client';

import { useMutation } from '@apollo/client/react';
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { PasswordField } from '../PasswordField';
import { useState, type FormEvent } from 'react';
import { errorMessage, fieldErrors } from '../../_lib/errors';
import { SET_USER_PASSWORD } from './operations';

interface Props {
  user: { id: string; email: string };
  onClose: () => void;
  onDone: (email: string) => void;
}

/** A new password chosen by an administrator: the user's sessions end, and he is asked to change it. */
export function PasswordDialog({ user, onClose, onDone }: Props) {
  const t = useTranslations('users');
  const [password, setPassword] = useState('');
  const [save, { loading, error, reset }] = useMutation(SET_USER_PASSWORD);
  const fieldError = fieldErrors(error, 'password').get('');

  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      await save({ variables: { userId: user.id, password } });
      onDone(user.email);
    } catch {
      // shown below
    }
  }

  return (
    <Modal opened onClose={onClose} size="md" title={<Text fw={600} className="jd-truncate">{t('password.title', { email: user.email })}</Text>}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">{t('password.text')}</Text>
          <PasswordField id="set-password-field" label={t('password.label')} autoComplete="new-password" required data-autofocus value={password} maxLength={256}
            description={t('password.description')} error={fieldError} data-testid="set-password-input"
            onChange={(e) => { setPassword(e.currentTarget.value); reset(); }} />
          {error && !fieldError && <Alert color="red" role="alert">{errorMessage(error)}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('password.cancel')}</Button>
            <Button type="submit" loading={loading} data-testid="set-password-save">{t('password.submit')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
