import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig as load } from '../../lib/config';

const loadConfig = (env: Record<string, string>) => load(env as NodeJS.ProcessEnv);

const ROOT = path.resolve(import.meta.dirname, '../..');

const refused: [Record<string, string>, string][] = [
  [{ PORT: 'abc' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ ROLE: 'both' }, 'ROLE'],
  [{ DATABASE_URL: 'http://x' }, 'DATABASE_URL'],
  [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
  [{ SMTP_URL: 'ftp://x' }, 'SMTP_URL'],
  [{ DEFAULT_TIME_ZONE: 'Mars/Base' }, 'DEFAULT_TIME_ZONE'],
  [{ HEARTBEAT_SECONDS: '5', LEASE_SECONDS: '10' }, 'LEASE_SECONDS'],
  [{ HEARTBEAT_SECONDS: '5', LEASE_SECONDS: '6' }, 'LEASE_SECONDS'],
  [{ ADMIN_EMAIL: 'a@example.com' }, 'ADMIN_PASSWORD'],
  [{ ADMIN_PASSWORD: 'long-enough-password' }, 'ADMIN_EMAIL'],
  [{ ADMIN_EMAIL: 'a@example.com', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
  [{ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'long-enough-password' }, 'ADMIN_EMAIL'],
  [{ TRUST_PROXY: 'yes please' }, 'TRUST_PROXY'],
  [{ OIDC_ISSUER: 'https://idp.example' }, 'OIDC_ISSUER'],
  [{ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'j', OIDC_CLIENT_SECRET: 's' }, 'PUBLIC_URL'],
  [{ OIDC_ISSUER: 'http://idp.example', OIDC_CLIENT_ID: 'j', OIDC_CLIENT_SECRET: 's', PUBLIC_URL: 'https://jobdeck.example' }, 'OIDC_ISSUER'],
  [{ PASSWORD_SIGN_IN: 'false' }, 'PASSWORD_SIGN_IN'],
  [{ PASSWORD_SIGN_IN: 'no' }, 'PASSWORD_SIGN_IN'],
  [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
  [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
  [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
];

test('TRUST_PROXY takes a hop count or addresses, CIDR ranges and the named ranges', () => {
  for (const v of ['1', '2', 'loopback', '10.0.0.0/8, 192.168.1.1', 'loopback,uniquelocal', '::1']) assert.equal(loadConfig({ TRUST_PROXY: v }).TRUST_PROXY, v);
});

for (const [env, variable] of refused) {
  test(`loadConfig refuses ${JSON.stringify(env)} naming ${variable}`, () => {
    assert.throws(
      () => loadConfig(env),
      (e: unknown) => e instanceof ConfigError && e.message.includes(variable),
    );
  });
}

test('defaults, and empty values count as unset', () => {
  const c = loadConfig({ ADMIN_EMAIL: '', ADMIN_PASSWORD: '', DATABASE_URL: '', PORT: '' });
  assert.equal(c.PORT, 3000);
  assert.equal(c.ROLE, 'all');
  assert.equal(c.ADMIN_EMAIL, undefined);
  assert.equal(c.ADMIN_PASSWORD, undefined);
  assert.equal(c.DATABASE_URL, undefined);
  assert.equal(c.dataDir, path.resolve('./.data'));
  const ok = loadConfig({ HEARTBEAT_SECONDS: '5', LEASE_SECONDS: '11', DEFAULT_TIME_ZONE: 'Europe/Paris', DATABASE_URL: 'postgresql://u@h/db' });
  assert.equal(ok.LEASE_SECONDS, 11);
});

test('server.ts with PORT=abc exits with code 2 and names PORT', { timeout: 60_000 }, async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: 'abc' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 2, out + err);
  assert.match(err, /PORT/);
  assert.ok(!/Embedded PostgreSQL|listening/.test(out), 'nothing started');
});
