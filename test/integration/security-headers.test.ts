/**
 * Security headers (issue #12) on everything the web process answers: console pages carry a strict
 * policy with a fresh nonce on every script; the API, the health check, built files and error pages
 * carry one that allows nothing. The console is the built `.next` (`npm run build` first), served
 * as the README starts it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { API_CONTENT_SECURITY_POLICY } from '../../lib/security-headers';
import { startTestApp, type TestApp } from '../helpers/app';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

let server: ServerProcess;
let apiOnly: TestApp;
before(async () => {
  [server, apiOnly] = await Promise.all([startServerProcess(), startTestApp()]);
});
after(async () => {
  await Promise.all([server?.stop(), apiOnly?.stop()]);
});

type Answer = { status: number; headers: Headers; body: string };

async function get(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, body: await res.text() };
}
const postGraphql = (base: string) =>
  get(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });

function assertCommon(a: Answer, what: string) {
  assert.equal(a.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
  assert.equal(a.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  assert.equal(a.headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`);
}

/** One policy header (two would both be enforced), parsed into directive → sources. */
function policyOf(a: Answer, what: string) {
  const raw = a.headers.get('content-security-policy');
  assert.ok(raw, `${what}: no Content-Security-Policy`);
  assert.ok(!raw.includes(', '), `${what}: more than one policy: ${raw}`);
  return new Map(raw.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
}

/** The console's policy, and every <script> of the page carries its nonce. */
function assertConsolePage(a: Answer, what: string) {
  assertCommon(a, what);
  const csp = policyOf(a, what);
  const scripts = csp.get('script-src') ?? [];
  const nonce = scripts.find((s) => s.startsWith("'nonce-"))?.slice("'nonce-".length, -1);
  assert.ok(nonce && nonce.length >= 16, `${what}: script-src has no nonce: ${scripts.join(' ')}`);
  assert.ok(scripts.includes("'strict-dynamic'"), `${what}: 'strict-dynamic'`);
  for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'data:', 'http:', 'https:'])
    assert.ok(!scripts.includes(bad), `${what}: script-src allows ${bad} in production`);
  assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], `${what}: frame-ancestors`);
  assert.deepEqual(csp.get('object-src'), ["'none'"], `${what}: object-src`);
  assert.deepEqual(csp.get('base-uri'), ["'none'"], `${what}: base-uri`);
  assert.deepEqual(csp.get('form-action'), ["'self'"], `${what}: form-action`);
  assert.deepEqual(csp.get('img-src'), ["'self'", 'data:', 'blob:'], `${what}: img-src`);
  const host = new URL(server.url).host;
  assert.deepEqual(csp.get('connect-src'), ["'self'", `ws://${host}`, `wss://${host}`], `${what}: connect-src`);
  const tags = a.body.match(/<script\b[^>]*>/g) ?? [];
  assert.ok(tags.length > 0, `${what}: a page without scripts`);
  for (const tag of tags) assert.ok(tag.includes(` nonce="${nonce}"`), `${what}: a script without the nonce: ${tag}`);
  return nonce;
}

describe('with the console', () => {
  test('/login and /jobs: the console policy, a new nonce per response', async () => {
    const login = await get(`${server.url}/login?next=%2Fjobs`);
    assert.equal(login.status, 200);
    const n1 = assertConsolePage(login, '/login');
    const jobs = await get(`${server.url}/jobs`);
    assert.equal(jobs.status, 200);
    const n2 = assertConsolePage(jobs, '/jobs');
    const again = assertConsolePage(await get(`${server.url}/login`), '/login again');
    assert.equal(new Set([n1, n2, again]).size, 3, 'nonces are never reused');
  });

  test('a page that does not exist: 404 with the same headers', async () => {
    const a = await get(`${server.url}/no/such/page`);
    assert.equal(a.status, 404);
    assertConsolePage(a, '404');
  });

  test('POST /graphql, /healthz and built files: a policy that allows nothing', async () => {
    const gql = await postGraphql(server.url);
    assert.equal(gql.status, 200, gql.body);
    const health = await get(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    const page = await get(`${server.url}/login`);
    const src = /<script\b[^>]*\bsrc="(\/_next\/static\/[^"]+\.js)"/.exec(page.body)?.[1];
    assert.ok(src, 'a built script on the page');
    const script = await get(`${server.url}${src}`);
    assert.equal(script.status, 200);
    for (const [what, a] of [['/graphql', gql], ['/healthz', health], [src, script]] as const) {
      assertCommon(a, what);
      assert.equal(a.headers.get('content-security-policy'), API_CONTENT_SECURITY_POLICY, what);
    }
  });

  test('a Host header cannot add sources or directives to the policy', async () => {
    const port = new URL(server.url).port;
    for (const host of [`evil.example:${port}; script-src *`, `127.0.0.1:${port} https://evil.example`]) {
      const { status, csp } = await new Promise<{ status: number; csp: string }>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/login', headers: { host } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, csp: String(res.headers['content-security-policy'] ?? '') });
        });
        req.on('error', reject);
      });
      if (status === 400) continue; // refused outright is fine too
      assert.ok(csp, `no policy for Host ${host} (${status})`);
      assert.ok(!csp.includes('evil') && !/script-src \*/.test(csp), csp);
      assert.match(csp, /connect-src 'self';/);
    }
  });
});

describe('without the console (API only)', () => {
  test('/graphql, /healthz and an unknown path: a policy that allows nothing', async () => {
    const unknown = await get(`${apiOnly.url}/no/such/page`);
    assert.equal(unknown.status, 404);
    for (const [what, a] of [['/graphql', await postGraphql(apiOnly.url)], ['/healthz', await get(`${apiOnly.url}/healthz`)], ['404', unknown]] as const) {
      assertCommon(a, what);
      assert.equal(a.headers.get('content-security-policy'), API_CONTENT_SECURITY_POLICY, what);
    }
  });
});
