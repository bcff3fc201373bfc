/**
 * Generated from the schema: for every string argument of every operation (queries, mutations,
 * subscriptions; inside input objects and lists too), a value holding U+0000 or an unpaired
 * surrogate answers BAD_USER_INPUT naming that argument — over HTTP and over WebSocket — and the
 * server logs no stack trace. A new argument cannot escape: the cases come from the schema itself.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { buildSchema } from '../../graphql/schema';
import { Gql, startTestApp, subscribe, type TestApp } from '../helpers/app';

const HOSTILE = ['a\u0000b', 'lone \ud800 high', 'lone \udc00 low'];

/** A valid value of an input type; every string is "x" (or a well-formed date), lists hold one item. */
function sample(type: GraphQLInputType, depth = 0): unknown {
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) return [sample(t.ofType, depth + 1)];
  if (isEnumType(t)) return t.getValues()[0]!.value;
  if (isInputObjectType(t)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(t.getFields())) if (isNonNullType(f.type) && depth < 6) out[f.name] = sample(f.type, depth + 1);
    return out;
  }
  if (isScalarType(t)) {
    if (t.name === 'Int' || t.name === 'Float') return 1;
    if (t.name === 'Boolean') return false;
    if (t.name === 'DateTime') return '2026-01-01T00:00:00Z';
    return 'x';
  }
  return null;
}

/** Every path to a String or ID inside an argument's type: [] is the argument itself, ["a", "b"] a field of an input. */
function stringPaths(type: GraphQLInputType, depth = 0): string[][] {
  const named = getNamedType(type);
  if (isScalarType(named)) return named.name === 'String' || named.name === 'ID' ? [[]] : [];
  if (!isInputObjectType(named) || depth > 5) return [];
  return Object.values(named.getFields()).flatMap((f) => stringPaths(f.type, depth + 1).map((p) => [f.name, ...p]));
}

/** The argument's sample value with the hostile string put at `path` (through lists, in their one item). */
function withValue(type: GraphQLInputType, path: string[], value: string): unknown {
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) return [withValue(t.ofType, path, value)];
  if (path.length === 0) return value;
  if (!isInputObjectType(t)) throw new Error(`no field ${path[0]} here`);
  const base = (sample(t) ?? {}) as Record<string, unknown>;
  const field = t.getFields()[path[0]!]!;
  return { ...base, [path[0]!]: withValue(field.type, path.slice(1), value) };
}

type Case = { root: 'Query' | 'Mutation' | 'Subscription'; field: string; query: string; variables: Record<string, unknown>; expectField: string };

function cases(): Case[] {
  const schema = buildSchema();
  const out: Case[] = [];
  for (const root of ['Query', 'Mutation', 'Subscription'] as const) {
    const type = root === 'Query' ? schema.getQueryType() : root === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    for (const field of Object.values(type?.getFields() ?? {}) as GraphQLField<unknown, unknown>[]) {
      const selection = isScalarType(getNamedType(field.type)) || isEnumType(getNamedType(field.type)) ? '' : ' { __typename }';
      for (const arg of field.args as GraphQLArgument[]) {
        for (const path of stringPaths(arg.type)) {
          for (const hostile of HOSTILE) {
            const used = field.args.filter((a) => a === arg || isNonNullType(a.type));
            const variables = Object.fromEntries(used.map((a) => [a.name, a === arg ? withValue(a.type, path, hostile) : sample(a.type)]));
            const decl = used.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
            const args = used.map((a) => `${a.name}: $${a.name}`).join(', ');
            const op = root === 'Query' ? 'query' : root === 'Mutation' ? 'mutation' : 'subscription';
            out.push({
              root,
              field: field.name,
              query: `${op} Hostile${decl ? `(${decl})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`,
              variables,
              expectField: [arg.name, ...path].join('.'),
            });
          }
        }
      }
    }
  }
  return out;
}

let app: TestApp;
let admin: Gql;
const serverLog: string[] = [];
before(async () => {
  app = await startTestApp({}, { log: (l) => serverLog.push(l) });
  admin = await new Gql(app.url).login();
});
after(async () => {
  await app?.stop();
});

test('the generated cases reach every operation that takes a string', () => {
  const all = cases();
  const fields = new Set(all.map((c) => `${c.root}.${c.field}`));
  for (const must of ['Query.jobs', 'Query.job', 'Query.jobsByRefs', 'Mutation.updateJob', 'Mutation.createApiToken', 'Mutation.createUser', 'Mutation.login', 'Subscription.executionLog'])
    assert.ok(fields.has(must), `${must} has no case`);
  assert.ok(all.some((c) => c.expectField === 'filter.text'), 'input object fields are reached');
  assert.ok(all.some((c) => c.expectField === 'domains'), 'lists are reached');
});

test('every string argument of every query and mutation: NUL and lone surrogates → BAD_USER_INPUT naming it (HTTP)', async () => {
  let n = 0;
  for (const c of cases().filter((x) => x.root !== 'Subscription')) {
    const r = await admin.raw(c.query, c.variables);
    const e = r.body.errors?.[0];
    assert.equal(e?.extensions?.code, 'BAD_USER_INPUT', `${c.root}.${c.field} ${c.expectField}: ${JSON.stringify(r.body).slice(0, 300)}`);
    assert.equal(e?.extensions?.field, c.expectField, `${c.root}.${c.field}`);
    assert.equal(r.body.data ?? undefined, undefined, 'no resolver ran');
    n++;
  }
  console.log(`hostile strings refused over HTTP: ${n} cases`);
});

test('every string argument, over WebSocket too (subscriptions and queries)', async () => {
  const ws = admin.ws();
  try {
    for (const c of cases().filter((x) => x.root !== 'Mutation')) {
      const err = await subscribe(ws, c.query, c.variables).done.then(() => undefined, (x) => x.errors?.[0] ?? x.detail?.[0] ?? x);
      assert.equal(err?.extensions?.code, 'BAD_USER_INPUT', `${c.root}.${c.field} ${c.expectField}: ${JSON.stringify(err)}`);
      assert.equal(err?.extensions?.field, c.expectField);
    }
  } finally {
    await ws.dispose();
  }
});

test('written as a literal, through a fragment', async () => {
  const viaFragment = await admin.query('query { ...F } fragment F on Query { jobs(filter: { text: "a\\u0000b" }) { totalCount } }');
  assert.deepEqual([viaFragment.errors?.[0]?.extensions?.code, viaFragment.errors?.[0]?.extensions?.field], ['BAD_USER_INPUT', 'filter.text']);
  // Well-formed text outside the BMP (a pair of surrogates) is fine.
  const emoji = await admin.query('query($t: String) { jobs(filter: { text: $t }) { totalCount } }', { t: 'backup 📦' });
  assert.equal(emoji.errors, undefined);
});

test('no stack trace and no masked error was logged for any of them', () => {
  assert.deepEqual(serverLog.filter((l) => /Error|    at |reference/.test(l)), []);
});

test('a persisted-query hash answers PERSISTED_QUERY_NOT_SUPPORTED, never an internal error', async () => {
  for (const body of [
    { extensions: { persistedQuery: { version: 1, sha256Hash: 'deadbeef' } } },
    { query: '{ ok }', extensions: { persistedQuery: { version: 1, sha256Hash: 'deadbeef' } } },
    { query: '{ ok }', extensions: { persistedQuery: { version: 2, sha256Hash: '0'.repeat(64) } } },
  ]) {
    const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const r = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    assert.equal(r.errors?.[0]?.extensions?.code, 'PERSISTED_QUERY_NOT_SUPPORTED', JSON.stringify(r));
    assert.ok(res.status < 500);
  }
  assert.deepEqual(serverLog.filter((l) => /Error|reference/.test(l)), []);
});
