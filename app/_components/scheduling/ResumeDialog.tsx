'use client';

import { Alert, Button, Group, Modal, Radio, Stack, Text } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useEffect, useState } from 'react';
import { errorMessage } from '../../_lib/errors';
import type { MissedPolicy } from '../../_lib/generated';
import { useResumeScheduling } from './use-scheduler';

interface Props {
  /** What to resume: a domain, or null for all scheduling; undefined while closed. */
  target: string | null | undefined;
  /** All scheduling is paused too (resuming a domain then leaves its rows waiting for that pause). */
  allPaused: boolean;
  /** Domains paused on their own (they stay paused when all scheduling is resumed). */
  pausedDomains: number;
  onClose: () => void;
}

/** Resume, with the one choice that matters: what happens to the occurrences missed meanwhile. */
export function ResumeDialog({ target, allPaused, pausedDomains, onClose }: Props) {
  const t = useTranslations('scheduling');
  const [missed, setMissed] = useState<MissedPolicy>('RUN_ONCE');
  const [resume, { loading, error, reset }] = useResumeScheduling();
  const opened = target !== undefined;
  useEffect(() => {
    if (opened) {
      setMissed('RUN_ONCE');
      reset();
    }
  }, [opened, reset]);

  const submit = async () => {
    const ok = await resume({ variables: { domain: target ?? null, missed } }).then(() => true, () => false);
    if (ok) onClose();
  };

  return (
    <Modal opened={opened} onClose={onClose} centered size="md" zIndex={400}
      title={<Text fw={600}>{target ? t('resume.titleDomain', { domain: target }) : t('resume.titleAll')}</Text>}>
      <Stack gap="md" data-testid="resume-dialog">
        <Radio.Group value={missed} onChange={(v) => setMissed(v as MissedPolicy)} label={t('resume.missedLabel')}>
          <Stack gap="sm" mt="xs">
            <Radio value="RUN_ONCE" label={t('resume.runOnce')} description={t('resume.runOnceHelp')} data-testid="resume-run-once" />
            <Radio value="SKIP" label={t('resume.skip')} description={t('resume.skipHelp')} data-testid="resume-skip" />
          </Stack>
        </Radio.Group>
        {target === null && pausedDomains > 0 && <Text size="sm" c="dimmed">{t('resume.domainsStay', { count: pausedDomains })}</Text>}
        {target && allPaused && <Text size="sm" c="dimmed">{t('resume.allStays')}</Text>}
        {error && <Alert color="red" variant="light" role="alert">{errorMessage(error)}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>{t('resume.cancel')}</Button>
          <Button loading={loading} onClick={() => void submit()} data-testid="resume-confirm">
            {target ? t('resume.confirmDomain') : t('resume.confirmAll')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
