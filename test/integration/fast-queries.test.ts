/**
 * The fast path for queries already answered (lib/fast-queries.ts): the second answer to the same
 * request, given without Express and Apollo, is byte for byte the first (status, headers, body,
 * compressed or not, whatever the Accept header); what it must not answer itself is handed to Apollo
 * and answered as before (errors, variables graphql-js refuses, refused strings, a body that does
 * not parse, an empty operation name); each viewer's own scope holds on it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { fastQueryStats } from '../../lib/fast-queries';
import { ADMIN, Gql, startTestApp, type TestApp } from '../helpers/app';

let app: TestApp;
let admin: Gql;
let token: string;

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A raw POST (node:http: the headers are exactly these), its body decompressed. */
function post(body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const u = new URL(`${app.url}/graphql`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let raw = Buffer.concat(chunks);
          const enc = res.headers['content-encoding'];
          if (enc === 'gzip') raw = zlib.gunzipSync(raw);
          if (enc === 'br') raw = zlib.brotliDecompressSync(raw);
          resolve({ status: res.statusCode!, headers: res.headers, body: raw.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const comparable = (a: Answer) => {
  const { date: _d, 'x-request-id': _r, 'keep-alive': _k, connection: _c, ...headers } = a.headers;
  return { status: a.status, headers, body: a.body };
};

/** The same request twice: how each was answered, and both answers. */
async function twice(body: string, headers: Record<string, string> = {}) {
  const before0 = { ...fastQueryStats };
  const first = await post(body, headers);
  const before1 = { ...fastQueryStats };
  const second = await post(body, headers);
  return {
    first,
    second,
    firstFast: fastQueryStats.answered - before0.answered > 0 && before1.answered > before0.answered,
    secondFast: fastQueryStats.answered > before1.answered,
    secondHandedOn: fastQueryStats.handedOn > before1.handedOn,
  };
}

before(async () => {
  app = await startTestApp();
  admin = await new Gql(app.url).login();
  token = (await admin.ok<{ createApiToken: { token: string } }>('mutation { createApiToken(name: "fast") { token } }')).createApiToken.token;
  await admin.ok('mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }');
});

after(() => app?.stop());

test('a query answered once is answered again on the fast path, with the same status, headers and body', async () => {
  const cases: [string, string, Record<string, string>][] = [
    ['small, no Accept', JSON.stringify({ query: '{ __typename }' }), {}],
    ['small, graphql-response+json', JSON.stringify({ query: '{ __typename viewer { email } }' }), { accept: 'application/graphql-response+json, application/json;q=0.9' }],
    ['small, application/json', JSON.stringify({ query: '{ __typename viewer { email } }' }), { accept: 'application/json' }],
    ['variables and an operation name', JSON.stringify({ query: 'query Rows($n: Int) { jobs(first: $n) { totalCount nodes { jobId domain } } } query Other { __typename }', operationName: 'Rows', variables: { n: 3 } }), {}],
    ['over 1 KB, gzip', JSON.stringify({ query: '{ jobs(first: 100) { nodes { jobId domain description kind plan { summary } } } }' }), { 'accept-encoding': 'gzip' }],
    ['over 1 KB, brotli', JSON.stringify({ query: '{ jobs(first: 100) { nodes { jobId domain description kind } } }' }), { 'accept-encoding': 'br, gzip' }],
  ];
  for (const [what, body, headers] of cases) {
    const r = await twice(body, headers);
    assert.equal(r.firstFast, false, `${what}: the first answer is Apollo's`);
    assert.equal(r.secondFast, true, `${what}: the second is the fast path's`);
    assert.deepEqual(comparable(r.second), comparable(r.first), what);
    assert.equal(r.first.status, 200, what);
    assert.ok(JSON.parse(r.first.body).data, what);
    if (headers['accept-encoding']) assert.ok(r.second.headers['content-encoding'], `${what}: compressed`);
  }
});

test('what it must not answer itself is handed on and answered as before', async () => {
  const known = JSON.stringify({ query: 'query One($n: Int) { jobs(first: $n) { totalCount } }', variables: { n: -1 } });
  // Errors: Apollo formats them (here: a page size below 1).
  const e = await twice(known);
  assert.equal(e.secondFast, false);
  assert.equal(e.secondHandedOn, true);
  assert.deepEqual(comparable(e.second), comparable(e.first));
  assert.equal(JSON.parse(e.first.body).errors[0].extensions.code, 'BAD_USER_INPUT');

  // A known document with variables graphql-js refuses, a refused string, an empty operation name.
  await twice(JSON.stringify({ query: '{ jobs(first: 1) { totalCount } }' }));
  const q = 'query Jobs($t: String) { jobs(first: 1, filter: { text: $t }) { totalCount } }';
  await twice(JSON.stringify({ query: q, variables: { t: 'x' } }));
  for (const [what, body, expected] of [
    ['variables of the wrong type', JSON.stringify({ query: q, variables: { t: 5 } }), { code: 'BAD_USER_INPUT' }],
    ['a string with a control character', JSON.stringify({ query: q, variables: { t: 'a\u0000b' } }), { code: 'BAD_USER_INPUT' }],
    // graphql-js's own message when no operation is chosen (the compiled executor hands those on).
    ['an empty operation name', JSON.stringify({ query: q, operationName: '', variables: { t: 'x' } }), { message: 'Unknown operation named "".' }],
    ['two operations and no name', JSON.stringify({ query: `${q} query Other { __typename }`, variables: { t: 'x' } }), { message: 'Must provide operation name if query contains multiple operations.' }],
    ['an operation name the document lacks', JSON.stringify({ query: q, operationName: 'Nope', variables: { t: 'x' } }), { message: 'Unknown operation named "Nope".' }],
  ] as const) {
    const n = fastQueryStats.handedOn;
    const a = fastQueryStats.answered;
    const r = await post(body);
    assert.equal(fastQueryStats.answered, a, `${what}: not answered on the fast path`);
    assert.equal(fastQueryStats.handedOn, n + 1, `${what}: handed on`);
    const errors = JSON.parse(r.body).errors;
    assert.ok(errors?.length, `${what}: ${r.body}`);
    if ('code' in expected) assert.equal(errors[0].extensions.code, expected.code, what);
    else assert.equal(errors[0].message, expected.message, what);
  }

  // A body that does not parse, once the path is warm: the same 400 as before it was.
  for (const bad of ['{"query": ', '"just a string"']) {
    const n = fastQueryStats.handedOn;
    const r = await post(bad);
    assert.equal(fastQueryStats.handedOn, n + 1);
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.body), { errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
  }
  // An empty body is {} to the JSON middleware: Apollo's own 400.
  const empty = await post('');
  assert.equal(empty.status, 400);
  assert.match(empty.body, /POST body missing/);
});

test("each request is answered in its own viewer's scope: a domain administrator never sees another domain's rows", async () => {
  await admin.ok(`mutation { createUser(email: "da@example.com", password: "da-password-1234", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }`);
  const da = await new Gql(app.url).login('da@example.com', 'da-password-1234');
  const daToken = (await da.ok<{ createApiToken: { token: string } }>('mutation { createApiToken(name: "da") { token } }')).createApiToken.token;
  const body = JSON.stringify({ query: '{ jobs(first: 500, filter: { kind: PER_DOMAIN }) { nodes { domain } } }' });
  const domainsOf = (a: Answer) => new Set((JSON.parse(a.body).data.jobs.nodes as { domain: string }[]).map((n) => n.domain));
  // Warm with the system administrator, then alternate: every answer after the first is the fast path's.
  await post(body);
  for (let i = 0; i < 3; i++) {
    const a = fastQueryStats.answered;
    const mine = await post(body, { authorization: `Bearer ${daToken}` });
    const all = await post(body);
    assert.equal(fastQueryStats.answered, a + 2);
    assert.deepEqual([...domainsOf(mine)], ['a.example']);
    assert.ok(domainsOf(all).has('b.example'));
  }
  // Signed out: the same document answers UNAUTHENTICATED, through Apollo.
  const n = fastQueryStats.handedOn;
  const anon = await post(body, { authorization: '' });
  assert.equal(fastQueryStats.handedOn, n + 1);
  assert.equal(JSON.parse(anon.body).errors[0].extensions.code, 'UNAUTHENTICATED');
  assert.equal(ADMIN.email.length > 0, true);
});
