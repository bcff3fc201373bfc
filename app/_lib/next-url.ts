/** Where to go after sign-in: only a path on this site, never another origin ("//evil", "https://…"). */
export function safeNext(next: string | null | undefined, fallback = '/jobs') {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return fallback;
  return next;
}
