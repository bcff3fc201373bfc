'use client';

import { useTranslations } from 'next-intl';
import { useMemo } from 'react';
import type { Role } from './generated';
import type { StatusFilter } from './status';
import type { JobKind, LogLevel, ReportWhen, Trigger } from './types';

/** The console's names for the API's enums (statuses, kinds, triggers, roles…), in its language. */
export function useLabels() {
  const t = useTranslations('common');
  return useMemo(
    () => ({
      /** A status in full ("Completed with warnings"), as a badge or an icon's name says it. */
      status: (s: StatusFilter) => t(`status.${s}`),
      /** A status as a filter chip says it ("Warning"). */
      statusFilter: (s: StatusFilter) => t(`statusFilter.${s}`),
      kind: (k: JobKind) => t(`kind.${k}`),
      trigger: (v: Trigger) => t(`trigger.${v}`),
      reportWhen: (w: ReportWhen) => t(`reportWhen.${w}`),
      level: (l: LogLevel) => t(`level.${l}`),
      role: (r: Role) => t(`role.${r}`),
      /** Why a run did not start (ALREADY_RUNNING, NOT_FOUND, or an unknown code made readable). */
      reason: (r: string) => (['ALREADY_RUNNING', 'NOT_FOUND'].includes(r) ? t(`reason.${r}`) : r.toLowerCase().replaceAll('_', ' ')),
    }),
    [t],
  );
}
export type Labels = ReturnType<typeof useLabels>;
