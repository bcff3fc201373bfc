/**
 * Single sign-on with OpenID Connect (openid-client): the authorization-code flow with PKCE, state
 * and nonce. The flow's secrets wait in the database between the redirect and the callback, which
 * consumes them (a replayed callback finds nothing); the browser that began it carries its state in
 * a cookie (a callback started elsewhere is refused). The provider's verified email signs in the
 * enabled Jobdeck user with that email, with the same session as a password sign-in.
 */
import * as oidc from 'openid-client';
import { insertOidcRequest, takeOidcRequest } from '../db/queries/sso';
import { findUserByEmail } from '../db/queries/users';
import { insertAudit } from '../db/queries/audit';
import { isLoopback } from '../lib/config';
import { AppError } from '../lib/errors';
import { openSession, type AuthDeps } from './auth';

export const SSO_STATE_COOKIE = 'jobdeck_sso_state';
export const CALLBACK_PATH = '/auth/oidc/callback';

/** Why a sign-in did not happen, as the sign-in page explains it (`/login?sso=<code>`). */
export type SsoFailure = 'unknown-user' | 'disabled' | 'unverified' | 'expired' | 'refused' | 'off';

export class SsoError extends AppError {
  constructor(readonly reason: SsoFailure, message: string) {
    super('UNAUTHENTICATED', message);
  }
}

let discovered: { issuer: string; config: Promise<oidc.Configuration> } | undefined;

/** The provider's configuration, discovered once per process (again when a discovery failed). */
function providerConfig(deps: AuthDeps): Promise<oidc.Configuration> {
  const c = deps.config;
  if (!c.OIDC_ISSUER || !c.OIDC_CLIENT_ID || !c.OIDC_CLIENT_SECRET) throw new SsoError('off', 'Single sign-on is not configured here.');
  if (discovered?.issuer !== c.OIDC_ISSUER) {
    const issuer = new URL(c.OIDC_ISSUER);
    // Plain http only towards a provider on this machine (tests, a local identity provider).
    const insecure = issuer.protocol === 'http:' && isLoopback(issuer.hostname);
    const config = oidc.discovery(issuer, c.OIDC_CLIENT_ID, c.OIDC_CLIENT_SECRET, undefined, insecure ? { execute: [oidc.allowInsecureRequests] } : undefined);
    config.catch(() => (discovered = undefined));
    discovered = { issuer: c.OIDC_ISSUER, config };
  }
  return discovered.config;
}

export const ssoEnabled = (deps: AuthDeps) => !!deps.config.OIDC_ISSUER;

/** Where to send the browser to sign in at the provider, and the state its cookie must carry back. */
export async function beginSso(deps: AuthDeps, next: string) {
  const config = await providerConfig(deps);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  await insertOidcRequest(deps.sql, { state, nonce, codeVerifier, next });
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: new URL(CALLBACK_PATH, deps.config.PUBLIC_URL).toString(),
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url: url.toString(), state };
}

/**
 * The provider's answer, as the browser brings it back to `callbackUrl` (with the cookie's state):
 * a session for the user, and where he was going.
 */
export async function finishSso(deps: AuthDeps, callbackUrl: URL, cookieState: string | undefined, from: { address?: string; userAgent?: string }) {
  const state = callbackUrl.searchParams.get('state') ?? '';
  if (!state || state !== cookieState) throw new SsoError('refused', 'This sign-in was not started from this browser. Start again.');
  const request = await takeOidcRequest(deps.sql, state);
  if (!request) throw new SsoError('expired', 'This sign-in has expired or was already used. Start again.');
  const config = await providerConfig(deps);
  let claims: oidc.IDToken | undefined;
  try {
    // The URL the provider redirected to, with the public address the provider knows.
    const url = new URL(CALLBACK_PATH, deps.config.PUBLIC_URL);
    url.search = callbackUrl.search;
    const tokens = await oidc.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: request.codeVerifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
    // Providers that keep scope claims out of the ID token serve them from userinfo (for the same subject).
    if (claims && typeof claims.email !== 'string')
      claims = { ...claims, ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)) } as oidc.IDToken;
  } catch (e) {
    throw new SsoError('refused', `The identity provider's answer was refused (${(e as Error).message.slice(0, 200)}).`);
  }
  const email = typeof claims?.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!email || claims?.email_verified !== true) throw new SsoError('unverified', 'The identity provider did not give a verified email address.');
  const user = await findUserByEmail(deps.sql, email);
  if (!user) throw new SsoError('unknown-user', `No Jobdeck user has the address ${email.slice(0, 254)}. Ask an administrator to create one.`);
  if (user.disabled) throw new SsoError('disabled', 'This account is disabled. Ask an administrator to enable it.');
  const session = await openSession(deps, user, from);
  await insertAudit(deps.sql, { actor: user.email, action: 'login', details: { via: 'sso' }, address: from.address });
  return { ...session, next: request.next };
}

export const signInMethods = (deps: AuthDeps) => ({ password: deps.config.PASSWORD_SIGN_IN, sso: ssoEnabled(deps) });
