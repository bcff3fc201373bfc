import type { IncomingMessage } from 'node:http';
import { parse as parseCookie } from 'cookie';
import { authenticate, SESSION_COOKIE } from '../services/auth';
import type { Deps, Loaders } from '../services/deps';
import type { LiveHub } from '../services/live';
import type { Viewer } from '../services/access';
import type { Locale } from '../lib/i18n/locale';
export { makeLoaders } from '../services/loaders';

export type CookieSetter = (name: string, value: string, maxAgeSeconds: number) => void;

export type Context = {
  deps: Deps;
  hub: LiveHub;
  viewer?: Viewer;
  loaders: Loaders;
  address?: string;
  /** The browser or client that sent the request (kept with a new session). */
  userAgent?: string;
  /** The reader's language (the console's cookie, else Accept-Language, else English): schedule summaries use it. */
  locale?: Locale;
  /** HTTP only: sets or clears the session cookie. */
  setCookie?: CookieSetter;
};

export function credentialsOf(headers: IncomingMessage['headers'], connectionAuthorization?: unknown) {
  const cookies = headers.cookie ? parseCookie(headers.cookie) : {};
  const auth = typeof connectionAuthorization === 'string' ? connectionAuthorization : headers.authorization;
  const bearer = typeof auth === 'string' && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : undefined;
  return { sessionToken: cookies[SESSION_COOKIE], bearer: bearer || undefined };
}

/** The same viewer resolution for HTTP requests and WebSocket connections. */
export async function viewerFrom(deps: Deps, cred: { sessionToken?: string; bearer?: string }, address?: string) {
  if (cred.bearer && cred.bearer.length > 200) return undefined;
  if (cred.sessionToken && cred.sessionToken.length > 200) return undefined;
  return authenticate(deps, { ...cred, address });
}
