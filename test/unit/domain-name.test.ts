/**
 * Domain names (issue #12): an IP literal is an address, not a tenant, and is refused with a
 * message that says so; ordinary names, digits in them included, still pass.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { domainNameSchema } from '../../services/auth';

const messages = (name: string) => {
  const r = domainNameSchema.safeParse(name);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

test('IPv4 literals in every spelling a URL parser accepts are refused as IP addresses', () => {
  for (const name of ['127.0.0.1', '0.0.0.0', '10.0.0.1', '192.168.1.254', '255.255.255.255', '2130706433', '127.1', '10.1', '0x7f.0.0.1', '10.0.0.0x1', '0x7f000001', '0177.0.0.1', '1.2.3.4.5', 'a.example.1']) {
    const m = messages(name);
    assert.ok(m.some((x) => /IP address/.test(x)), `${name}: ${JSON.stringify(m)}`);
  }
});

test('IPv6 and bracketed names are refused', () => {
  for (const name of ['::1', '[::1]', '[127.0.0.1]', 'fe80::1', '[fe80::1%25eth0]', '::ffff:127.0.0.1', '2001:db8::1']) {
    assert.equal(domainNameSchema.safeParse(name).success, false, name);
  }
});

test('names with digits are still names', () => {
  for (const name of ['acme.example', 'a.example', 'd0001.example', '123.example', '1.2.3.example', '0x7f.example', 'x1', 'example.c0m', 'xn--bcher-kva.example']) {
    assert.deepEqual(messages(name), [], name);
  }
});
