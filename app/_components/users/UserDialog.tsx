'use client';

import { useMutation } from '@apollo/client/react';
import { Alert, Button, Group, Modal, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { PasswordField } from '../PasswordField';
import { useState, type FormEvent } from 'react';
import { apiErrors } from '../../_lib/errors';
import type { Role } from '../../_lib/generated';
import { useViewer } from '../ViewerContext';
import { DomainsField, domainsToSend, type DomainsValue } from './DomainsField';
import { CREATE_USER, UPDATE_USER, type UserRow } from './operations';
import { useLabels } from '../../_lib/use-labels';

interface Props {
  /** The user to edit (role and domains); none: create one. */
  user: UserRow | null;
  onClose: () => void;
  onSaved: (email: string) => void;
}

/**
 * Errors by the field they name (extensions.field): createUser names email/password/domains,
 * updateUser names input.role/input.domains; both land on the same inputs here.
 */
function byField(error: unknown) {
  const fields = new Map<string, string>();
  const other: string[] = [];
  for (const e of apiErrors(error)) {
    if (e.code === 'BAD_USER_INPUT' && e.field) fields.set(e.field.replace(/^input\./, ''), e.message);
    else other.push(e.message);
  }
  return { fields, other: other.join(' ') };
}

/** Create a user (email, first password, role, domains), or change an existing user's role and domains. */
export function UserDialog({ user, onClose, onSaved }: Props) {
  const t = useTranslations('users');
  const L = useLabels();
  const viewer = useViewer();
  // A system administrator of some domains makes nobody a system administrator (the server says so too).
  const canMakeSystemAdmin = viewer.allDomains;
  const [email, setEmail] = useState(user?.email ?? '');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>(user?.role ?? (canMakeSystemAdmin ? 'SYSTEM_ADMIN' : 'DOMAIN_ADMIN'));
  const [domains, setDomains] = useState<DomainsValue>({ all: user ? user.allDomains : true, domains: user && !user.allDomains ? user.domains : [] });
  const [create, created] = useMutation(CREATE_USER);
  const [update, updated] = useMutation(UPDATE_USER);
  const state = user ? updated : created;
  const { fields, other } = byField(state.error);
  const [noDomain, setNoDomain] = useState(false);
  const clear = () => { created.reset(); updated.reset(); setNoDomain(false); };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const sent = domainsToSend(role, domains);
    // An empty list means "every domain" to the server: never send it for a switched-off "All domains".
    if (role === 'SYSTEM_ADMIN' && !domains.all && sent.length === 0) return setNoDomain(true);
    try {
      if (user) await update({ variables: { id: user.id, input: { role, domains: sent } } });
      else await create({ variables: { email: email.trim(), password, role, domains: sent } });
      onSaved(user?.email ?? email.trim().toLowerCase());
    } catch {
      // shown from the mutation's error, next to its field
    }
  }

  const roles = (['SYSTEM_ADMIN', 'DOMAIN_ADMIN'] as const).map((r) => ({ value: r, label: L.role(r), disabled: r === 'SYSTEM_ADMIN' && !canMakeSystemAdmin }));
  return (
    <Modal opened onClose={onClose} size="md" title={<Text fw={600} className="jd-truncate">{user ? t('dialog.editTitle', { email: user.email }) : t('dialog.newTitle')}</Text>}
      closeOnClickOutside={false}>
      <form onSubmit={submit} noValidate data-testid="user-dialog">
        <Stack gap="sm">
          {!user && (
            <>
              <TextInput label={t('dialog.email')} type="email" autoComplete="off" required value={email} maxLength={254} data-autofocus
                onChange={(e) => { setEmail(e.currentTarget.value); clear(); }} error={fields.get('email')} data-testid="user-email" />
              <PasswordField id="user-password-input" label={t('dialog.firstPassword')} autoComplete="new-password" required value={password} maxLength={256}
                description={t('dialog.passwordDescription')}
                onChange={(e) => { setPassword(e.currentTarget.value); clear(); }} error={fields.get('password')} data-testid="user-password" />
            </>
          )}
          <Stack gap={4}>
            <Text size="sm" fw={500} id="user-role-label">{t('dialog.role')}</Text>
            <SegmentedControl data={roles} value={role} onChange={(v) => { setRole(v as Role); clear(); }} aria-labelledby="user-role-label"
              fullWidth data-testid="user-role" />
            {fields.get('role') && <Text size="xs" c="red">{fields.get('role')}</Text>}
            {!canMakeSystemAdmin && <Text size="xs" c="dimmed">{t('dialog.onlyFullAdmin')}</Text>}
          </Stack>
          <DomainsField role={role} value={domains} onChange={(v) => { setDomains(v); clear(); }} canGrantAll={viewer.allDomains}
            error={noDomain ? t('dialog.noDomain') : fields.get('domains')} />
          {other && <Alert color="red" role="alert" data-testid="user-dialog-error">{other}</Alert>}
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={onClose}>{t('dialog.cancel')}</Button>
            <Button type="submit" loading={state.loading} data-testid="user-save">{user ? t('dialog.save') : t('dialog.create')}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
