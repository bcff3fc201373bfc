import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import {
  execute,
  getOperationAST,
  GraphQLError,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { compiledQueries } from '../../graphql/jit';

// A schema of its own: the executor is what is under test, not Jobdeck's resolvers.
let resolved = 0;
const Item = new GraphQLObjectType({ name: 'Item', fields: { n: { type: new GraphQLNonNull(GraphQLInt) }, label: { type: GraphQLString } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      echo: { type: GraphQLString, args: { s: { type: GraphQLString } }, resolve: (_r, a: { s?: string }) => a.s ?? null },
      items: {
        type: new GraphQLList(Item),
        args: { first: { type: new GraphQLNonNull(GraphQLInt) } },
        resolve: (_r, a: { first: number }) => (resolved++, Array.from({ length: a.first }, (_, i) => ({ n: i, label: `item ${i}` }))),
      },
      plain: { type: GraphQLString, resolve: () => Promise.reject(new Error('a plain error')) },
      coded: { type: GraphQLString, resolve: () => { throw new GraphQLError('refused', { extensions: { code: 'BAD_USER_INPUT' } }); } },
    },
  }),
  mutation: new GraphQLObjectType({ name: 'Mutation', fields: { touch: { type: GraphQLInt, resolve: () => ++resolved } } }),
});

async function executorOf() {
  const { executor } = await compiledQueries(schema).load({ apollo: {} });
  return executor as GatewayExecutor;
}
function request(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  return { document, operation: getOperationAST(document)!, request: { query, variables }, context: {} } as unknown as GatewayGraphQLRequestContext;
}
const plainJs = (query: string, variables?: Record<string, unknown>) => execute({ schema, document: parse(query), variableValues: variables });

test('a compiled query answers exactly as graphql-js does, literals and variables alike', async () => {
  const run = await executorOf();
  for (const [q, v] of [
    ['{ echo(s: "a \\"quoted\\" \\u2028 line") items(first: 3) { n label } }', undefined],
    ['query($s: String, $f: Int!) { echo(s: $s) items(first: $f) { n } }', { s: '</script>\u0000', f: 2 }],
  ] as const) {
    const rc = request(q, v);
    assert.deepEqual(JSON.parse(JSON.stringify(await run(rc))), JSON.parse(JSON.stringify(await plainJs(q, v))));
  }
});

test('a string carrying graphql-jit\'s date marker is never compiled into code', async () => {
  const g = globalThis as { __jitInjected?: number };
  // graphql-jit turns a literal "__MAGIC_DATE__<uuid>X" into `new Date(X)` in the code it generates.
  const payload = '__MAGIC_DATE__33a9e76d_02e0_4128_8e92_3530ad3da74d0)+(globalThis.__jitInjected = 1)+(0';
  const q = `{ echo(s: ${JSON.stringify(payload)}) }`;
  // The hazard itself, in graphql-jit as installed: compiled and run, the string becomes code.
  const raw = compileQuery(schema, parse(q));
  assert.ok(isCompiledQuery(raw));
  await raw.query(undefined, {}, {});
  assert.equal(g.__jitInjected, 1, 'graphql-jit no longer runs the marker as code: graphql/jit.ts hasMarker may go');
  delete g.__jitInjected;
  // Through Jobdeck's executor the string stays a string.
  const run = await executorOf();
  const r = await run(request(q));
  assert.equal(g.__jitInjected, undefined);
  assert.deepEqual({ ...r.data }, { echo: payload });
});

test('errors come back as graphql-js errors, with extensions, path, locations and the original error', async () => {
  const run = await executorOf();
  const r = await run(request('{ plain coded }'));
  assert.equal(r.errors?.length, 2);
  const [plain, coded] = [r.errors!.find((e) => e.path?.[0] === 'plain')!, r.errors!.find((e) => e.path?.[0] === 'coded')!];
  for (const e of [plain, coded]) {
    assert.ok(e instanceof GraphQLError);
    assert.ok(e.extensions && typeof e.extensions === 'object');
    assert.ok(e.locations?.length);
  }
  assert.equal(plain.message, 'a plain error');
  assert.equal((plain.originalError as Error).message, 'a plain error');
  assert.equal(coded.extensions.code, 'BAD_USER_INPUT');
  assert.deepEqual(r.data, { plain: null, coded: null });
});

test('variables graphql-js refuses, and mutations, are answered by graphql-js itself', async () => {
  const run = await executorOf();
  const q = 'query($f: Int!) { items(first: $f) { n } }';
  const bad = await run(request(q, { f: 'three' }));
  const expected = await plainJs(q, { f: 'three' });
  assert.equal(bad.data, undefined);
  assert.deepEqual(bad.errors?.map((e) => e.message), expected.errors?.map((e) => e.message));
  const before = resolved;
  const m = await run(request('mutation { touch }'));
  assert.deepEqual({ ...m.data }, { touch: before + 1 });
});
