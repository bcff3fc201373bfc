/**
 * User.mustChangePassword: set when someone other than the user chose the password (the first
 * administrator's printed one, an administrator's setPassword), cleared by the user's own
 * changePassword. The console shows a banner from it on every page.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Gql, startTestApp, type TestApp } from '../helpers/app';

const FLAG = '{ viewer { email mustChangePassword } }';
const CHANGE = 'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }';

let app: TestApp;
let admin: Gql;
let printedPassword: string;

before(async () => {
  const lines: string[] = [];
  // No ADMIN_EMAIL/ADMIN_PASSWORD: admin@localhost with a password printed once.
  app = await startTestApp({ ADMIN_EMAIL: '', ADMIN_PASSWORD: '' }, { log: (l) => lines.push(l) });
  const line = lines.find((l) => /admin@localhost/.test(l)) ?? '';
  printedPassword = /password (\S+)/.exec(line)?.[1] ?? '';
  assert.ok(printedPassword, lines.join('\n'));
  admin = await new Gql(app.url).login('admin@localhost', printedPassword);
});
after(() => app.stop());

test('the first administrator with a printed password must change it; changePassword clears the flag', async () => {
  assert.deepEqual((await admin.ok(FLAG)).viewer, { email: 'admin@localhost', mustChangePassword: true });
  // The same flag in the administration list (the users query reads it from the table, not the viewer).
  const listed = (await admin.ok('{ users { nodes { email mustChangePassword } } }')).users.nodes;
  assert.deepEqual(listed, [{ email: 'admin@localhost', mustChangePassword: true }]);
  // A refused change leaves it set.
  await admin.query(CHANGE, { c: 'not-the-printed-one', n: 'chosen-by-the-admin-himself' });
  assert.equal((await admin.ok(FLAG)).viewer.mustChangePassword, true);
  assert.equal((await admin.ok(CHANGE, { c: printedPassword, n: 'chosen-by-the-admin-himself' })).changePassword, true);
  assert.equal((await admin.ok(FLAG)).viewer.mustChangePassword, false);
  // For good: a new sign-in with the new password does not bring it back.
  const again = await new Gql(app.url).login('admin@localhost', 'chosen-by-the-admin-himself');
  assert.equal((await again.ok(FLAG)).viewer.mustChangePassword, false);
});

test('a password set by an administrator must be changed too; a created user and the others are untouched', async () => {
  await admin.ok('mutation { createDomain(name: "a.example") { name } }');
  const mk = async (email: string) =>
    (await admin.ok('mutation($e: String!) { createUser(email: $e, password: "long-enough-password", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }', { e: email }))
      .createUser.id as string;
  const id = await mk('reset@a.example');
  await mk('bystander@a.example');
  const own = await new Gql(app.url).login('reset@a.example', 'long-enough-password');
  assert.equal((await own.ok(FLAG)).viewer.mustChangePassword, false, 'createUser sets no flag');

  await admin.ok('mutation($id: ID!) { setPassword(userId: $id, password: "set-by-the-admin-now") }', { id });
  assert.equal((await admin.ok('query($id: ID!) { user(id: $id) { mustChangePassword } }', { id })).user.mustChangePassword, true);
  const flags = (await admin.ok('{ users(filter: { domain: "a.example" }) { nodes { email mustChangePassword } } }')).users.nodes;
  assert.deepEqual(flags, [
    { email: 'bystander@a.example', mustChangePassword: false },
    { email: 'reset@a.example', mustChangePassword: true },
  ]);

  const user = await new Gql(app.url).login('reset@a.example', 'set-by-the-admin-now');
  assert.equal((await user.ok(FLAG)).viewer.mustChangePassword, true);
  await user.ok(CHANGE, { c: 'set-by-the-admin-now', n: 'my-very-own-password' });
  assert.equal((await user.ok(FLAG)).viewer.mustChangePassword, false);
  assert.equal((await admin.ok('query($id: ID!) { user(id: $id) { mustChangePassword } }', { id })).user.mustChangePassword, false);
});

test('an anonymous request reads no flag', async () => {
  assert.equal((await new Gql(app.url).ok(FLAG)).viewer, null);
});
