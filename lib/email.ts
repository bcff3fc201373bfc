const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * A bare `local@domain`, ASCII only: no display name, quotes, comments, commas, CR/LF or groups,
 * so nodemailer's address parser never has anything to interpret. The one definition: users'
 * emails and report recipients are checked with it when saved, and the outbox checks recipients
 * again before sending (addresses are an attack surface, and old rows may predate a rule).
 */
export function isPlainAddress(s: string): boolean {
  if (s.length > 254) return false;
  const at = s.lastIndexOf('@');
  if (at <= 0 || at > 64) return false;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  return LOCAL_PART.test(local) && domain.length <= 253 && domain.split('.').every((l) => DOMAIN_LABEL.test(l));
}
