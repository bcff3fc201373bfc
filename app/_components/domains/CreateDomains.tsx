'use client';

import { useMutation } from '@apollo/client/react';
import { Alert, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useMemo, useState, type FormEvent } from 'react';
import { errorMessage, firstError } from '../../_lib/errors';
import { CREATE_DOMAINS } from './operations';

/**
 * The names in a paste: one per line or separated by spaces, commas or semicolons, in the server's
 * form (trimmed, lower case) and each once, so the count shown is the count the server gets.
 */
export function parseNames(text: string): string[] {
  const out = new Set<string>();
  for (const part of text.split(/[\s,;]+/)) if (part) out.add(part.toLowerCase());
  return [...out];
}

/** Example names, data in any language. */
const EXAMPLE_NAMES = 'acme.example\nglobex.example';

/** Creates one domain or a pasted list of thousands in one call; says how many were new. */
export function CreateDomains({ onCreated }: { onCreated: () => void }) {
  const t = useTranslations('domains');
  const [text, setText] = useState('');
  const names = useMemo(() => parseNames(text), [text]);
  const [create, { loading, error, reset }] = useMutation(CREATE_DOMAINS);
  const [result, setResult] = useState<{ created: number; existed: number } | null>(null);
  const bad = firstError(error);
  // The server names the bad one as names[i]; its message quotes the name itself.
  const fieldError = bad?.code === 'BAD_USER_INPUT' && bad.field?.startsWith('names') ? bad.message : undefined;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!names.length) return;
    setResult(null);
    try {
      const r = await create({ variables: { names } });
      const created = r.data?.createDomains.filter((d) => d.created).length ?? 0;
      setResult({ created, existed: names.length - created });
      setText('');
      onCreated();
    } catch {
      // shown from `error`
    }
  }

  return (
    <form onSubmit={submit} data-testid="domains-create">
      <Stack gap={6}>
        <Textarea
          label={t('create.label')}
          description={t('create.description')}
          placeholder={EXAMPLE_NAMES}
          autosize
          minRows={2}
          maxRows={8}
          value={text}
          onChange={(e) => { setText(e.currentTarget.value); setResult(null); reset(); }}
          error={fieldError}
          spellCheck={false}
          autoCapitalize="none"
          data-testid="domains-names"
        />
        <Group gap="sm" wrap="wrap">
          <Button type="submit" loading={loading} disabled={!names.length} data-testid="domains-submit">
            {t('create.submit', { count: names.length })}
          </Button>
          <Text size="sm" c="dimmed" aria-live="polite" data-testid="domains-count">
            {names.length ? t('create.count', { count: names.length }) : ''}
          </Text>
        </Group>
        {result && (
          <Alert color="green" variant="light" data-testid="domains-result" role="status">
            {t('create.result', { created: result.created, existed: result.existed })}
          </Alert>
        )}
        {error && !fieldError && <Alert color="red">{errorMessage(error)}</Alert>}
      </Stack>
    </form>
  );
}
