'use client';

import { useQuery } from '@apollo/client/react';
import { Badge, Code, Group, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import type { JobRef } from '../../_lib/types';
import { useViewer } from '../ViewerContext';
import { JOB_COMMAND } from './operations';

/** A shell-like rendering of argv, for reading only: quoted where a word would otherwise split. */
function shellWords(argv: string[]) {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}

/**
 * A command job's command line, working directory and environment variable NAMES (the server never
 * serves their values). System administrators only; nothing at all for others and for TypeScript jobs.
 */
export function CommandInfo({ jobRef }: { jobRef: JobRef }) {
  const t = useTranslations('jobWindow');
  const viewer = useViewer();
  const { data } = useQuery(JOB_COMMAND, { variables: jobRef, skip: viewer.role !== 'SYSTEM_ADMIN' });
  const c = data?.job?.command;
  if (!c) return null;
  return (
    <Stack gap={6} data-testid="info-command">
      <div>
        <Text size="xs" c="dimmed">{t('command.command')}</Text>
        <Code block data-testid="info-argv" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{shellWords(c.argv)}</Code>
      </div>
      <Group gap="xl" wrap="wrap" align="flex-start">
        <div>
          <Text size="xs" c="dimmed">{t('command.workingDirectory')}</Text>
          {c.workingDirectory
            ? <Code data-testid="info-cwd">{c.workingDirectory}</Code>
            : <Text size="sm" c="dimmed" data-testid="info-cwd">{t('command.ownDirectory')}</Text>}
        </div>
        <div>
          <Text size="xs" c="dimmed">{t('command.environment')}</Text>
          {c.environmentNames.length
            ? <Group gap={4} data-testid="info-env">{c.environmentNames.map((n) => <Badge key={n} variant="outline" size="sm" color="gray" tt="none">{n}</Badge>)}</Group>
            : <Text size="sm" c="dimmed" data-testid="info-env">{t('command.noEnvironment')}</Text>}
        </div>
      </Group>
    </Stack>
  );
}
