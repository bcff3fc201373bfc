// next-intl's per-request configuration: the language of this request (lib/i18n/locale.ts) and its
// messages. No locale in the URL: the console's addresses stay the same in every language.
import { cookies, headers } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { LOCALE_COOKIE, negotiateLocale } from '../../lib/i18n/locale';
import { MESSAGES } from '../../lib/i18n/messages';

export default getRequestConfig(async () => {
  const [c, h] = await Promise.all([cookies(), headers()]);
  const locale = negotiateLocale(c.get(LOCALE_COOKIE)?.value, h.get('accept-language'));
  return { locale, messages: MESSAGES[locale] };
});
