import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import postgres from 'postgres';
import { credentialCache } from '../../services/credential-cache';
import { ADMIN, Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';

const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { id email role } }`;
const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;

describe('sign-in, sessions and API tokens', () => {
  let app: TestApp;
  let sql: postgres.Sql;
  before(async () => {
    app = await startTestApp();
    sql = postgres(app.databaseUrl, { max: 2, onnotice: () => {} });
  });
  after(async () => {
    await sql?.end();
    await app?.stop();
  });
  /** A change made by hand in SQL counts once the server has heard PostgreSQL's notice of it (its credential cache forgets then). */
  const byHand = async (change: Promise<unknown>) => {
    const told = credentialCache(app.deps.sql).nextNotice();
    await change;
    await told;
  };

  test('login sets an HttpOnly SameSite=Lax cookie and viewer returns the user', async () => {
    const g = new Gql(app.url);
    assert.equal((await g.ok('{ viewer { email } }')).viewer, null);
    const r = await g.raw(LOGIN, { e: ADMIN.email, p: ADMIN.password });
    assert.equal(r.body.errors, undefined);
    const sc = r.headers.get('set-cookie') ?? '';
    assert.match(sc, /^jobdeck_session=[^;]{20,}/);
    assert.match(sc, /HttpOnly/i);
    assert.match(sc, /SameSite=Lax/i);
    assert.match(sc, /Path=\//i);
    const v = await g.ok('{ viewer { email role domains } }');
    assert.deepEqual(v.viewer, { email: ADMIN.email, role: 'SYSTEM_ADMIN', domains: [] });
    // The cookie value is not what is stored: only its sha256.
    const rows = await sql`SELECT token_hash FROM sessions`;
    const value = g.cookie!.split('=')[1]!;
    assert.ok(rows.length >= 1);
    assert.ok(rows.every((x) => x.token_hash !== value && /^[0-9a-f]{64}$/.test(x.token_hash)));
  });

  test('email is matched case-insensitively, wrong password and unknown user answer UNAUTHENTICATED', async () => {
    const g = new Gql(app.url);
    const bad = await g.raw(LOGIN, { e: ADMIN.email, p: 'wrong-password-123' });
    assert.equal(code(bad.body), 'UNAUTHENTICATED');
    assert.equal(bad.headers.get('set-cookie'), null);
    assert.equal(code(await g.query(LOGIN, { e: 'nobody@example.com', p: 'whatever-password' })), 'UNAUTHENTICATED');
    assert.equal((await g.ok('{ viewer { email } }')).viewer, null);
    await g.login(ADMIN.email.toUpperCase(), ADMIN.password);
    assert.equal((await g.ok('{ viewer { email } }')).viewer.email, ADMIN.email);
  });

  test('logout clears the cookie and deletes the session', async () => {
    const g = await new Gql(app.url).login();
    const old = g.cookie!;
    const before = (await sql`SELECT count(*)::int AS n FROM sessions`)[0]!.n;
    const r = await g.raw('mutation { logout }');
    assert.equal(r.body.data?.logout, true);
    assert.match(r.headers.get('set-cookie') ?? '', /^jobdeck_session=;/);
    assert.match(r.headers.get('set-cookie') ?? '', /Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    assert.equal((await sql`SELECT count(*)::int AS n FROM sessions`)[0]!.n, before - 1);
    const replay = new Gql(app.url);
    replay.cookie = old;
    assert.equal((await replay.ok('{ viewer { email } }')).viewer, null);
    assert.equal(code(await replay.query('{ jobs { totalCount } }')), 'UNAUTHENTICATED');
  });

  test('absolute and idle expiry end a session', async () => {
    const g = await new Gql(app.url).login();
    assert.ok((await g.ok('{ viewer { email } }')).viewer);
    await byHand(sql`UPDATE sessions SET expires_at = now() - interval '1 s'`);
    assert.equal((await g.ok('{ viewer { email } }')).viewer, null);

    const h = await new Gql(app.url).login();
    assert.ok((await h.ok('{ viewer { email } }')).viewer);
    // Default SESSION_IDLE_MINUTES is 720.
    await byHand(sql`UPDATE sessions SET last_seen_at = now() - interval '721 minutes' WHERE expires_at > now()`);
    assert.equal((await h.ok('{ viewer { email } }')).viewer, null);
    const k = await new Gql(app.url).login();
    await byHand(sql`UPDATE sessions SET last_seen_at = now() - interval '719 minutes' WHERE expires_at > now()`);
    assert.ok((await k.ok('{ viewer { email } }')).viewer, 'a session seen within the idle window stays alive');
  });

  test('API token: shown once, stored as sha256, authenticates Bearer, revocation ends HTTP and WebSocket use', async () => {
    const g = await new Gql(app.url).login();
    const { createApiToken: t } = await g.ok(`mutation { createApiToken(name: "ci") { id name token } }`);
    assert.equal(t.name, 'ci');
    assert.match(t.token, /^jd_[A-Za-z0-9_-]{40,}$/);
    const stored = await sql`SELECT token_hash FROM api_tokens WHERE id = ${t.id}`;
    const { createHash } = await import('node:crypto');
    assert.equal(stored[0]!.token_hash, createHash('sha256').update(t.token).digest('hex'));
    const dump = JSON.stringify(await sql`SELECT * FROM api_tokens`);
    assert.ok(!dump.includes(t.token), 'the token itself is stored nowhere');
    const listed = await g.ok('{ apiTokens { id name } }');
    assert.ok(!JSON.stringify(listed).includes(t.token), 'the token is not shown again');

    const bearer = new Gql(app.url, t.token);
    assert.equal((await bearer.ok('{ viewer { email } }')).viewer.email, ADMIN.email);
    assert.equal(typeof (await bearer.ok('{ jobs { totalCount } }')).jobs.totalCount, 'number');
    assert.equal((await new Gql(app.url, t.token + 'x').ok('{ viewer { email } }')).viewer, null);

    // A subscription authenticated by the token only (no cookie).
    const client = bearer.ws();
    const sub = subscribe(client, 'subscription { heartbeat(seconds: 1, count: 100) }', {});
    const start = Date.now();
    while (sub.items.length === 0) {
      assert.ok(Date.now() - start < 10_000, 'subscription never delivered');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await g.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: t.id })).revokeApiToken, true);
    const revokedAt = Date.now();
    const outcome = await Promise.race([
      sub.done.then(
        () => 'completed',
        (e: unknown) => `closed:${JSON.stringify((e as { detail?: { code?: number } }).detail?.code ?? (e as Error).message)}`,
      ),
      new Promise((r) => setTimeout(() => r('still open'), 7_000)),
    ]);
    const closedAfter = Date.now() - revokedAt;
    await client.dispose();
    assert.match(String(outcome), /^closed/, `subscription after revocation: ${outcome}`);
    assert.ok(closedAfter <= 6_500, `closed ${closedAfter} ms after revocation`);
    console.log(`token socket closed ${closedAfter} ms after revocation (${outcome})`);

    assert.equal((await bearer.ok('{ viewer { email } }')).viewer, null);
    assert.equal(code(await bearer.query('{ jobs { totalCount } }')), 'UNAUTHENTICATED');
    // Revoking twice, or someone else's id, is NOT_FOUND.
    assert.equal(code(await g.query(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: t.id })), 'NOT_FOUND');
    assert.equal(code(await g.query(`mutation { revokeApiToken(id: "not-a-uuid") }`)), 'NOT_FOUND');
    // A new socket with the revoked token is refused.
    const again = subscribe(bearer.ws(), 'subscription { heartbeat(seconds: 1, count: 1) }', {});
    await assert.rejects(again.done);
  });

  test('passwords are Argon2id at OWASP parameters', async () => {
    const [u] = await sql`SELECT password_hash FROM users WHERE email = ${ADMIN.email}`;
    assert.match(u!.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe('rate limit of failed sign-ins', () => {
  test('5 wrong passwords for one account: the 6th attempt is RATE_LIMITED even with the right password', async () => {
    const app = await startTestApp();
    try {
      const g = new Gql(app.url);
      for (let i = 0; i < 5; i++) assert.equal(code(await g.query(LOGIN, { e: ADMIN.email, p: `wrong-${i}-password` })), 'UNAUTHENTICATED');
      const r = await g.raw(LOGIN, { e: ADMIN.email, p: ADMIN.password });
      assert.equal(code(r.body), 'RATE_LIMITED');
      assert.equal(r.headers.get('set-cookie'), null);
      assert.equal((await g.ok('{ viewer { email } }')).viewer, null);
      // Another account from the same address is not locked by this one.
      const sql = postgres(app.databaseUrl, { max: 1, onnotice: () => {} });
      try {
        await sql`UPDATE login_failures SET window_start = now() - interval '16 minutes' WHERE key LIKE 'account:%'`;
      } finally {
        await sql.end();
      }
      await g.login(); // the window has passed
    } finally {
      await app.stop();
    }
  });

  test('30 failures from one address: the next attempt for any account is RATE_LIMITED', async () => {
    const app = await startTestApp();
    try {
      const g = new Gql(app.url);
      for (let i = 0; i < 30; i++) {
        assert.equal(code(await g.query(LOGIN, { e: `user${i}@example.com`, p: 'wrong-password-x' })), 'UNAUTHENTICATED', `attempt ${i + 1}`);
      }
      assert.equal(code(await g.query(LOGIN, { e: ADMIN.email, p: ADMIN.password })), 'RATE_LIMITED');
    } finally {
      await app.stop();
    }
  });
});

describe('sign-in storms and forwarded addresses', () => {
  test('200 parallel correct sign-ins all succeed, and other users of that address still sign in', async () => {
    const app = await startTestApp();
    try {
      const admin = await new Gql(app.url).login();
      await admin.ok('mutation { createUser(email: "other@example.com", password: "other-long-password", role: SYSTEM_ADMIN, domains: []) { id } }');
      const results = await Promise.all(Array.from({ length: 200 }, () => new Gql(app.url).query(LOGIN, { e: ADMIN.email, p: ADMIN.password })));
      assert.deepEqual([...new Set(results.map((r) => code(r) ?? 'OK'))], ['OK']);
      await new Gql(app.url).login('other@example.com', 'other-long-password');
      const left = await app.deps.sql`SELECT key, count FROM login_failures WHERE count > 0`;
      assert.deepEqual([...left], [], 'successes count nothing');
      assert.equal((await app.deps.sql`SELECT 1 FROM login_attempts`).length, 0, 'every slot was given back');
    } finally {
      await app.stop();
    }
  });

  test('a parallel storm of wrong passwords gets exactly 5 guesses checked, then the account is refused', async () => {
    const app = await startTestApp();
    try {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => new Gql(app.url).query(LOGIN, { e: ADMIN.email, p: `wrong-password-${i}` })));
      const codes = results.map((r) => code(r));
      assert.equal(codes.filter((c) => c === 'UNAUTHENTICATED').length, 5, codes.join(','));
      assert.equal(codes.filter((c) => c === 'RATE_LIMITED').length, 45);
      assert.equal(code(await new Gql(app.url).query(LOGIN, { e: ADMIN.email, p: ADMIN.password })), 'RATE_LIMITED');
    } finally {
      await app.stop();
    }
  });

  test('X-Forwarded-For counts only with TRUST_PROXY: one client behind the proxy does not lock out the others', async () => {
    const fail = (g: Gql, forwardedFor: string, i: number) =>
      g.raw(LOGIN, { e: `user${i}@example.com`, p: 'wrong-password-x' }, { 'x-forwarded-for': forwardedFor }).then((r) => code(r.body));
    const trusting = await startTestApp({ TRUST_PROXY: 'loopback' });
    try {
      const g = new Gql(trusting.url);
      for (let i = 0; i < 30; i++) assert.equal(await fail(g, '203.0.113.7', i), 'UNAUTHENTICATED');
      assert.equal(await fail(g, '203.0.113.7', 99), 'RATE_LIMITED', 'that client is over its limit');
      const r = await g.raw(LOGIN, { e: ADMIN.email, p: ADMIN.password }, { 'x-forwarded-for': '198.51.100.9' });
      assert.equal(code(r.body), undefined, 'another client behind the same proxy signs in');
      const [audit] = await trusting.deps.sql<{ address: string }[]>`SELECT address FROM sessions ORDER BY created_at DESC LIMIT 1`;
      assert.equal(audit!.address, '198.51.100.9');
    } finally {
      await trusting.stop();
    }
    const ignoring = await startTestApp({ TRUST_PROXY: '' });
    try {
      const g = new Gql(ignoring.url);
      // Without TRUST_PROXY a forged header changes nothing: every failure counts on the socket's address.
      for (let i = 0; i < 30; i++) assert.equal(await fail(g, `203.0.113.${i}`, i), 'UNAUTHENTICATED');
      assert.equal(await fail(g, '198.51.100.1', 99), 'RATE_LIMITED');
    } finally {
      await ignoring.stop();
    }
  });
});

describe('PASSWORD_SIGN_IN=false', () => {
  test('login answers FORBIDDEN and the sign-in page is told to offer single sign-on only', async () => {
    const app = await startTestApp({
      PASSWORD_SIGN_IN: 'false', OIDC_ISSUER: 'http://127.0.0.1:9/', OIDC_CLIENT_ID: 'jobdeck', OIDC_CLIENT_SECRET: 'not-used-here', PUBLIC_URL: 'http://127.0.0.1:3000',
    });
    try {
      const g = new Gql(app.url);
      const r = await g.query(LOGIN, { e: ADMIN.email, p: ADMIN.password });
      assert.equal(code(r), 'FORBIDDEN');
      assert.match(r.errors![0]!.message, /SSO/);
      assert.deepEqual((await g.ok('{ signInMethods { password sso } }')).signInMethods, { password: false, sso: true });
    } finally {
      await app.stop();
    }
  });
});

describe('first start', () => {
  test('ADMIN_EMAIL/ADMIN_PASSWORD create the first system administrator', async () => {
    const lines: string[] = [];
    const app = await startTestApp({ ADMIN_EMAIL: 'Boss@Example.org', ADMIN_PASSWORD: 'a-long-enough-password' }, { log: (l) => lines.push(l) });
    try {
      const g = await new Gql(app.url).login('boss@example.org', 'a-long-enough-password');
      assert.deepEqual((await g.ok('{ viewer { email role } }')).viewer, { email: 'boss@example.org', role: 'SYSTEM_ADMIN' });
      assert.ok(!lines.join('\n').includes('a-long-enough-password'), 'the configured password is never printed');
    } finally {
      await app.stop();
    }
  });

  test('without them: admin@localhost with a random password printed once', async () => {
    const lines: string[] = [];
    const app = await startTestApp({ ADMIN_EMAIL: '', ADMIN_PASSWORD: '' }, { log: (l) => lines.push(l) });
    try {
      const printed = lines.filter((l) => /admin@localhost/.test(l));
      assert.equal(printed.length, 1, lines.join('\n'));
      const password = /password (\S+)/.exec(printed[0]!)?.[1];
      assert.ok(password && password.length >= 16, printed[0]);
      const g = await new Gql(app.url).login('admin@localhost', password);
      assert.deepEqual((await g.ok('{ viewer { email role } }')).viewer, { email: 'admin@localhost', role: 'SYSTEM_ADMIN' });
      const sql = postgres(app.databaseUrl, { max: 1, onnotice: () => {} });
      try {
        const users = await sql`SELECT email, password_hash FROM users`;
        assert.equal(users.length, 1);
        assert.match(users[0]!.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      } finally {
        await sql.end();
      }
    } finally {
      await app.stop();
    }
  });
});
