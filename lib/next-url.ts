/**
 * Stands in for the console's origin outside a browser (server rendering, unit tests). Any origin
 * works: a value is kept only when it resolves to the same origin as the base, whichever it is.
 */
export const SERVER_ORIGIN = 'http://jobdeck.invalid';

// Browsers drop TAB, LF and CR inside URLs and read "\" as "/", so "/\t/evil" and "/\evil" become
// "//evil", another host. Prefix checks missed every such spelling: the raw value holds none of them.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f\\]/;

/**
 * Where to go after sign-in: a path, query and fragment on this site only, never another origin
 * ("//evil", "https://…", "/\t/evil", "javascript:"). Anything else goes to `fallback`.
 * `origin` is the page's own (window.location.origin) in the browser.
 */
export function safeNext(next: string | null | undefined, fallback = '/dashboard', origin = currentOrigin()): string {
  if (!next || UNSAFE_CHARS.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== new URL(origin).origin) return fallback;
  const target = url.pathname + url.search + url.hash;
  // Dot segments resolve "/.//evil" to the path "//evil", which a browser reads as another host;
  // and back to /login would only show the form again.
  if (target.startsWith('//') || url.pathname === '/login' || url.pathname.startsWith('/login/')) return fallback;
  return target;
}

function currentOrigin() {
  return typeof window === 'undefined' ? SERVER_ORIGIN : window.location.origin;
}
