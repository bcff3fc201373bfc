/**
 * User administration and one's own account: who manages whom, nobody locks himself out, disabling
 * and new passwords end sessions and WebSockets at once, own sessions listed and ended.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN, Gql, startTestApp, subscribe, type GqlResult, type TestApp } from '../helpers/app';

let app: TestApp;
let admin: Gql;
const codes = (r: GqlResult) => (r.errors ?? []).map((e) => [e.extensions?.code, e.extensions?.field ?? null]);
const CREATE = 'mutation($e: String!, $r: Role!, $d: [String!]!) { createUser(email: $e, password: "long-enough-password", role: $r, domains: $d) { id } }';
const UPDATE = 'mutation($id: ID!, $in: UserUpdate!) { updateUser(id: $id, input: $in) { email role domains allDomains disabled } }';
const mk = async (e: string, r: string, d: string[]) => (await admin.ok(CREATE, { e, r, d })).createUser.id as string;

before(async () => {
  app = await startTestApp();
  admin = await new Gql(app.url).login();
  await admin.ok('mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }');
});
after(() => app.stop());

test('users: sorted by email, filtered by text, role, domain and state, paged by cursor', async () => {
  for (const [e, d] of [['p1@a.example', 'a.example'], ['p2@a.example', 'a.example'], ['p3@b.example', 'b.example']] as const) await mk(e, 'DOMAIN_ADMIN', [d]);
  const all = (await admin.ok('{ users(first: 200) { totalCount nodes { email } } }')).users;
  const emails = all.nodes.map((u: { email: string }) => u.email);
  assert.deepEqual(emails, [...emails].sort());
  assert.equal(all.totalCount, emails.length);
  const byDomain = (await admin.ok('{ users(filter: { domain: "a.example", text: "P" }) { nodes { email } } }')).users.nodes.map((u: { email: string }) => u.email);
  assert.deepEqual(byDomain, ['p1@a.example', 'p2@a.example']);
  assert.deepEqual((await admin.ok('{ users(filter: { role: SYSTEM_ADMIN }) { nodes { email } } }')).users.nodes, [{ email: ADMIN.email }]);
  const p1 = (await admin.ok('{ users(first: 2) { nodes { email } pageInfo { endCursor hasNextPage } } }')).users;
  const p2 = (await admin.ok('query($a: String) { users(first: 2, after: $a) { nodes { email } } }', { a: p1.pageInfo.endCursor })).users;
  assert.equal(p1.pageInfo.hasNextPage, true);
  assert.deepEqual([...p1.nodes, ...p2.nodes].map((u: { email: string }) => u.email), emails.slice(0, 4));
  assert.deepEqual(codes(await admin.query('{ users(first: 201) { totalCount } }')), [['BAD_USER_INPUT', 'first']]);
  assert.deepEqual(codes(await admin.query('{ users(after: "nope") { totalCount } }')), [['BAD_USER_INPUT', 'after']]);
});

test('nobody disables, demotes or deletes himself', async () => {
  const me = (await admin.ok('{ viewer { id } }')).viewer.id;
  for (const input of [{ disabled: true }, { role: 'DOMAIN_ADMIN', domains: ['a.example'] }, { domains: ['a.example'] }]) {
    const r = await admin.query(UPDATE, { id: me, in: input });
    assert.deepEqual(codes(r), [['FORBIDDEN', null]], JSON.stringify(input));
    assert.match(r.errors![0]!.message, /yourself/);
  }
  assert.deepEqual(codes(await admin.query('mutation($id: ID!) { deleteUser(id: $id) }', { id: me })), [['FORBIDDEN', null]]);
  assert.deepEqual((await admin.ok('{ viewer { role allDomains disabled } }')).viewer, { role: 'SYSTEM_ADMIN', allDomains: true, disabled: false });
});

test('disabling ends the sessions and the open WebSocket at once; his token answers UNAUTHENTICATED until he is enabled', async () => {
  const id = await mk('off@a.example', 'DOMAIN_ADMIN', ['a.example']);
  const user = await new Gql(app.url).login('off@a.example', 'long-enough-password');
  const token = new Gql(app.url, (await user.ok('mutation { createApiToken(name: "t") { token } }')).createApiToken.token);
  const ws = user.ws();
  const sub = subscribe(ws, 'subscription { heartbeat(seconds: 1, count: 100) }', {});
  await new Promise<void>((resolve) => { const t = setInterval(() => sub.items.length && (clearInterval(t), resolve()), 20); });
  const t0 = Date.now();
  // Handled before the mutation: the socket may close before the mutation's own answer arrives.
  let closedMs = -1;
  const closing = sub.done.then(() => 'completed', (e) => e?.detail?.code ?? e?.code ?? String(e)).finally(() => (closedMs = Date.now() - t0));
  assert.equal((await admin.ok(UPDATE, { id, in: { disabled: true } })).updateUser.disabled, true);
  const closed = await closing;
  console.log(`disable → socket closed in ${closedMs} ms (periodic recheck every 5 s)`);
  assert.equal(closed, 4403);
  assert.ok(closedMs < 2500, `closed at once, not at the next periodic check (${closedMs} ms)`);
  await ws.dispose();
  assert.equal((await user.ok('{ viewer { email } }')).viewer, null);
  assert.deepEqual(codes(await token.query('{ viewer { email } }')).length, 0);
  assert.equal((await token.ok('{ viewer { email } }')).viewer, null, 'the token no longer authenticates');
  assert.deepEqual(codes(await token.query('{ domains { name } }')), [['UNAUTHENTICATED', null]]);
  const again = await new Gql(app.url).query('mutation { login(email: "off@a.example", password: "long-enough-password") { id } }');
  assert.deepEqual(codes(again), [['UNAUTHENTICATED', null]]);
  assert.match(again.errors![0]!.message, /disabled/);
  await admin.ok(UPDATE, { id, in: { disabled: false } });
  assert.equal((await token.ok('{ viewer { email } }')).viewer.email, 'off@a.example', 'enabled again: the token works again');
  assert.ok((await admin.ok('{ auditLog { nodes { action target } } }')).auditLog.nodes.some((n: { action: string; target: string }) => n.action === 'updateUser' && n.target === 'off@a.example'));
});

test('setPassword by an administrator ends the user\'s sessions; the old password no longer works', async () => {
  const id = await mk('pw@a.example', 'DOMAIN_ADMIN', ['a.example']);
  const user = await new Gql(app.url).login('pw@a.example', 'long-enough-password');
  assert.deepEqual(codes(await admin.query('mutation($id: ID!) { setPassword(userId: $id, password: "short") }', { id })), [['BAD_USER_INPUT', 'password']]);
  assert.equal((await admin.ok('mutation($id: ID!) { setPassword(userId: $id, password: "set-by-the-admin-now") }', { id })).setPassword, true);
  assert.equal((await user.ok('{ viewer { email } }')).viewer, null);
  assert.deepEqual(codes(await new Gql(app.url).query('mutation { login(email: "pw@a.example", password: "long-enough-password") { id } }')), [['UNAUTHENTICATED', null]]);
  await new Gql(app.url).login('pw@a.example', 'set-by-the-admin-now');
});

test('changePassword: the current one is checked (and counted), other sessions end, this one stays', async () => {
  await mk('me@a.example', 'DOMAIN_ADMIN', ['a.example']);
  const here = await new Gql(app.url).login('me@a.example', 'long-enough-password');
  const elsewhere = await new Gql(app.url).login('me@a.example', 'long-enough-password');
  const sessions = (await here.ok('{ sessions { id current } }')).sessions;
  assert.equal(sessions.length, 2);
  assert.equal(sessions.filter((s: { current: boolean }) => s.current).length, 1);
  const CHANGE = 'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';
  assert.deepEqual(codes(await here.query(CHANGE, { c: 'long-enough-password', n: 'short' })), [['BAD_USER_INPUT', 'newPassword']]);
  assert.deepEqual(codes(await here.query(CHANGE, { c: 'wrong-password-here', n: 'my-new-long-password' })), [['BAD_USER_INPUT', 'currentPassword']]);
  assert.equal((await here.ok(CHANGE, { c: 'long-enough-password', n: 'my-new-long-password' })).changePassword, true);
  assert.equal((await here.ok('{ viewer { email } }')).viewer.email, 'me@a.example', 'this session stays');
  assert.equal((await elsewhere.ok('{ viewer { email } }')).viewer, null, 'the other one ended');
  // Wrong current passwords count as failed sign-ins: five lock the account like sign-in does.
  for (let i = 0; i < 5; i++) await here.query(CHANGE, { c: `wrong-${i}-password`, n: 'another-new-password' });
  assert.deepEqual(codes(await here.query(CHANGE, { c: 'my-new-long-password', n: 'another-new-password' })), [['RATE_LIMITED', null]]);
});

test('endSession ends one of my sessions, and only mine', async () => {
  await mk('two@a.example', 'DOMAIN_ADMIN', ['a.example']);
  const one = await new Gql(app.url).login('two@a.example', 'long-enough-password');
  const two = await new Gql(app.url).login('two@a.example', 'long-enough-password');
  const mine = (await one.ok('{ sessions { id current address userAgent lastSeenAt } }')).sessions;
  assert.ok(mine.every((s: { address: string; userAgent: string }) => /127\.0\.0\.1/.test(s.address) && s.userAgent), JSON.stringify(mine));
  const other = mine.find((s: { current: boolean }) => !s.current).id;
  const adminSession = (await admin.ok('{ sessions { id current } }')).sessions.find((s: { current: boolean }) => s.current).id;
  assert.deepEqual(codes(await one.query('mutation($id: ID!) { endSession(id: $id) }', { id: adminSession })), [['NOT_FOUND', null]]);
  assert.equal((await one.ok('mutation($id: ID!) { endSession(id: $id) }', { id: other })).endSession, true);
  assert.equal((await two.ok('{ viewer { email } }')).viewer, null);
  assert.equal((await one.ok('{ viewer { email } }')).viewer.email, 'two@a.example');
});

test('a system administrator of some domains manages only their domain administrators, and makes nobody a system administrator', async () => {
  const daA = await mk('managed@a.example', 'DOMAIN_ADMIN', ['a.example']);
  const daB = await mk('other@b.example', 'DOMAIN_ADMIN', ['b.example']);
  await mk('sub@a.example', 'SYSTEM_ADMIN', ['a.example']);
  const sub = await new Gql(app.url).login('sub@a.example', 'long-enough-password');
  assert.deepEqual(codes(await sub.query(UPDATE, { id: daA, in: { role: 'SYSTEM_ADMIN', domains: ['a.example'] } })), [['FORBIDDEN', null]]);
  assert.deepEqual(codes(await sub.query(UPDATE, { id: daA, in: { domains: ['b.example'] } })), [['BAD_USER_INPUT', 'input.domains']]);
  assert.deepEqual(codes(await sub.query(UPDATE, { id: daB, in: { disabled: true } })), [['NOT_FOUND', null]]);
  assert.equal((await sub.ok(UPDATE, { id: daA, in: { disabled: true } })).updateUser.disabled, true);
  assert.equal((await admin.ok('query($id: ID!) { user(id: $id) { disabled } }', { id: daB })).user.disabled, false, 'b.example untouched');
  const da = await new Gql(app.url).login('p1@a.example', 'long-enough-password');
  assert.deepEqual(codes(await da.query('{ users { totalCount } }')), [['FORBIDDEN', null]]);
});

test('bad input changes nothing: unknown domain, two domains for a domain administrator, unknown role', async () => {
  const id = await mk('keep@a.example', 'DOMAIN_ADMIN', ['a.example']);
  const before = (await admin.ok('query($id: ID!) { user(id: $id) { role domains disabled } }', { id })).user;
  assert.deepEqual(codes(await admin.query(UPDATE, { id, in: { domains: ['nope.example'], disabled: true } })), [['BAD_USER_INPUT', 'input.domains']]);
  assert.deepEqual(codes(await admin.query(UPDATE, { id, in: { domains: ['a.example', 'b.example'] } })), [['BAD_USER_INPUT', 'input.domains']]);
  assert.deepEqual(codes(await admin.query(UPDATE, { id: 'not-a-uuid', in: { disabled: true } })), [['NOT_FOUND', null]]);
  assert.deepEqual((await admin.ok('query($id: ID!) { user(id: $id) { role domains disabled } }', { id })).user, before);
  // A domain administrator promoted to supervise every domain.
  assert.deepEqual((await admin.ok(UPDATE, { id, in: { role: 'SYSTEM_ADMIN', domains: [] } })).updateUser, {
    email: 'keep@a.example', role: 'SYSTEM_ADMIN', domains: ['a.example', 'b.example'], allDomains: true, disabled: false,
  });
});
