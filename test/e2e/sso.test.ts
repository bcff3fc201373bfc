/**
 * Single sign-on against a real OpenID provider (oidc-provider) on 127.0.0.1, in Chromium: click
 * "Sign in with SSO", sign in at the provider, land on the jobs page. An unknown email and a
 * disabled user come back with a message and no session; a replayed, a forged and a tampered
 * (wrong nonce) callback are refused.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, test } from 'node:test';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../../db/embedded';
import { ADMIN, Gql } from '../helpers/app';
import { launchBrowser, screenshotPath } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const T = 20_000;
let provider: Server;
let server: ServerProcess;
let browser: Browser;
let admin: Gql;

before(async () => {
  const [providerPort, appPort] = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${providerPort}`;
  const publicUrl = `http://127.0.0.1:${appPort}`;
  const oidc = new Provider(issuer, {
    clients: [
      {
        client_id: 'jobdeck',
        client_secret: 'a-secret-of-the-test-client',
        redirect_uris: [`${publicUrl}/auth/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    // The login typed at the provider is the account, and its (verified) email.
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, email: sub, email_verified: true }) }),
    cookies: { keys: ['a-test-cookie-key'] },
  });
  provider = oidc.listen(providerPort, '127.0.0.1');
  server = await startServerProcess({
    PUBLIC_URL: publicUrl,
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: 'jobdeck',
    OIDC_CLIENT_SECRET: 'a-secret-of-the-test-client',
  }, { port: appPort });
  admin = await new Gql(server.url).login();
  const off = (await admin.ok('mutation { createUser(email: "off@example.com", password: "long-enough-password", role: SYSTEM_ADMIN, domains: []) { id } }')).createUser.id;
  await admin.ok('mutation($id: ID!) { updateUser(id: $id, input: { disabled: true }) { id } }', { id: off });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  provider?.close();
});

async function page(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await ctx.newPage();
  p.setDefaultTimeout(T);
  return p;
}

/** From the console's sign-in page through the provider's own pages, as a person would. */
async function signInAtProvider(p: Page, login: string) {
  await p.goto(`${server.url}/login?next=${encodeURIComponent('/jobs?status=FAILURE')}`);
  const clicked = Date.now();
  await p.getByRole('link', { name: 'Sign in with SSO' }).click();
  await p.locator('input[name="login"]').fill(login);
  await p.locator('input[name="password"]').fill('whatever-the-provider-asks');
  await p.getByRole('button', { name: 'Sign-in' }).click();
  await p.getByRole('button', { name: 'Continue' }).click();
  return clicked;
}

const viewerOf = async (p: Page) => (await p.request.post(`${server.url}/graphql`, { data: { query: '{ viewer { email } }' } }).then((r) => r.json())).data.viewer;

test('Sign in with SSO: the provider signs in, the console opens where the user was going; the callback cannot be replayed', async () => {
  const p = await page();
  const callbacks: string[] = [];
  p.on('request', (r) => r.url().includes('/auth/oidc/callback') && callbacks.push(r.url()));
  const clicked = await signInAtProvider(p, ADMIN.email);
  await p.waitForURL(/\/jobs\?status=FAILURE/);
  await p.locator('[data-testid="jobs-count"]').waitFor();
  console.log(`"Sign in with SSO" click → jobs page: ${Date.now() - clicked} ms`);
  assert.equal((await viewerOf(p)).email, ADMIN.email);
  await p.screenshot({ path: screenshotPath('sso-signed-in') });
  // The same callback again, from the same browser (its state cookie was cleared by the first): no session.
  assert.equal(callbacks.length, 1);
  const replay = await fetch(callbacks[0]!, { redirect: 'manual' });
  assert.equal(replay.status, 302);
  assert.match(replay.headers.get('location') ?? '', /\/login\?sso=(refused|expired)/);
  assert.doesNotMatch(replay.headers.get('set-cookie') ?? '', /jobdeck_session=[^;]/);
  const state = new URL(callbacks[0]!).searchParams.get('state')!;
  const withCookie = await fetch(callbacks[0]!, { redirect: 'manual', headers: { cookie: `jobdeck_sso_state=${state}` } });
  assert.match(withCookie.headers.get('location') ?? '', /\/login\?sso=expired/, 'consumed: a replay finds no flow');
  assert.doesNotMatch(withCookie.headers.get('set-cookie') ?? '', /jobdeck_session=[^;]/);
});

test('an unknown email and a disabled user come back to the sign-in page with a message, and no session', async () => {
  for (const [login, reason, text] of [
    ['nobody@example.com', 'unknown-user', /no Jobdeck user has that email/],
    ['off@example.com', 'disabled', /disabled/],
  ] as const) {
    const p = await page();
    await signInAtProvider(p, login);
    await p.waitForURL(new RegExp(`/login\\?sso=${reason}`));
    await p.locator('[data-testid="sso-error"]').filter({ hasText: text }).waitFor();
    assert.equal(await viewerOf(p), null, login);
    await p.screenshot({ path: screenshotPath(`sso-${reason}`) });
  }
});

test('a forged callback (state not begun here, or not this browser\'s) is refused', async () => {
  const forged = await fetch(`${server.url}/auth/oidc/callback?code=abc&state=forged`, { redirect: 'manual', headers: { cookie: 'jobdeck_sso_state=forged' } });
  assert.match(forged.headers.get('location') ?? '', /\/login\?sso=expired/);
  const otherBrowser = await fetch(`${server.url}/auth/oidc/callback?code=abc&state=one`, { redirect: 'manual', headers: { cookie: 'jobdeck_sso_state=another' } });
  assert.match(otherBrowser.headers.get('location') ?? '', /\/login\?sso=refused/);
  for (const r of [forged, otherBrowser]) assert.doesNotMatch(r.headers.get('set-cookie') ?? '', /jobdeck_session=[^;]/);
});

test('an ID token for another nonce is refused', async () => {
  const p = await page();
  // Jobdeck's redirect to the provider is rewritten on its way to the browser: the provider then
  // signs an ID token for a nonce Jobdeck never made.
  await p.route('**/auth/oidc/login**', async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    const location = new URL(response.headers()['location']!);
    location.searchParams.set('nonce', 'a-nonce-jobdeck-never-made');
    await route.fulfill({ response, headers: { ...response.headers(), location: location.toString() } });
  });
  await signInAtProvider(p, ADMIN.email);
  await p.waitForURL(/\/login\?sso=refused/);
  assert.equal(await viewerOf(p), null);
});
