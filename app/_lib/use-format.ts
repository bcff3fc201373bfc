'use client';

import { useLocale } from 'next-intl';
import { useMemo } from 'react';
import { formatFor, type Format } from './format';

/**
 * The browser's own variant of the console's language when it has one (en-GB keeps its 24-hour
 * clock, fr-CA its own dates), else the language itself.
 */
function formatLocale(language: string) {
  if (typeof navigator === 'undefined') return language;
  for (const raw of navigator.languages ?? []) {
    // Chromium without a locale reports POSIX-style tags ("en-US@posix") that Intl refuses.
    const tag = raw.split('@')[0] ?? '';
    if (tag.split('-')[0]?.toLowerCase() !== language) continue;
    try {
      return Intl.getCanonicalLocales(tag)[0] ?? language;
    } catch {
      /* not a BCP 47 tag: try the next one */
    }
  }
  return language;
}

/** Dates, times, durations and numbers in the console's language. */
export function useFormat(): Format {
  const language = useLocale();
  return useMemo(() => formatFor(formatLocale(language)), [language]);
}
