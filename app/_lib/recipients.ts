// Same rule as the server (services/auth.ts emailSchema): a bare local@domain, nothing else, so
// that a display name, a comma or a line break can never smuggle in another address.
const PLAIN_ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export const MAX_RECIPIENTS = 50;

/** Lines of the recipients box, blank lines dropped, each trimmed. */
export function recipientLines(text: string) {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/** The first problem with the recipients as typed, or null. */
export function recipientsError(text: string, send: boolean): string | null {
  const lines = recipientLines(text);
  if (lines.length > MAX_RECIPIENTS) return `At most ${MAX_RECIPIENTS} recipients (${lines.length} given).`;
  for (const [i, l] of lines.entries()) {
    if (l.length > 254 || !PLAIN_ADDRESS.test(l)) {
      return `Line ${i + 1}: "${l.slice(0, 80)}" is not a plain address like name@example.com (one address per line, no names, commas or quotes).`;
    }
  }
  if (send && lines.length === 0) return 'Sending a report needs at least one recipient.';
  return null;
}
