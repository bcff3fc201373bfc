'use client';

import { Select } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { useMemo, useSyncExternalStore } from 'react';
import { LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE, LOCALE_NAMES, LOCALES, isLocale } from '../../../lib/i18n/locale';

const AUTO = 'auto';

/** The language remembered in this browser, or "auto" (the browser's language decides). */
function chosenLocale(): string {
  const m = new RegExp(`(?:^|;\\s*)${LOCALE_COOKIE}=([^;]*)`).exec(document.cookie);
  return isLocale(m?.[1]) ? m[1] : AUTO;
}
const noSubscription = () => () => undefined;

/** Writes the choice where the server reads it (the console and the API's schedule summaries), then reloads into it. */
function choose(value: string) {
  document.cookie = isLocale(value)
    ? `${LOCALE_COOKIE}=${value}; Path=/; Max-Age=${LOCALE_COOKIE_MAX_AGE}; SameSite=Lax`
    : `${LOCALE_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`;
  window.location.reload();
}

/** The console's language in this browser: automatic (the browser's), or one of ours by its own name. */
export function LanguagePicker() {
  const t = useTranslations('account');
  const value = useSyncExternalStore(noSubscription, chosenLocale, () => AUTO);
  const data = useMemo(
    () => [{ value: AUTO, label: t('language.automatic') }, ...LOCALES.map((l) => ({ value: l, label: LOCALE_NAMES[l] }))],
    [t],
  );
  return (
    <Select
      label={t('language.label')}
      description={t('language.description')}
      data={data}
      value={value}
      allowDeselect={false}
      onChange={(v) => { if (v && v !== value) choose(v); }}
      maw={420}
      data-testid="account-language"
    />
  );
}
