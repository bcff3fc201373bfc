'use client';

import { useMutation } from '@apollo/client/react';
import { Alert, Button, Checkbox, Group, Modal, PasswordInput, SegmentedControl, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { errorMessage, fieldErrors } from '../../_lib/errors';
import type { AlertKind, ChannelFieldsFragment, ChannelKind } from '../../_lib/generated';
import { DomainPicker } from '../DomainPicker';
import { useViewer } from '../ViewerContext';
import { CHANNELS, CREATE_CHANNEL, UPDATE_CHANNEL } from './operations';

const KINDS: AlertKind[] = ['FAILED', 'RECOVERED', 'MISSED', 'TOO_LONG', 'TOO_SHORT', 'NO_WORKER'];

/** A fresh Standard Webhooks secret, made in the browser: whsec_ + base64 of 32 random bytes. */
function newSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/** Creates a channel (channel undefined) or edits one. A URL comes back masked: left as it is, the stored one stays. */
export function ChannelDialog({ channel, opened, onClose }: { channel?: ChannelFieldsFragment; opened: boolean; onClose: () => void }) {
  const t = useTranslations('channels');
  const ta = useTranslations('alerts');
  const viewer = useViewer();
  const everyDomain = viewer.role === 'SYSTEM_ADMIN' && viewer.allDomains;
  const [name, setName] = useState(channel?.name ?? '');
  const [kind, setKind] = useState<ChannelKind>(channel?.kind ?? 'WEBHOOK');
  const [target, setTarget] = useState(channel?.target ?? '');
  const [secret, setSecret] = useState('');
  const [events, setEvents] = useState<string[]>(channel?.events ?? ['FAILED', 'RECOVERED']);
  const [domain, setDomain] = useState<string | null>(channel ? channel.domain : viewer.role === 'DOMAIN_ADMIN' ? (viewer.domains[0] ?? null) : null);
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const [create, created] = useMutation(CREATE_CHANNEL, { refetchQueries: [CHANNELS] });
  const [update, updated] = useMutation(UPDATE_CHANNEL);
  const error = created.error ?? updated.error;
  const fields = fieldErrors(error, 'input.');
  const other = error && fields.size === 0 ? errorMessage(error) : null;

  const save = async () => {
    const input = { name, kind, target, events: events as AlertKind[], domain, enabled, ...(kind === 'WEBHOOK' && secret ? { secret } : {}) };
    try {
      if (channel) await update({ variables: { id: channel.id, input } });
      else await create({ variables: { input } });
      onClose();
    } catch {
      /* shown beside its field */
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>{channel ? t('dialog.editTitle', { name: channel.name }) : t('dialog.createTitle')}</Text>}
      size="lg" fullScreen={false} data-testid="channel-dialog">
      <Stack gap="sm">
        <TextInput label={t('dialog.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={fields.get('name')} maxLength={100}
          data-testid="channel-name" data-autofocus />
        <div>
          <Text size="sm" fw={500} mb={4} id="channel-kind-label">{t('dialog.kind')}</Text>
          <SegmentedControl value={kind} onChange={(v) => setKind(v as ChannelKind)} aria-labelledby="channel-kind-label" data-testid="channel-kind" fullWidth
            data={(['WEBHOOK', 'SLACK', 'EMAIL'] as const).map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
        </div>
        <TextInput label={t(`dialog.target.${kind}`)} description={t(`dialog.targetHelp.${kind}`)} value={target} onChange={(e) => setTarget(e.currentTarget.value)}
          error={fields.get('target')} data-testid="channel-target" />
        {kind === 'WEBHOOK' && (
          <Stack gap={4}>
            <PasswordInput label={t('dialog.secret')} description={channel?.hasSecret ? t('dialog.secretKeep') : t('dialog.secretHelp')} value={secret}
              onChange={(e) => setSecret(e.currentTarget.value)} error={fields.get('secret')} data-testid="channel-secret" autoComplete="off" />
            <Group gap="xs">
              <Button size="compact-xs" variant="light" onClick={() => setSecret(newSecret())} data-testid="channel-secret-generate">{t('dialog.generate')}</Button>
              {secret && <Text size="xs" c="dimmed">{t('dialog.copySecret')}</Text>}
            </Group>
          </Stack>
        )}
        <Checkbox.Group label={t('dialog.events')} value={events} onChange={setEvents} error={fields.get('events')} data-testid="channel-events">
          <Group gap="sm" mt={4}>
            {KINDS.map((k) => <Checkbox key={k} value={k} label={ta(`kind.${k}`)} disabled={k === 'NO_WORKER' && domain !== null} />)}
          </Group>
        </Checkbox.Group>
        {viewer.role === 'SYSTEM_ADMIN' ? (
          <Stack gap={2}>
            <Text size="sm" fw={500}>{t('dialog.domain')}</Text>
            <DomainPicker value={domain} onChange={setDomain} w="100%" placeholder={everyDomain ? t('dialog.everyDomain') : t('dialog.pickDomain')} data-testid="channel-domain" />
            {fields.get('domain') ? <Text size="xs" c="red">{fields.get('domain')}</Text> : <Text size="xs" c="dimmed">{t('dialog.domainHelp')}</Text>}
          </Stack>
        ) : (
          <Text size="sm">{t('dialog.domainFixed', { domain: domain ?? '' })}</Text>
        )}
        <Switch label={t('dialog.enabled')} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} data-testid="channel-enabled" />
        {other && <Alert color="red">{other}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('dialog.cancel')}</Button>
          <Button onClick={() => void save()} loading={created.loading || updated.loading} data-testid="channel-save">{t('dialog.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
