'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Anchor, Badge, Button, Center, Code, CopyButton, Group, Loader, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useTranslations } from 'next-intl';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { errorMessage, firstError } from '../../_lib/errors';
import { API_TOKENS, CREATE_API_TOKEN, REVOKE_API_TOKEN } from '../../_lib/operations';
import type { ApiToken } from '../../_lib/types';
import { ConfirmDialog } from '../ConfirmDialog';
import { DateText } from '../DateText';

// How an integration authenticates: code, the same in every language.
const AUTH_HEADER = 'Authorization: Bearer <token>';
const GRAPHQL_PATH = '/graphql';
const WS_PARAMS = '{ authorization: "Bearer <token>" }';

/** A first call with the new token, against this very server. */
function curlExample(token: string) {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return `curl -s ${origin}/graphql \\\n  -H 'Authorization: Bearer ${token}' \\\n  -H 'Content-Type: application/json' \\\n  -d '{"query":"{ viewer { email role } }"}'`;
}

export function TokensPage() {
  const t = useTranslations('tokens');
  const { data, loading, error, refetch } = useQuery(API_TOKENS, { fetchPolicy: 'cache-and-network' });
  const [name, setName] = useState('');
  const [create, { loading: creating, error: createError, reset }] = useMutation(CREATE_API_TOKEN);
  const [revoke, { loading: revoking, error: revokeError }] = useMutation(REVOKE_API_TOKEN);
  const [shown, setShown] = useState<{ name: string; token: string } | null>(null);
  const [toRevoke, setToRevoke] = useState<ApiToken | null>(null);

  const nameError = firstError(createError);

  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      const r = await create({ variables: { name: name.trim() } });
      if (r.data) setShown(r.data.createApiToken);
      setName('');
      await refetch();
    } catch {
      // shown from createError
    }
  }

  async function confirmRevoke() {
    if (!toRevoke) return;
    try {
      await revoke({ variables: { id: toRevoke.id } });
      await refetch();
    } finally {
      setToRevoke(null);
    }
  }

  const tokens = data?.apiTokens ?? [];
  return (
    <Stack p="md" gap="md" maw={980} data-testid="tokens-page">
      <div>
        <Title order={2} size="h3">{t('heading')}</Title>
        <Text size="sm" c="dimmed">
          {t.rich('intro', {
            header: AUTH_HEADER,
            endpoint: GRAPHQL_PATH,
            params: WS_PARAMS,
            code: (c) => <Code>{c}</Code>,
            link: (c) => <Anchor component={Link} href="/api" inherit underline="always" data-testid="tokens-explorer-link">{c}</Anchor>,
          })}
        </Text>
      </div>
      <form onSubmit={submit}>
        <Group align="flex-start" gap="xs">
          <TextInput label={t('form.name')} placeholder={t('form.namePlaceholder')} value={name} w={320} maxLength={100}
            onChange={(e) => { setName(e.currentTarget.value); reset(); }}
            error={nameError?.code === 'BAD_USER_INPUT' ? nameError.message : undefined} data-testid="token-name" />
          <Button type="submit" mt={25} loading={creating} disabled={!name.trim()} data-testid="token-create">{t('form.create')}</Button>
        </Group>
        {createError && nameError?.code !== 'BAD_USER_INPUT' && <Alert color="red" mt="xs">{errorMessage(createError)}</Alert>}
      </form>
      {revokeError && <Alert color="red">{errorMessage(revokeError)}</Alert>}

      {error && !data ? (
        <Alert color="red" title={t('loadError')}>{errorMessage(error)}</Alert>
      ) : loading && !data ? (
        <Center p="lg"><Loader role="status" aria-label={t('loading')} /></Center>
      ) : tokens.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="tokens-empty">{t('empty')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table data-testid="tokens-table">
            <Table.Thead>
              <Table.Tr><Table.Th>{t('table.name')}</Table.Th><Table.Th>{t('table.created')}</Table.Th><Table.Th>{t('table.lastUsed')}</Table.Th><Table.Th>{t('table.state')}</Table.Th><Table.Th /></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.map((tk) => (
                <Table.Tr key={tk.id} data-testid={`token-row-${tk.id}`}>
                  <Table.Td><Text size="sm" fw={500}>{tk.name}</Text></Table.Td>
                  <Table.Td><DateText iso={tk.createdAt} /></Table.Td>
                  <Table.Td><DateText iso={tk.lastUsedAt} empty={t('table.never')} /></Table.Td>
                  <Table.Td>{tk.revokedAt ? <Badge color="gray" variant="light">{t('table.revoked')}</Badge> : <Badge color="green" variant="light">{t('table.active')}</Badge>}</Table.Td>
                  <Table.Td ta="right">
                    {!tk.revokedAt && (
                      <Button size="compact-xs" color="red" variant="subtle" onClick={() => setToRevoke(tk)} aria-label={t('table.revokeLabel', { name: tk.name })} data-testid="token-revoke">{t('table.revoke')}</Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <Modal opened={shown !== null} onClose={() => setShown(null)} title={<Text fw={600}>{t('created.title', { name: shown?.name ?? '' })}</Text>} size="lg" closeOnClickOutside={false}>
        <Stack>
          <Alert color="orange">{t('created.copyNow')}</Alert>
          <Code block data-testid="token-value" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{shown?.token}</Code>
          <Text size="sm">{t('created.tryIt')}</Text>
          <Code block data-testid="token-curl" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{shown ? curlExample(shown.token) : ''}</Code>
          <Group justify="flex-end">
            <CopyButton value={shown?.token ?? ''}>
              {({ copied, copy }) => <Button color={copied ? 'teal' : undefined} onClick={copy} data-testid="token-copy">{copied ? t('created.copied') : t('created.copy')}</Button>}
            </CopyButton>
            <Button variant="default" onClick={() => setShown(null)}>{t('created.done')}</Button>
          </Group>
        </Stack>
      </Modal>
      <ConfirmDialog
        opened={toRevoke !== null}
        title={t('confirmRevoke.title')}
        message={t('confirmRevoke.message', { name: toRevoke?.name ?? '' })}
        confirmLabel={t('confirmRevoke.confirm')}
        loading={revoking}
        onConfirm={() => void confirmRevoke()}
        onCancel={() => setToRevoke(null)}
      />
    </Stack>
  );
}
