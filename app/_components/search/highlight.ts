/** A piece of a log line: matched text or not. Rendered as React text (never as HTML), so nothing in a line is interpreted. */
export interface Part {
  text: string;
  hit: boolean;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every place `text` occurs in `line`, literally and case-insensitively, as the API matches it. */
export function splitMatches(line: string, text: string): Part[] {
  if (!text) return [{ text: line, hit: false }];
  const re = new RegExp(escapeRegExp(text), 'giu');
  const out: Part[] = [];
  let at = 0;
  for (const m of line.matchAll(re)) {
    if (m.index > at) out.push({ text: line.slice(at, m.index), hit: false });
    out.push({ text: m[0], hit: true });
    at = m.index + m[0].length;
  }
  if (at < line.length) out.push({ text: line.slice(at), hit: false });
  return out;
}

/** Characters of a line shown in a result; the rest is in the log viewer. */
const EXCERPT_CHARS = 600;
const BEFORE_MATCH = 160;

/**
 * A long line cut around its first match (a line may hold 64 KB of JSON): `cutStart` / `cutEnd`
 * say whether text was left out before or after the excerpt.
 */
export function excerpt(line: string, text: string): { parts: Part[]; cutStart: boolean; cutEnd: boolean } {
  if (line.length <= EXCERPT_CHARS) return { parts: splitMatches(line, text), cutStart: false, cutEnd: false };
  const first = text ? line.search(new RegExp(escapeRegExp(text), 'iu')) : -1;
  let start = Math.max(0, Math.min(first - BEFORE_MATCH, line.length - EXCERPT_CHARS));
  // Never start or end in the middle of a surrogate pair.
  if (start > 0 && /[\uDC00-\uDFFF]/.test(line[start] ?? '')) start -= 1;
  let end = Math.min(line.length, start + EXCERPT_CHARS);
  if (end < line.length && /[\uD800-\uDBFF]/.test(line[end - 1] ?? '')) end -= 1;
  return { parts: splitMatches(line.slice(start, end), text), cutStart: start > 0, cutEnd: end < line.length };
}
