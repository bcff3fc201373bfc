'use client';

import { Badge, Tooltip } from '@mantine/core';
import { useTranslations } from 'next-intl';
import type { AlertKind } from '../../_lib/generated';

export const KIND_COLOR: Record<AlertKind, string> = {
  FAILED: 'red',
  RECOVERED: 'green',
  MISSED: 'orange',
  TOO_LONG: 'yellow',
  TOO_SHORT: 'grape',
  NO_WORKER: 'red',
};

/** An alert's kind, as a small coloured badge with its name. */
export function AlertKindBadge({ kind, size = 'sm' }: { kind: AlertKind; size?: 'xs' | 'sm' }) {
  const t = useTranslations('alerts');
  return <Badge size={size} variant="light" color={KIND_COLOR[kind]} style={{ flex: 'none' }} data-testid="alert-kind" data-kind={kind}>{t(`kind.${kind}`)}</Badge>;
}

/** A row's open alerts in the jobs list: the first one's kind, and how many more; their messages on hover and to screen readers. */
export function RowAlertIcon({ alerts }: { alerts: readonly { id: string; kind: AlertKind; message: string }[] }) {
  const t = useTranslations('alerts');
  const first = alerts[0];
  if (!first) return null;
  const label = t('row.open', { count: alerts.length, kinds: alerts.map((a) => t(`kind.${a.kind}`)).join(', ') });
  return (
    <Tooltip label={alerts.map((a) => a.message).join('\n')} multiline maw={360} withinPortal>
      <Badge size="xs" variant="light" color={KIND_COLOR[first.kind]} style={{ flex: 'none' }} aria-label={label} role="img" data-testid="row-alert"
        leftSection={<span aria-hidden>⚠</span>}>
        {alerts.length > 1 ? `${t(`kind.${first.kind}`)} +${alerts.length - 1}` : t(`kind.${first.kind}`)}
      </Badge>
    </Tooltip>
  );
}
