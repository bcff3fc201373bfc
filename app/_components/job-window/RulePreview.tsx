'use client';

import { skipToken, useQuery } from '@apollo/client/react';
import { Alert, List, Loader, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useTranslations } from 'next-intl';
import { useEffect, useMemo } from 'react';
import { apiErrors } from '../../_lib/errors';
import { isLocalZone } from '../../_lib/format';
import { useFormat } from '../../_lib/use-format';
import { DateText } from '../DateText';
import { PREVIEW_RULE } from '../../_lib/operations';
import type { JobRef, RuleInput } from '../../_lib/types';

interface Props {
  rule: RuleInput | null;
  /** The row whose own times to show (its spread offset applied); none: the rule's occurrences. */
  job?: JobRef;
  /** Field errors of the rule found by the server, keyed like "cron" or "times[0]". */
  onErrors?: (errors: Map<string, string>) => void;
}

/** The rule in words and its next five occurrences, asked of the server as the rule is edited. */
export function RulePreview({ rule, job, onErrors }: Props) {
  const t = useTranslations('jobWindow');
  const fmt = useFormat();
  // Debounce the rule's text, not the object: a new object per render must not restart the timer.
  const [key] = useDebouncedValue(rule ? JSON.stringify(rule) : null, 400);
  const debounced = useMemo(() => (key ? (JSON.parse(key) as RuleInput) : null), [key]);
  const { data, previousData, loading, error } = useQuery(
    PREVIEW_RULE,
    debounced ? { variables: { rule: debounced, count: 5, job: job ? { jobId: job.jobId, domain: job.domain } : null }, fetchPolicy: 'cache-first' } : skipToken,
  );

  useEffect(() => {
    const m = new Map<string, string>();
    for (const e of apiErrors(error)) if (e.code === 'BAD_USER_INPUT' && e.field?.startsWith('rule')) m.set(e.field.replace(/^rule\.?/, ''), e.message);
    onErrors?.(m);
  }, [error, onErrors]);

  if (!rule) return null;
  const preview = error ? undefined : (data ?? previousData)?.previewRule;
  // Errors about a field of the rule are shown next to that field by the editor (when it listens).
  // Occurrences read in the rule's own zone when it is not the viewer's, with the viewer's time beside them.
  const zone = rule.timeZone && !isLocalZone(rule.timeZone) ? rule.timeZone : null;
  const shown = apiErrors(error).filter((e) => !(onErrors && e.code === 'BAD_USER_INPUT' && e.field?.startsWith('rule')));
  return (
    <Stack gap={6} data-testid="rule-preview" aria-live="polite">
      {error ? (
        shown.length > 0 && <Alert color="red" py="xs" data-testid="rule-preview-error">{shown.map((e) => e.message).join(' ')}</Alert>
      ) : preview ? (
        <>
          <Text size="sm" data-testid="rule-summary"><Text span c="dimmed">{t('preview.inWords')}{' '}</Text>{fmt.localizeClock(preview.summary)}</Text>
          <Text size="sm" c="dimmed">
            {zone ? t(loading ? 'preview.nextInZoneUpdating' : 'preview.nextInZone', { zone }) : t(loading ? 'preview.nextLocalUpdating' : 'preview.nextLocal')}
          </Text>
          <List size="sm" spacing={2} data-testid="rule-next">
            {preview.next.map((d) => (
              <List.Item key={d}>
                <DateText iso={d} zone={zone} inline />
                {zone && <Text span size="sm" c="dimmed">{` ${t('scheduling.yourTime', { date: fmt.shortDate(d) })}`}</Text>}
              </List.Item>
            ))}
          </List>
          {preview.next.length === 0 && <Text size="sm" c="dimmed">{t('preview.none')}</Text>}
          {job && rule.spreadMinutes ? <Text size="xs" c="dimmed" data-testid="rule-row-times">{t('preview.rowTimes')}</Text> : null}
        </>
      ) : (
        loading && <Loader size="xs" role="status" aria-label={t('preview.computing')} />
      )}
    </Stack>
  );
}
