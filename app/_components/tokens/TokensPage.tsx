'use client';

import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Anchor, Badge, Button, Center, Code, CopyButton, Group, Loader, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { errorMessage, firstError } from '../../_lib/errors';
import { API_TOKENS, CREATE_API_TOKEN, REVOKE_API_TOKEN } from '../../_lib/operations';
import type { ApiToken } from '../../_lib/types';
import { ConfirmDialog } from '../ConfirmDialog';
import { DateText } from '../DateText';

/** A first call with the new token, against this very server. */
function curlExample(token: string) {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return `curl -s ${origin}/graphql \\\n  -H 'Authorization: Bearer ${token}' \\\n  -H 'Content-Type: application/json' \\\n  -d '{"query":"{ viewer { email role } }"}'`;
}

export function TokensPage() {
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
        <Title order={2} size="h3">API tokens</Title>
        <Text size="sm" c="dimmed">
          For integrations: send <Code>Authorization: Bearer &lt;token&gt;</Code> to <Code>/graphql</Code>, or <Code>{'{ authorization: "Bearer <token>" }'}</Code> as
          connectionParams on the WebSocket. A token acts as you, with your domains. Try queries first in the{' '}
          <Anchor component={Link} href="/api" inherit underline="always" data-testid="tokens-explorer-link">API explorer</Anchor>.
        </Text>
      </div>
      <form onSubmit={submit}>
        <Group align="flex-start" gap="xs">
          <TextInput label="New token name" placeholder="e.g. monitoring" value={name} w={320} maxLength={100}
            onChange={(e) => { setName(e.currentTarget.value); reset(); }}
            error={nameError?.code === 'BAD_USER_INPUT' ? nameError.message : undefined} data-testid="token-name" />
          <Button type="submit" mt={25} loading={creating} disabled={!name.trim()} data-testid="token-create">Create token</Button>
        </Group>
        {createError && nameError?.code !== 'BAD_USER_INPUT' && <Alert color="red" mt="xs">{errorMessage(createError)}</Alert>}
      </form>
      {revokeError && <Alert color="red">{errorMessage(revokeError)}</Alert>}

      {error && !data ? (
        <Alert color="red" title="The tokens could not be loaded">{errorMessage(error)}</Alert>
      ) : loading && !data ? (
        <Center p="lg"><Loader aria-label="Loading tokens" /></Center>
      ) : tokens.length === 0 ? (
        <Text c="dimmed" size="sm" data-testid="tokens-empty">You have no API token yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table data-testid="tokens-table">
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Created</Table.Th><Table.Th>Last used</Table.Th><Table.Th>State</Table.Th><Table.Th /></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.map((t) => (
                <Table.Tr key={t.id} data-testid={`token-row-${t.id}`}>
                  <Table.Td><Text size="sm" fw={500}>{t.name}</Text></Table.Td>
                  <Table.Td><DateText iso={t.createdAt} /></Table.Td>
                  <Table.Td><DateText iso={t.lastUsedAt} empty="Never" /></Table.Td>
                  <Table.Td>{t.revokedAt ? <Badge color="gray" variant="light">Revoked</Badge> : <Badge color="green" variant="light">Active</Badge>}</Table.Td>
                  <Table.Td ta="right">
                    {!t.revokedAt && (
                      <Button size="compact-xs" color="red" variant="subtle" onClick={() => setToRevoke(t)} aria-label={`Revoke token ${t.name}`} data-testid="token-revoke">Revoke</Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <Modal opened={shown !== null} onClose={() => setShown(null)} title={<Text fw={600}>Token “{shown?.name}” created</Text>} size="lg" closeOnClickOutside={false}>
        <Stack>
          <Alert color="orange">Copy it now: it is shown only once and cannot be read again.</Alert>
          <Code block data-testid="token-value" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{shown?.token}</Code>
          <Text size="sm">Try it from a shell:</Text>
          <Code block data-testid="token-curl" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{shown ? curlExample(shown.token) : ''}</Code>
          <Group justify="flex-end">
            <CopyButton value={shown?.token ?? ''}>
              {({ copied, copy }) => <Button color={copied ? 'teal' : undefined} onClick={copy} data-testid="token-copy">{copied ? 'Copied' : 'Copy token'}</Button>}
            </CopyButton>
            <Button variant="default" onClick={() => setShown(null)}>Done</Button>
          </Group>
        </Stack>
      </Modal>
      <ConfirmDialog
        opened={toRevoke !== null}
        title="Revoke this token?"
        message={`Integrations using “${toRevoke?.name ?? ''}” will be refused from now on. This cannot be undone.`}
        confirmLabel="Revoke"
        loading={revoking}
        onConfirm={() => void confirmRevoke()}
        onCancel={() => setToRevoke(null)}
      />
    </Stack>
  );
}
