'use client';

import { useApolloClient } from '@apollo/client/react';
import { Button, Group, Text, TextInput } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../_lib/errors';
import { LOG_ERROR_AFTER } from './operations';

interface Props {
  executionId: string;
  /** Lines in the log now. */
  total: number;
  /** The line shown as the current one (after a jump): "Next error" looks after it. */
  current: number | null;
  onGo: (seq: number) => void;
}

/** "Go to line N", "First error" and "Next error": each reads one window of the log, wherever it is. */
export function JumpBar({ executionId, total, current, onGo }: Props) {
  const client = useApolloClient();
  const t = useTranslations('logViewer');
  const [line, setLine] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState<'first' | 'next' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const go = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(line.trim().replace(/[\s,.\u202f\u00a0]/g, ''));
    if (!Number.isInteger(n) || n < 1 || n > total) return setInvalid(true);
    setInvalid(false);
    setNotice(null);
    onGo(n);
  };

  const findError = async (which: 'first' | 'next') => {
    setBusy(which);
    setNotice(null);
    try {
      const { data } = await client.query({
        query: LOG_ERROR_AFTER,
        variables: { id: executionId, afterSeq: which === 'first' ? 0 : (current ?? 0) },
        fetchPolicy: 'no-cache',
      });
      const seq = data?.execution?.logs.entries[0]?.seq;
      if (seq) onGo(seq);
      else setNotice(which === 'first' ? t('jump.noError') : t('jump.noNextError'));
    } catch (err) {
      setNotice(errorMessage(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Group gap="xs" wrap="wrap" align="flex-start">
      <form onSubmit={go} style={{ display: 'flex', gap: 4 }} aria-label={t('jump.form')}>
        <TextInput
          size="xs"
          w={130}
          inputMode="numeric"
          placeholder={t('jump.placeholder')}
          aria-label={t('jump.label', { total })}
          value={line}
          onChange={(e) => {
            setLine(e.currentTarget.value);
            setInvalid(false);
          }}
          error={invalid ? t('jump.invalid', { total }) : undefined}
          data-testid="log-jump-line"
        />
        <Button size="xs" variant="default" type="submit" disabled={total === 0} data-testid="log-jump-go">{t('jump.go')}</Button>
      </form>
      <Button size="xs" variant="default" color="red" loading={busy === 'first'} disabled={total === 0} onClick={() => void findError('first')} data-testid="log-first-error">
        {t('jump.firstError')}
      </Button>
      <Button size="xs" variant="default" loading={busy === 'next'} disabled={total === 0 || current === null} onClick={() => void findError('next')} data-testid="log-next-error">
        {t('jump.nextError')}
      </Button>
      {notice && <Text size="xs" c="dimmed" role="status" data-testid="log-jump-notice">{notice}</Text>}
    </Group>
  );
}
