/**
 * The credential cache (services/credential-cache.ts): a web process keeps what a session or token
 * resolved to for a few seconds, and forgets it at once when anything that could end or narrow it
 * changes — here, or in any other process or by hand (PostgreSQL's jobdeck_auth notice, migration
 * 0020). Each case first proves the credential is kept (a change that tells nobody is not seen),
 * then that a change that counts is seen by the very next request.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { credentialCache } from '../../services/credential-cache';
import { Gql, startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
let admin: Gql;
let sql: postgres.Sql;
const CREATE = 'mutation($e: String!, $d: [String!]!) { createUser(email: $e, password: "long-enough-password", role: SYSTEM_ADMIN, domains: $d) { id } }';

before(async () => {
  app = await startTestApp();
  sql = postgres(app.databaseUrl, { max: 2, onnotice: () => {} });
  await credentialCache(app.deps.sql).ready();
  admin = await new Gql(app.url).login();
  await admin.ok('mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }');
});
after(async () => {
  await sql?.end();
  await app?.stop();
});

async function userWithToken(email: string, domains: string[]) {
  // Creating a user with domains notifies (user_domains changed): that notice is awaited, so that it
  // cannot land in the middle of the case and make the cache forget there.
  const told = credentialCache(app.deps.sql).nextNotice();
  const id = (await admin.ok(CREATE, { e: email, d: domains })).createUser.id as string;
  await told;
  const session = await new Gql(app.url).login(email, 'long-enough-password');
  const token = (await session.ok('mutation { createApiToken(name: "t") { id token } }')).createApiToken as { id: string; token: string };
  return { id, session, token, bearer: new Gql(app.url, token.token) };
}

/** A change made by hand with triggers off: nobody is told (what a lost notice would look like). */
const silently = (f: (tx: postgres.TransactionSql) => Promise<unknown>) =>
  sql.begin(async (tx) => {
    await tx`SET LOCAL session_replication_role = replica`;
    await f(tx);
  });

test('a token is kept: a change nobody is told of is not seen; a revocation by hand is seen by the next request', async () => {
  const u = await userWithToken('kept@a.example', ['a.example']);
  assert.equal((await u.bearer.ok('{ viewer { email } }')).viewer.email, 'kept@a.example');
  await silently((tx) => tx`UPDATE api_tokens SET revoked_at = now() WHERE id = ${u.token.id}`);
  // Kept: the lookup is not made again.
  assert.equal((await u.bearer.ok('{ viewer { email } }')).viewer.email, 'kept@a.example');
  // Told: another process (here, by hand) touches the token; this process forgets on the notice.
  const told = credentialCache(app.deps.sql).nextNotice();
  await sql`UPDATE api_tokens SET expires_at = now() - interval '1 s' WHERE id = ${u.token.id}`;
  await told;
  assert.equal((await u.bearer.ok('{ viewer { email } }')).viewer, null);
});

test('revocation, sign-out, a narrower domain set and disabling, made here, count for the very next request', async () => {
  const u = await userWithToken('here@a.example', ['a.example', 'b.example']);
  assert.deepEqual((await u.bearer.ok('{ viewer { domains } }')).viewer.domains, ['a.example', 'b.example']);
  assert.deepEqual((await u.session.ok('{ viewer { domains } }')).viewer.domains, ['a.example', 'b.example']);
  await admin.ok('mutation($id: ID!) { updateUser(id: $id, input: { domains: ["a.example"] }) { domains } }', { id: u.id });
  assert.deepEqual((await u.bearer.ok('{ viewer { domains } }')).viewer.domains, ['a.example']);
  assert.deepEqual((await u.session.ok('{ viewer { domains } }')).viewer.domains, ['a.example']);

  await u.session.ok('mutation($id: ID!) { revokeApiToken(id: $id) }', { id: u.token.id });
  assert.equal((await u.bearer.ok('{ viewer { email } }')).viewer, null);

  const other = await new Gql(app.url).login('here@a.example', 'long-enough-password');
  assert.equal((await other.ok('{ viewer { email } }')).viewer.email, 'here@a.example');
  await admin.ok('mutation($id: ID!) { updateUser(id: $id, input: { disabled: true }) { disabled } }', { id: u.id });
  assert.equal((await other.ok('{ viewer { email } }')).viewer, null);

  const again = await new Gql(app.url).login();
  assert.ok((await again.ok('{ viewer { email } }')).viewer.email);
  await again.ok('mutation { logout }');
  const replay = new Gql(app.url);
  replay.cookie = again.cookie;
  assert.equal((await replay.ok('{ viewer { email } }')).viewer, null);
});

test('a kept credential never outlives its own expiry, told or not', async () => {
  const u = await userWithToken('expiry@a.example', ['a.example']);
  // Expires in 1.5 s, set with triggers off: only the entry's own deadline can end it.
  const at = (await sql<{ at: Date }[]>`SELECT now() + interval '1500 ms' AS at`)[0]!.at;
  await silently((tx) => tx`UPDATE api_tokens SET expires_at = ${at} WHERE id = ${u.token.id}`);
  const told = credentialCache(app.deps.sql).nextNotice();
  await sql`UPDATE users SET email = email WHERE id = ${u.id}`; // any notice: the cache starts afresh
  await told;
  assert.equal((await u.bearer.ok('{ viewer { email } }')).viewer.email, 'expiry@a.example');
  await new Promise((res) => setTimeout(res, Math.max(0, at.getTime() - Date.now()) + 50)); // the expiry instant itself
  assert.equal((await u.bearer.ok('{ viewer { email } }')).viewer, null);
});
