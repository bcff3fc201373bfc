// The console's languages and how one is chosen for a request: the language picked in My account
// (remembered in a cookie), else the browser's (Accept-Language), else English.

export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** The cookie that remembers the language chosen in My account (a year; not a secret). */
export const LOCALE_COOKIE = 'JOBDECK_LOCALE';
export const LOCALE_COOKIE_MAX_AGE = 365 * 24 * 3600;

/** Each language's own name, as the language picker shows it. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', fr: 'Français' };

export const isLocale = (v: unknown): v is Locale => typeof v === 'string' && (LOCALES as readonly string[]).includes(v);

/** The best of our languages for an Accept-Language header ("fr-CH, fr;q=0.9, en;q=0.8"). */
export function fromAcceptLanguage(header: string | null | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .slice(0, 500)
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((l) => l.tag && l.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0];
    if (isLocale(base)) return base;
  }
  return undefined;
}

/** The language of a request: the remembered choice, else the browser's, else English. */
export function negotiateLocale(cookieValue: string | null | undefined, acceptLanguage: string | null | undefined): Locale {
  return isLocale(cookieValue) ? cookieValue : fromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE;
}

const LOCALE_COOKIE_RE = new RegExp(`(?:^|;\\s*)${LOCALE_COOKIE}=([^;]*)`);

/** The language of a raw Cookie header plus Accept-Language (server side, outside Next; every API request). */
export function localeOfHeaders(headers: { cookie?: string | undefined; 'accept-language'?: string | undefined }): Locale {
  const m = headers.cookie ? LOCALE_COOKIE_RE.exec(headers.cookie) : null;
  return negotiateLocale(m?.[1], headers['accept-language']);
}
