// Translations outside React: schedule summaries written by the API and report emails. The console
// uses the same messages through next-intl (app/_i18n/request.ts), so both read one catalogue.
import { createTranslator } from 'use-intl/core';
import { DEFAULT_LOCALE, isLocale, type Locale } from './locale';
import { MESSAGES, type Namespace } from './messages';

export type Translate = (key: string, values?: Record<string, string | number | Date>) => string;

const cache = new Map<string, Translate>();

/** A translator of one namespace in one language (English when the language is not ours). */
export function translator(locale: string | null | undefined, namespace: Namespace): Translate {
  const loc: Locale = isLocale(locale) ? locale : DEFAULT_LOCALE;
  const key = `${loc}:${namespace}`;
  let t = cache.get(key);
  if (!t) {
    const raw = createTranslator({ locale: loc, messages: MESSAGES[loc], namespace });
    t = (k, values) => (raw as unknown as Translate)(k, values);
    cache.set(key, t);
  }
  return t;
}
