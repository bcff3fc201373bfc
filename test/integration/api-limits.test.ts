/**
 * Every request limit rejects before any resolver runs: each oversized document carries an
 * executeNow that would otherwise start an execution, and the executions table stays as it was.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Lexer, Source, TokenKind } from 'graphql';
import WebSocket from 'ws';
import { LIMITS } from '../../graphql/limits';
import { Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';
import { codesOf } from '../helpers/matrix';
import { waitFor } from '../helpers/worker';

let app: TestApp;
let g: Gql;
let token: string;
before(async () => {
  app = await startTestApp();
  g = await new Gql(app.url).login();
  token = (await g.ok('mutation { createApiToken(name: "limits") { token } }')).createApiToken.token;
});
after(async () => {
  await app?.stop();
});

const RUN = 'executeNow(jobs: [{ jobId: "system.self-test", domain: "global" }])';
// Scheduled runs (the built-in jobs run on the hour) are not this test's executions.
const executions = async () => Number((await app.deps.sql`SELECT count(*)::int AS n FROM executions WHERE trigger <> 'SCHEDULE'`)[0]!.n);
const nested = (k: number, leaf: string, type: string) => `${'... on ' + type + ' { '}`.repeat(k) + leaf + ' }'.repeat(k);
async function finishAll() {
  await waitFor('no execution running', async () => Number((await app.deps.sql`SELECT count(*)::int AS n FROM executions WHERE status = 'IN_PROGRESS'`)[0]!.n) === 0);
}

/** Asserts the document is refused with GRAPHQL_VALIDATION_FAILED/PARSE_FAILED and started nothing. */
async function refused(doc: string, pattern: RegExp, variables?: Record<string, unknown>) {
  await finishAll();
  const before = await executions();
  const r = await g.raw(doc, variables);
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.ok(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'].includes(codesOf(r.body)[0]!), JSON.stringify(r.body));
  assert.match(r.body.errors![0]!.message, pattern);
  assert.equal(r.body.data, undefined);
  assert.equal(await executions(), before, 'no execution was started');
}
/** The control: one step under the limit the same document runs. */
async function accepted(doc: string, variables?: Record<string, unknown>) {
  await finishAll();
  const before = await executions();
  const r = await g.raw(doc, variables);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(codesOf(r.body), []);
  assert.ok((await executions()) > before, 'the control started an execution');
}

function tokenCount(doc: string) {
  const lexer = new Lexer(new Source(doc));
  let n = 0;
  while (lexer.advance().kind !== TokenKind.EOF) n++;
  return n;
}
/** The executeNow plus refs of a missing job (8 tokens each, answered NOT_FOUND) up to exactly n tokens. */
function docOfTokens(n: number) {
  const make = (refs: number, extra: number) =>
    `mutation { executeNow(jobs: [{ jobId: "system.self-test", domain: "global" }${' { jobId: "x", domain: "global" }'.repeat(refs)}]) { reason ${'__typename '.repeat(extra)}} }`;
  const pad = n - tokenCount(make(0, 0));
  const doc = make(Math.floor(pad / 8), pad % 8);
  assert.equal(tokenCount(doc), n);
  return doc;
}

test('depth: 11 refused, 10 runs', async () => {
  // executeNow is depth 1; each inline fragment adds one; reason adds one.
  await refused(`mutation { ${RUN} { ${nested(LIMITS.maxDepth - 1, 'reason', 'ExecuteResult')} } }`, /depth limit of 10/);
  await accepted(`mutation { ${RUN} { ${nested(LIMITS.maxDepth - 2, 'reason', 'ExecuteResult')} } }`);
});

test('aliases: 16 refused, 15 run', async () => {
  const aliased = (n: number) => `mutation { ${Array.from({ length: n }, (_, i) => `a${i}: ${RUN} { reason }`).join(' ')} }`;
  await refused(aliased(LIMITS.maxAliases + 1), /aliases/i);
  await accepted(aliased(LIMITS.maxAliases));
});

test('aliases of __typename count like any other: 16 refused, 15 run', async () => {
  const typenames = (n: number) => `mutation { ${RUN} { reason } ${Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ')} }`;
  await refused(typenames(LIMITS.maxAliases + 1), /aliases limit of 15 exceeded, found 16/i);
  await refused(`mutation { ${RUN} { ${Array.from({ length: 500 }, (_, i) => `t${i}: __typename`).join(' ')} } }`, /aliases/i);
  await accepted(typenames(LIMITS.maxAliases));
});

test('tokens: 2001 refused, 2000 run', async () => {
  await refused(docOfTokens(LIMITS.maxTokens + 1), /token/i);
  await accepted(docOfTokens(LIMITS.maxTokens));
});

test('cost: a page of 5000 log entries under the mutation is refused', async () => {
  await refused(`mutation { ${RUN} { execution { logs(first: 5000) { entries { seq at level message } } } } }`, /Cost limit of \d+ exceeded/);
  await accepted(`mutation { ${RUN} { execution { logs(first: 50) { entries { seq at level message } } } } }`);
});

const BIG = 'mutation($pad: String!) { executeNow(jobs: [{ jobId: "system.self-test", domain: "global" }, { jobId: $pad, domain: "global" }]) { reason } }';
test('a body over 16 MB answers 413 and runs nothing', async () => {
  await finishAll();
  const before = await executions();
  const r = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: g.cookie! },
    body: JSON.stringify({ query: BIG, variables: { pad: 'x'.repeat(16 * 1024 * 1024 + 10) } }),
  });
  assert.equal(r.status, 413);
  await r.arrayBuffer();
  assert.equal(await executions(), before);
  // Just under the cap the same request runs (the long job id answers NOT_FOUND).
  const ok = await g.raw(BIG, { pad: 'x'.repeat(16 * 1024 * 1024 - 1000) });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(await executions(), before + 1);
});

test('array batching is refused', async () => {
  await finishAll();
  const before = await executions();
  const one = { query: `mutation { ${RUN} { reason } }` };
  const r = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: g.cookie! }, body: JSON.stringify([one, one]) });
  const text = await r.text();
  assert.equal(r.status, 400, text);
  assert.match(text, /batch/i);
  assert.equal(await executions(), before);
});

test('CSRF: a GET without a preflight-forcing header is refused; with one it answers', async () => {
  const url = `${app.url}/graphql?query=${encodeURIComponent('{ viewer { email } }')}`;
  const bad = await fetch(url, { headers: { cookie: g.cookie! } });
  const text = await bad.text();
  assert.equal(bad.status, 400, text);
  assert.match(text, /CSRF/);
  const good = await fetch(url, { headers: { cookie: g.cookie!, 'apollo-require-preflight': 'true' } });
  assert.equal(good.status, 200);
  assert.equal(((await good.json()) as any).data.viewer.email, 'admin@example.com');
  // A simple form-like POST (text/plain) is refused too.
  const form = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain', cookie: g.cookie! }, body: JSON.stringify({ query: `mutation { ${RUN} { reason } }` }) });
  assert.equal(form.status, 400);
  await form.arrayBuffer();
});

/** A raw graphql-transport-ws socket, acknowledged. */
async function rawSocket(headers: Record<string, string> = {}) {
  const s = new WebSocket(app.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', { headers });
  const messages: any[] = [];
  const closed = new Promise<{ code: number; reason: string }>((r) => s.on('close', (code, reason) => r({ code, reason: String(reason) })));
  s.on('message', (m) => messages.push(JSON.parse(String(m))));
  await new Promise((r, j) => { s.once('open', r); s.once('error', j); });
  s.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await waitFor('connection_ack', async () => messages.some((m) => m.type === 'connection_ack'), 5000, 20);
  return { s, messages, closed };
}

test('WebSocket: depth, aliases (of __typename too) and tokens are refused on subscriptions before the resolver runs; the socket stays usable', async () => {
  const { s, messages, closed } = await rawSocket();
  const cases = [
    { id: 'depth', query: `subscription { executionLog(executionId: "999999") { ${nested(LIMITS.maxDepth - 1, 'seq', 'LogEntry')} } }`, re: /depth limit/ },
    { id: 'aliases', query: `subscription { executionLog(executionId: "999999") { ${Array.from({ length: 16 }, (_, i) => `s${i}: seq`).join(' ')} } }`, re: /aliases/i },
    { id: 'typename-aliases', query: `subscription { executionLog(executionId: "999999") { seq ${Array.from({ length: 16 }, (_, i) => `t${i}: __typename`).join(' ')} } }`, re: /aliases/i },
    { id: 'tokens', query: `subscription { executionLog(executionId: "999999") { seq ${'__typename '.repeat(LIMITS.maxTokens)}} }`, re: /token/i },
    { id: 'cost', query: `subscription { executionUpdated { logs(first: 5000) { entries { seq at level message } } } }`, re: /Cost limit/ },
  ];
  for (const c of cases) s.send(JSON.stringify({ id: c.id, type: 'subscribe', payload: { query: c.query } }));
  await waitFor('all refused', async () => cases.every((c) => messages.some((m) => m.id === c.id && m.type === 'error')), 5000, 20);
  for (const c of cases) {
    const m = messages.find((x) => x.id === c.id && x.type === 'error');
    assert.match(m.payload[0].message, c.re, JSON.stringify(m));
    assert.notEqual(m.payload[0].extensions?.code, 'NOT_FOUND', 'the resolver did not run');
  }
  // Without the limit breach the resolver answers NOT_FOUND: the control.
  s.send(JSON.stringify({ id: 'control', type: 'subscribe', payload: { query: 'subscription { executionLog(executionId: "999999") { seq } }' } }));
  await waitFor('control', async () => messages.some((m) => m.id === 'control'), 5000, 20);
  const control = messages.find((m) => m.id === 'control');
  assert.equal((control.payload.errors ?? control.payload)[0].extensions.code, 'NOT_FOUND', JSON.stringify(control));
  s.close(1000);
  assert.equal((await closed).code, 1000);
});

test('WebSocket: a frame over 256 KiB closes the socket', async () => {
  const { s, closed } = await rawSocket();
  s.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query: `subscription { heartbeat(count: 1) }`, variables: { pad: 'x'.repeat(257 * 1024) } } }));
  const c = await closed;
  assert.equal(c.code, 1009, JSON.stringify(c));
  // Just under it, the socket lives.
  const ok = await rawSocket();
  ok.s.send(JSON.stringify({ id: 'fine', type: 'subscribe', payload: { query: `subscription { heartbeat(count: 1) }`, variables: { pad: 'x'.repeat(200 * 1024) } } }));
  await waitFor('fine completes', async () => ok.messages.some((m) => m.id === 'fine' && m.type === 'complete'), 5000, 20);
  ok.s.close(1000);
});

test('WebSocket: the 101st subscription on one socket is refused; ended ones free their place', async () => {
  const { s, messages } = await rawSocket();
  const long = 'subscription { heartbeat(seconds: 60, count: 2) }';
  for (let i = 0; i < 100; i++) s.send(JSON.stringify({ id: `h${i}`, type: 'subscribe', payload: { query: long } }));
  await waitFor('100 first beats', async () => messages.filter((m) => m.type === 'next').length === 100, 10000, 20);
  s.send(JSON.stringify({ id: 'h100', type: 'subscribe', payload: { query: long } }));
  await waitFor('101st refused', async () => messages.some((m) => m.id === 'h100'), 5000, 20);
  const m = messages.find((x) => x.id === 'h100');
  assert.equal(m.type, 'error');
  assert.match(m.payload[0].message, /At most 100 subscriptions/);
  // The client completes one: there is room again.
  s.send(JSON.stringify({ id: 'h0', type: 'complete' }));
  await new Promise((r) => setTimeout(r, 100)); // the complete and the next subscribe travel in order on one socket; this only spaces them in the log
  s.send(JSON.stringify({ id: 'again', type: 'subscribe', payload: { query: long } }));
  await waitFor('room again', async () => messages.some((x) => x.id === 'again'), 5000, 20);
  assert.equal(messages.find((x) => x.id === 'again').type, 'next');
  s.close(1000);
});

test('WebSocket: subscriptions that fail in their resolver do not use up the per-socket cap', async () => {
  const { s, messages } = await rawSocket();
  // In waves of 50 (in flight at once they would count against the cap, rightly).
  for (let wave = 0; wave < 3; wave++) {
    for (let i = wave * 50; i < wave * 50 + 50; i++) s.send(JSON.stringify({ id: `nf${i}`, type: 'subscribe', payload: { query: 'subscription { executionLog(executionId: "999999") { seq } }' } }));
    await waitFor('wave answered', async () => messages.filter((m) => m.id?.startsWith('nf') && m.type === 'complete').length === wave * 50 + 50, 10000, 20);
  }
  const codes = new Set(messages.filter((m) => m.id?.startsWith('nf') && m.type !== 'complete').map((m) => (m.payload?.errors ?? m.payload)?.[0]?.extensions?.code));
  assert.deepEqual([...codes], ['NOT_FOUND']);
  s.send(JSON.stringify({ id: 'beat', type: 'subscribe', payload: { query: 'subscription { heartbeat(count: 1) }' } }));
  await waitFor('beat', async () => messages.some((m) => m.id === 'beat'), 5000, 20);
  assert.equal(messages.find((m) => m.id === 'beat').type, 'next', JSON.stringify(messages.find((m) => m.id === 'beat')));
  s.close(1000);
});

test('WebSocket Origin: a cookie socket from a foreign origin is refused (4403); a token socket from it is accepted', async () => {
  const evil = g.ws({ origin: 'http://evil.example' });
  const err = await subscribe(evil, 'subscription { heartbeat(count: 1) }', {}).done.then(() => undefined, (e) => e);
  assert.equal(err?.detail?.code ?? err?.code, 4403, String(err));
  await evil.dispose();
  const own = g.ws({ origin: app.url });
  assert.equal((await subscribe(own, 'subscription { heartbeat(count: 1) }', {}).done).length, 1);
  await own.dispose();
  const tok = new Gql(app.url, token).ws({ origin: 'http://evil.example' });
  assert.equal((await subscribe(tok, 'subscription { heartbeat(count: 1) }', {}).done).length, 1);
  await tok.dispose();
});

test('production: introspection for signed-in viewers only, no field suggestions, no stack traces', async () => {
  const prod = await startTestApp({ NODE_ENV: 'production' });
  try {
    const p = await new Gql(prod.url).login();
    const INTRO = '{ __schema { queryType { name } } t: __type(name: "Job") { name } }';
    assert.deepEqual((await p.ok(INTRO)), { __schema: { queryType: { name: 'Query' } }, t: { name: 'Job' } }, 'a session reads the schema');
    const token = new Gql(prod.url, (await p.ok('mutation { createApiToken(name: "explorer") { token } }')).createApiToken.token);
    assert.equal((await token.ok(INTRO)).__schema.queryType.name, 'Query', 'so does a token');
    const [viaWs] = await subscribe(token.ws(), INTRO, {}).done;
    assert.equal(viaWs.t.name, 'Job', 'and a WebSocket (always signed in)');
    for (const q of [INTRO, '{ __type(name: "Job") { fields { name } } }', 'query { ...F } fragment F on Query { __schema { types { name } } }']) {
      const anon = await new Gql(prod.url).raw(q);
      assert.equal(anon.status, 401, q);
      assert.equal(anon.body.data ?? undefined, undefined);
      assert.deepEqual(anon.body.errors!.map((e) => e.extensions?.code), ['UNAUTHENTICATED'], q);
    }
    assert.equal((await new Gql(prod.url).ok('{ __typename }')).__typename, 'Query', '__typename is not introspection');
    const typo = await p.raw('{ jobz { totalCount } }');
    assert.equal(typo.status, 400);
    assert.doesNotMatch(JSON.stringify(typo.body), /Did you mean/i);
    assert.doesNotMatch(JSON.stringify(typo.body), /stacktrace|at .*\.ts:/i);
    const ws = p.ws();
    const err = await subscribe(ws, 'subscription { __schema { types { name } } }', {}).done.then(() => undefined, (e) => e);
    assert.ok(err, 'a subscription has no __schema');
    assert.doesNotMatch(JSON.stringify(err.errors ?? err), /Did you mean/);
    const typoWs = await subscribe(ws, 'subscription { heartbeet }', {}).done.then(() => undefined, (e) => e);
    assert.doesNotMatch(JSON.stringify(typoWs.errors ?? typoWs), /Did you mean/);
    await ws.dispose();
    // In development the suggestion is there: the assertion above can fail.
    const dev = await g.raw('{ jobz { totalCount } }');
    assert.match(JSON.stringify(dev.body), /Did you mean/);
  } finally {
    await prod.stop();
  }
});
