/**
 * The two HTTP endpoints of single sign-on (the logic is services/sso.ts): GET /auth/oidc/login
 * sends the browser to the provider; GET /auth/oidc/callback signs in and goes where the user was
 * going. Any failure lands on the sign-in page with a reason it can explain, and no session.
 */
import { parse as parseCookie } from 'cookie';
import type express from 'express';
import { SESSION_COOKIE } from '../services/auth';
import { beginSso, finishSso, SSO_STATE_COOKIE, SsoError, type SsoFailure } from '../services/sso';
import type { Deps } from '../services/deps';
import type { AddressOf } from './client-address';
import { safeNext } from './next-url';

export function mountSsoRoutes(app: express.Express, o: { deps: Deps; addressOf: AddressOf; secureCookie: boolean; log: (line: string) => void }) {
  const stateCookie = { httpOnly: true, sameSite: 'lax' as const, secure: o.secureCookie, path: '/auth/oidc' };
  const fail = (res: express.Response, reason: SsoFailure) => {
    res.clearCookie(SSO_STATE_COOKIE, stateCookie);
    res.redirect(302, `/login?sso=${reason}`);
  };
  const reasonOf = (e: unknown): SsoFailure => {
    if (e instanceof SsoError) return e.reason;
    o.log(`single sign-on: ${(e as Error).message}`);
    return 'refused';
  };

  app.get('/auth/oidc/login', async (req, res) => {
    try {
      const next = safeNext(typeof req.query.next === 'string' ? req.query.next : undefined);
      const { url, state } = await beginSso(o.deps, next);
      res.cookie(SSO_STATE_COOKIE, state, { ...stateCookie, maxAge: 10 * 60 * 1000 });
      res.redirect(302, url);
    } catch (e) {
      fail(res, reasonOf(e));
    }
  });

  app.get('/auth/oidc/callback', async (req, res) => {
    try {
      const cookies = req.headers.cookie ? parseCookie(req.headers.cookie) : {};
      const url = new URL(req.originalUrl, 'http://callback.invalid');
      const r = await finishSso(o.deps, url, cookies[SSO_STATE_COOKIE], { address: o.addressOf(req), userAgent: req.headers['user-agent'] });
      res.clearCookie(SSO_STATE_COOKIE, stateCookie);
      res.cookie(SESSION_COOKIE, r.token, { httpOnly: true, sameSite: 'lax', secure: o.secureCookie, path: '/', maxAge: r.maxAgeSeconds * 1000 });
      res.redirect(302, safeNext(r.next));
    } catch (e) {
      fail(res, reasonOf(e));
    }
  });
}
