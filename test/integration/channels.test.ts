/**
 * Channels and their deliveries against real receivers: webhooks to a node:http server (retried on
 * 500 and 429 until delivered, given up on 400, never delivered twice for one event), a Slack body,
 * an email channel through a real SMTP server; "Send test"; who sees which channels and alerts,
 * over HTTP and over the WebSocket (alertChanged); bad input on every new mutation.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { defineJob } from '../../jobs/types';
import { Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';
import { newSecret, Receiver } from '../helpers/receiver';
import { waitFor } from '../helpers/worker';

const failing = defineJob({ id: 'test.breaks', description: 'Always fails', kind: 'PER_DOMAIN', async run() { throw new Error('broken'); } });
const failingGlobal = defineJob({ id: 'test.breaks-global', description: 'Always fails', kind: 'GLOBAL', async run() { throw new Error('broken'); } });

let app: TestApp;
let admin: Gql;
let da: Gql;
let hook: Receiver;
let smtp: SMTPServer;
const mail: ParsedMail[] = [];
const secret = newSecret();
const CREATE = 'mutation($i: ChannelInput!) { createChannel(input: $i) { id name kind target events domain enabled hasSecret } }';
const DELIVERIES = 'query { channels { id name target deliveries { id event status attempts lastError at deliveredAt alert { kind domain } } } }';

async function fail(jobId: string, domain: string) {
  const r = (await admin.ok('mutation($j: [JobRef!]!) { executeNow(jobs: $j) { reason execution { id } } }', { j: [{ jobId, domain }] })).executeNow[0];
  await admin.ended(r.execution.id);
  return r.execution.id as string;
}
/** Resolves the open FAILED alert of a row (as its next success would), so the next failure opens a new one. */
async function reopen(jobId: string, domain: string) {
  await app.deps.sql`UPDATE alerts SET resolved_at = now() WHERE job_id = ${jobId} AND domain = ${domain} AND resolved_at IS NULL`;
  return fail(jobId, domain);
}
const deliveriesOf = async (g: Gql, name: string) => ((await g.ok(DELIVERIES)).channels as any[]).find((c) => c.name === name).deliveries as any[];

before(async () => {
  hook = await new Receiver().start();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, _s, cb) => void simpleParser(stream).then((m) => (mail.push(m), cb()), cb),
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as net.AddressInfo).port;
  app = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, PUBLIC_URL: 'http://console.example' }, { extraJobs: [failing, failingGlobal] });
  admin = await new Gql(app.url).login();
  await admin.ok('mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }');
  await admin.ok('mutation { createUser(email: "da@a.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }');
  da = await new Gql(app.url).login('da@a.example', 'domain-admin-pass');
});
after(async () => {
  await app?.stop();
  await hook?.stop();
  await new Promise<void>((r) => smtp?.close(() => r()));
});

test('a webhook is retried on 500 and 429 until delivered, given up on 400, and never delivered twice for one event', async () => {
  hook.respond = (r, n) => (r.path === '/flaky' ? (n === 1 ? { status: 500, body: 'oops' } : n === 2 ? { status: 429 } : { status: 204 }) : r.path === '/refuses' ? { status: 400, body: 'bad payload' } : { status: 200 });
  const flaky = (await admin.ok(CREATE, { i: { name: 'flaky', kind: 'WEBHOOK', target: `${hook.url}/flaky`, secret, events: ['FAILED'], domain: 'b.example' } })).createChannel;
  assert.equal(flaky.target, `${hook.url}/…`, 'a URL is served masked');
  assert.equal(flaky.hasSecret, true);
  await admin.ok(CREATE, { i: { name: 'refuses', kind: 'WEBHOOK', target: `${hook.url}/refuses`, secret, events: ['FAILED'], domain: 'b.example' } });
  await fail('test.breaks', 'b.example');
  await hook.wait('the third attempt', (r) => r.filter((x) => x.path === '/flaky').length >= 3, 30_000);
  await waitFor('delivered', async () => (await deliveriesOf(admin, 'flaky'))[0]?.status === 'DELIVERED');
  const [ok] = await deliveriesOf(admin, 'flaky');
  assert.equal(ok.attempts, 3);
  assert.equal(ok.event, 'OPENED');
  assert.deepEqual(ok.alert, { kind: 'FAILED', domain: 'b.example' });
  const ids = hook.at('/flaky').map((r) => r.headers['webhook-id']);
  assert.equal(new Set(ids).size, 1, 'every attempt of one event carries the same webhook-id');
  const [refused] = await deliveriesOf(admin, 'refuses');
  assert.equal(refused.status, 'FAILED');
  assert.equal(refused.attempts, 1);
  assert.match(refused.lastError, /^HTTP 400: bad payload/);

  // Retried by hand: delivered once the receiver accepts it.
  hook.respond = () => ({ status: 200 });
  const retried = (await admin.ok('mutation($id: ID!) { retryAlertDelivery(id: $id) { id status attempts } }', { id: refused.id })).retryAlertDelivery;
  assert.deepEqual(retried, { id: refused.id, status: 'PENDING', attempts: 0 });
  await waitFor('the retried delivery', async () => (await deliveriesOf(admin, 'refuses'))[0].status === 'DELIVERED');
  // Nothing is sent again: one more quiet moment, then one request per event and channel.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(hook.at('/flaky').filter((r) => r.headers['webhook-id'] === ids[0]).length, 3);
  assert.equal(new Set(hook.at('/flaky').map((r) => r.body)).size, 1, 'the same body every time');
  assert.equal(hook.at('/refuses').length, 2);
});

test('Slack gets { text }; an email channel sends through SMTP_URL; Send test answers whether it was delivered', async () => {
  const slack = (await admin.ok(CREATE, { i: { name: 'slack', kind: 'SLACK', target: `${hook.url}/services/T000/B000/XXXX`, events: ['FAILED'], domain: 'global' } })).createChannel;
  assert.equal(slack.target, `${hook.url}/…`);
  const email = (await admin.ok(CREATE, { i: { name: 'oncall', kind: 'EMAIL', target: 'Oncall@Example.com, ops@example.com', events: ['FAILED'], domain: 'global' } })).createChannel;
  assert.equal(email.target, 'oncall@example.com, ops@example.com');
  await fail('test.breaks-global', 'global');
  await hook.wait('the Slack message', (r) => r.some((x) => x.path.startsWith('/services/')));
  const body = JSON.parse(hook.received.find((x) => x.path.startsWith('/services/'))!.body);
  assert.deepEqual(Object.keys(body), ['text']);
  assert.match(body.text, /FAILED: test\.breaks-global in global: failed/);
  assert.match(body.text, /<http:\/\/console\.example\/jobs\?job=test\.breaks-global@global&log=\d+\|Open in Jobdeck>/);
  await waitFor('the alert email', async () => mail.find((m) => m.subject?.includes('test.breaks-global')));
  const m = mail.find((x) => x.subject?.includes('test.breaks-global'))!;
  assert.deepEqual((Array.isArray(m.to) ? m.to : [m.to!]).flatMap((t) => t.value.map((v) => v.address)), ['oncall@example.com', 'ops@example.com']);

  assert.equal((await admin.ok('mutation($id: ID!) { testChannel(id: $id) }', { id: slack.id })).testChannel, true);
  assert.equal((await admin.ok('mutation($id: ID!) { testChannel(id: $id) }', { id: email.id })).testChannel, true);
  await waitFor('the test email', async () => mail.find((x) => x.subject?.includes('test message')));
  hook.respond = () => ({ status: 404, body: 'no_service' });
  const r = await admin.query('mutation($id: ID!) { testChannel(id: $id) }', { id: slack.id });
  assert.equal(r.errors?.[0]?.extensions?.code, 'DELIVERY_FAILED');
  assert.match(r.errors![0]!.message, /not delivered: HTTP 404: no_service/);
  hook.respond = () => ({ status: 302, headers: { location: 'https://elsewhere.example/' } });
  assert.match((await admin.query('mutation($id: ID!) { testChannel(id: $id) }', { id: slack.id })).errors![0]!.message, /HTTP 302 \(redirects are not followed/);
  hook.respond = () => ({ status: 200 });
});

test('updating keeps the stored URL and secret when the masked target comes back; delete removes it', async () => {
  const c = (await admin.ok(CREATE, { i: { name: 'keep', kind: 'WEBHOOK', target: `${hook.url}/keep`, secret, events: ['FAILED'] } })).createChannel;
  const u = (await admin.ok('mutation($id: ID!, $i: ChannelInput!) { updateChannel(id: $id, input: $i) { name target events enabled } }', {
    id: c.id,
    i: { name: 'kept', kind: 'WEBHOOK', target: c.target, events: ['FAILED', 'NO_WORKER'], enabled: false },
  })).updateChannel;
  assert.deepEqual(u, { name: 'kept', target: c.target, events: ['FAILED', 'NO_WORKER'], enabled: false });
  const [stored] = await app.deps.sql<{ target: string; secret: string }[]>`SELECT target, secret FROM channels WHERE id = ${c.id}`;
  assert.deepEqual(stored, { target: `${hook.url}/keep`, secret });
  assert.equal((await admin.ok('mutation($id: ID!) { deleteChannel(id: $id) }', { id: c.id })).deleteChannel, true);
  assert.equal((await admin.query('mutation($id: ID!) { deleteChannel(id: $id) }', { id: c.id })).errors?.[0]?.extensions?.code, 'NOT_FOUND');
});

test('a domain administrator sees and manages only his domain: alerts and channels over HTTP, alertChanged over the WebSocket', async () => {
  const own = (await da.ok(CREATE, { i: { name: 'a hook', kind: 'WEBHOOK', target: 'https://hooks.a.example/in', secret, events: ['FAILED'] } })).createChannel;
  assert.equal(own.domain, 'a.example', "a domain administrator's channel is his domain's");
  const theirs = ((await admin.ok('{ channels { id domain } }')).channels as any[]).filter((c) => c.domain !== 'a.example');
  assert.ok(theirs.length > 0);
  assert.deepEqual(((await da.ok('{ channels { id domain } }')).channels as any[]).map((c) => c.domain), ['a.example']);
  for (const c of theirs) {
    for (const q of ['mutation($id: ID!) { deleteChannel(id: $id) }', 'mutation($id: ID!) { testChannel(id: $id) }']) {
      assert.equal((await da.query(q, { id: c.id })).errors?.[0]?.extensions?.code, 'NOT_FOUND');
    }
  }
  const out = await da.query(CREATE, { i: { name: 'x', kind: 'WEBHOOK', target: 'https://hooks.example/x', secret, events: ['FAILED'], domain: 'b.example' } });
  assert.equal(out.errors?.[0]?.extensions?.field, 'input.domain');
  const loop = await da.query(CREATE, { i: { name: 'x', kind: 'WEBHOOK', target: 'http://127.0.0.1:9/x', secret, events: ['FAILED'] } });
  assert.equal(loop.errors?.[0]?.extensions?.field, 'input.target');

  const daWs = da.ws();
  const adminWs = admin.ws();
  try {
    const q = 'subscription { alertChanged { id kind domain resolvedAt acknowledgedBy } }';
    const daSub = subscribe(daWs, q, {}, (items) => items.some((i) => i.alertChanged.domain === 'a.example'));
    const adminSub = subscribe(adminWs, q, {}, (items) => items.some((i) => i.alertChanged.domain === 'a.example'));
    // Let both subscriptions be registered before anything changes.
    await new Promise((r) => setTimeout(r, 300));
    await reopen('test.breaks', 'b.example');
    await reopen('test.breaks-global', 'global');
    await reopen('test.breaks', 'a.example');
    const daItems = await daSub.done;
    const adminItems = await adminSub.done;
    assert.deepEqual(daItems.map((i) => i.alertChanged.domain), ['a.example'], 'nothing of b.example or global');
    assert.ok(adminItems.some((i) => i.alertChanged.domain === 'b.example') && adminItems.some((i) => i.alertChanged.domain === 'global'));
    // Acknowledged: the change is announced too.
    const ackSub = subscribe(daWs, q, {}, (items) => items.some((i) => i.alertChanged.acknowledgedBy));
    await new Promise((r) => setTimeout(r, 200));
    await da.ok('mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }', { id: daItems[0].alertChanged.id });
    assert.equal((await ackSub.done).at(-1).alertChanged.acknowledgedBy, 'da@a.example');
  } finally {
    await daWs.dispose();
    await adminWs.dispose();
  }
  const seen = ((await da.ok('{ alerts(first: 200) { nodes { id domain } } }')).alerts.nodes as any[]).map((a) => a.domain);
  assert.ok(seen.length > 0 && seen.every((d) => d === 'a.example'), JSON.stringify(seen));
  const bAlert = ((await admin.ok('{ alerts(filter: { domain: "b.example" }) { nodes { id } } }')).alerts.nodes as any[])[0];
  const ack = await da.query('mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }', { id: bAlert.id });
  assert.equal(ack.errors?.[0]?.extensions?.code, 'NOT_FOUND');
  assert.equal((await da.ok('{ alerts(filter: { domain: "b.example" }) { totalCount } }')).alerts.totalCount, 0);
});

test('bad input on every channel mutation names the field, and stores nothing', async () => {
  const before = ((await admin.ok('{ channels { id } }')).channels as any[]).length;
  const good = { name: 'ok', kind: 'WEBHOOK', target: 'https://hooks.example.com/x', secret, events: ['FAILED'] };
  const cases: [Record<string, unknown>, string][] = [
    [{ name: '' }, 'input.name'],
    [{ name: 'x'.repeat(101) }, 'input.name'],
    [{ target: 'ftp://hooks.example.com/x' }, 'input.target'],
    [{ target: 'http://hooks.example.com/x' }, 'input.target'],
    [{ target: 'not a url' }, 'input.target'],
    [{ target: 'https://user:pass@hooks.example.com/x' }, 'input.target'],
    [{ secret: 'whsec_not base64!' }, 'input.secret'],
    [{ secret: 'whsec_c2hvcnQ=' }, 'input.secret'],
    [{ secret: null }, 'input.secret'],
    [{ events: [] }, 'input.events'],
    [{ events: ['NO_WORKER'], domain: 'a.example' }, 'input.events'],
    [{ domain: 'nope.example' }, 'input.domain'],
    [{ kind: 'EMAIL', secret: null, target: 'ops@example.com, "Evil" <x@y.z>' }, 'input.target'],
    [{ kind: 'EMAIL', secret: null, target: Array.from({ length: 51 }, (_, i) => `u${i}@example.com`).join(',') }, 'input.target'],
    [{ kind: 'SLACK', secret }, 'input.secret'],
  ];
  for (const [change, field] of cases) {
    const r = await admin.query(CREATE, { i: { ...good, ...change } });
    assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `${JSON.stringify(change)}: ${JSON.stringify(r)}`);
    assert.equal(r.errors?.[0]?.extensions?.field, field, `${JSON.stringify(change)}: ${JSON.stringify(r)}`);
  }
  const c = (await admin.ok(CREATE, { i: good })).createChannel;
  const up = await admin.query('mutation($id: ID!, $i: ChannelInput!) { updateChannel(id: $id, input: $i) { id } }', { id: c.id, i: { ...good, target: 'gopher://x' } });
  assert.equal(up.errors?.[0]?.extensions?.field, 'input.target');
  for (const q of ['mutation { deleteChannel(id: "nope") }', 'mutation { testChannel(id: "nope") }', 'mutation { acknowledgeAlert(id: "x1") { id } }', 'mutation { retryAlertDelivery(id: "-1") { id } }']) {
    assert.equal((await admin.query(q)).errors?.[0]?.extensions?.code, 'NOT_FOUND', q);
  }
  const page = await admin.query('{ alerts(first: 201) { totalCount } }');
  assert.equal(page.errors?.[0]?.extensions?.field, 'first');
  assert.equal((await admin.query('{ alerts(after: "zz") { totalCount } }')).errors?.[0]?.extensions?.field, 'after');
  assert.equal((await admin.query('{ channels { deliveries(first: 0) { id } } }')).errors?.[0]?.extensions?.field, 'first');
  await admin.ok('mutation($id: ID!) { deleteChannel(id: $id) }', { id: c.id });
  assert.equal(((await admin.ok('{ channels { id } }')).channels as any[]).length, before);
});

test('channels per domain are bounded: a loop of createChannel stops with BAD_USER_INPUT and stores nothing more', async () => {
  const made: string[] = [];
  let refused: any;
  for (let i = 0; i < 200; i++) {
    const r = await da.query(CREATE, { i: { name: `loop ${i}`, kind: 'SLACK', target: 'https://hooks.slack.example/x', events: ['FAILED'] } });
    if (r.errors) {
      refused = r.errors[0];
      break;
    }
    made.push(r.data!.createChannel.id);
  }
  assert.equal(refused?.extensions?.field, 'input.domain');
  const [n] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM channels WHERE domain = 'a.example'`;
  assert.equal(n!.n, 100);
});
