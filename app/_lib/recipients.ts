// Same rule as the server (services/auth.ts emailSchema): a bare local@domain, nothing else, so
// that a display name, a comma or a line break can never smuggle in another address.
const PLAIN_ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export const MAX_RECIPIENTS = 50;

/** Lines of the recipients box, blank lines dropped, each trimmed. */
export function recipientLines(text: string) {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/** A translator of the `jobWindow` namespace (next-intl's useTranslations('jobWindow'), or createTranslator's). */
export type Translate = (key: string, values?: Record<string, string | number>) => string;

/** The first problem with the recipients as typed, or null; in words from `t` (messages/<locale>/jobWindow.json). */
export function recipientsError(text: string, send: boolean, t: Translate): string | null {
  const lines = recipientLines(text);
  if (lines.length > MAX_RECIPIENTS) return t('recipientErrors.tooMany', { max: MAX_RECIPIENTS, count: lines.length });
  for (const [i, l] of lines.entries()) {
    if (l.length > 254 || !PLAIN_ADDRESS.test(l)) {
      return t('recipientErrors.notPlain', { line: i + 1, text: l.slice(0, 80) });
    }
  }
  if (send && lines.length === 0) return t('recipientErrors.noneToSend');
  return null;
}
