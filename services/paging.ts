import { badInput } from '../lib/errors';

/** Page sizes are capped so no query can ask for an unbounded page. */
export function pageSize(first: number | null | undefined, def: number, max: number, field = 'first') {
  const n = first ?? def;
  if (!Number.isInteger(n) || n < 0 || n > max) throw badInput(field, `${field} must be between 0 and ${max}.`);
  return n;
}

export const encodeCursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function decodeCursor<T>(s: string, field: string, check: (v: unknown) => boolean): T {
  try {
    if (s.length > 1000) throw new Error('too long');
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (check(v)) return v as T;
  } catch {
    /* answered below */
  }
  throw badInput(field, 'This cursor is not valid; use pageInfo.endCursor from a previous page.');
}
