import { performance } from 'node:perf_hooks';
import {
  createSourceEventStream,
  execute,
  getNullableType,
  getOperationAST,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  print,
  visit,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type SelectionSetNode,
} from 'graphql';

/**
 * Subscription root fields whose events are resolved the same way for every subscriber: their
 * payload (a log entry, a chunk of entries) is shared between subscribers by the LiveHub and none
 * of the fields below them depends on the viewer (scope is decided once, when subscribing). Their
 * resolvers read the payload alone (no arguments, context or info): see compileShared.
 */
const SHARED_ROOT_FIELDS = new Set(['executionLog', 'executionLogBatch']);

type Result = ExecutionResult | Promise<ExecutionResult>;
/** payload object → (selection key → result). Dropped with the payload. */
const results = new WeakMap<object, Map<string, Result>>();
/** Results shared by every subscriber of an event, written once for all of them (see sharedJsonReplacer). */
const shared = new WeakSet<object>();

/**
 * What decides how an event of this subscription is resolved, when that is the same for every
 * subscriber that sends the same selection: the root field's response name and selection set,
 * and the fragments it uses. undefined when the subscription cannot share (another root field,
 * directives on the root, variables inside the selection).
 */
export function shareKey(args: ExecutionArgs): string | undefined {
  // Documents are cached by query text (graphql/limits.ts): most subscriptions reuse one.
  let byOp = keys.get(args.document);
  if (!byOp) keys.set(args.document, (byOp = new Map()));
  const name = args.operationName ?? '';
  if (!byOp.has(name)) byOp.set(name, computeShareKey(args));
  return byOp.get(name);
}
const keys = new WeakMap<object, Map<string, string | undefined>>();

function computeShareKey(args: ExecutionArgs): string | undefined {
  const op = getOperationAST(args.document, args.operationName);
  if (!op || op.operation !== 'subscription' || op.selectionSet.selections.length !== 1) return undefined;
  const root = op.selectionSet.selections[0]!;
  if (root.kind !== Kind.FIELD || !SHARED_ROOT_FIELDS.has(root.name.value) || root.directives?.length || !root.selectionSet) return undefined;
  const fragments = args.document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  let usesVariables = false;
  const check = { Variable: () => void (usesVariables = true) };
  visit(root.selectionSet, check);
  for (const f of fragments) visit(f, check);
  if (usesVariables) return undefined;
  const head: FieldNode = { ...root, arguments: [] };
  return [print(head), ...fragments.map((f) => print(f))].join('\n');
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

/**
 * graphql's subscribe(), except that the result of an event is computed once per process for all
 * the subscribers of a shared payload with the same selection (see shareKey), instead of once per
 * subscriber: 20 viewers of one fast log cost one GraphQL execution per chunk, not 20.
 */
export async function subscribeShared(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!isAsyncIterable(stream)) return stream as ExecutionResult;
  const key = shareKey(args);
  const source = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  const run = (payload: unknown): Result => {
    if (key === undefined || typeof payload !== 'object' || payload === null) return execute({ ...args, rootValue: payload });
    let byKey = results.get(payload);
    if (!byKey) results.set(payload, (byKey = new Map()));
    let r = byKey.get(key);
    if (!r) {
      r = fastExecute(args, payload) ?? execute({ ...args, rootValue: payload });
      // Without errors, the result is the same for every subscriber: its JSON is too.
      const share = (x: ExecutionResult) => (x.errors?.length ? x : (shared.add(x), x));
      byKey.set(key, (r = r instanceof Promise ? r.then(share) : share(r)));
    }
    return r;
  };
  const map = async (r: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> =>
    r.done ? { done: true, value: undefined } : { done: false, value: await run(r.value) };
  const it: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => it,
    next: () => source.next().then(map),
    return: async () => (source.return ? map(await source.return()) : { done: true, value: undefined }),
    throw: async (e: unknown) => {
      if (source.throw) return map(await source.throw(e));
      throw e;
    },
  };
  return it;
}

/**
 * A message's JSON is written by graphql-ws, once per subscriber: with 100 viewers of a fast log,
 * 100 JSON.stringify of the same chunk of entries were most of the server's time. The replacer
 * (graphql-ws `jsonMessageReplacer`) puts a token in place of a shared result, and `sharedParts`
 * (on the socket's send, in the same synchronous call) cuts the message at the token: the result's
 * JSON goes out as UTF-8 encoded once for every subscriber, between the message's own head and tail
 * (three fragments of one WebSocket message). Pasting it into each subscriber's message made 100
 * viewers copy and encode every chunk 100 times (a third of the server's time was garbage
 * collection). onNext must hand graphql-ws the shared result itself (`isSharedResult`).
 */
const TOKEN = `__jobdeck_shared_${Math.random().toString(36).slice(2)}_`;
/**
 * Shared results written as JSON, messages sent with one, and those sent as fragments (lib/web.ts;
 * a test reads them); the milliseconds the writes took, and those of the results sent, summed per send.
 */
export const sharedJsonStats = { written: 0, sent: 0, compiled: 0, fragmented: 0, madeMs: 0, sentMadeMs: 0 };
const pending = new Map<string, object>();
/** A shared result's JSON as UTF-8, encoded once (dropped with the result), and what writing it took (ms). */
const utf8Of = new WeakMap<object, { utf8: Buffer; madeMs: number }>();
let counter = 0;
let sweep: NodeJS.Immediate | undefined;

export function isSharedResult(x: unknown): x is ExecutionResult {
  return typeof x === 'object' && x !== null && shared.has(x);
}

export function sharedJsonReplacer(this: unknown, key: string, value: unknown): unknown {
  if (key !== 'payload' || !isSharedResult(value)) return value;
  const token = `${TOKEN}${++counter}`;
  pending.set(token, value);
  // A message that was never sent (its socket closed meanwhile) leaves its token: dropped next turn.
  sweep ??= setImmediate(() => {
    sweep = undefined;
    pending.clear();
  });
  return token;
}

/**
 * A message about to be sent, cut where its token stands: its head, the shared result's JSON (UTF-8,
 * written and encoded once for every subscriber) and its tail, with the milliseconds that writing
 * and encoding that JSON took the one time it was done. undefined: a message without one.
 */
export function sharedParts(data: string): [string, Buffer, string, number] | undefined {
  const at = data.lastIndexOf(`"${TOKEN}`);
  if (at < 0) return undefined;
  const end = data.indexOf('"', at + 1);
  const token = data.slice(at + 1, end);
  const result = pending.get(token);
  if (result === undefined) return undefined;
  pending.delete(token);
  let made = utf8Of.get(result);
  if (!made) {
    const started = performance.now();
    const utf8 = Buffer.from(JSON.stringify(result));
    utf8Of.set(result, (made = { utf8, madeMs: performance.now() - started }));
    sharedJsonStats.written++;
    sharedJsonStats.madeMs += made.madeMs;
  }
  sharedJsonStats.sent++;
  sharedJsonStats.sentMadeMs += made.madeMs;
  return [data.slice(0, at), made.utf8, data.slice(end + 1), made.madeMs];
}

/**
 * A compiled event: the shared root field's value built straight from the payload, for selections
 * of plain fields (default resolvers, scalars, enums, lists, objects, __typename, aliases). A log
 * chunk of 5,000 entries × 4 fields went through graphql-js's per-field machinery for every viewer's
 * chunk; this is a loop. undefined = not compilable, or a value the fast path does not vouch for (a
 * null where the schema says non-null): graphql-js executes that event, with its errors.
 */
type Build = (source: unknown) => unknown;
const FALLBACK = Symbol('fallback');
const compiled = new WeakMap<object, Map<string, Build | null>>();

function fastExecute(args: ExecutionArgs, payload: unknown): ExecutionResult | undefined {
  let byOp = compiled.get(args.document);
  if (!byOp) compiled.set(args.document, (byOp = new Map()));
  const name = args.operationName ?? '';
  let build = byOp.get(name);
  if (build === undefined) byOp.set(name, (build = compileShared(args)));
  if (!build) return undefined;
  let data: unknown;
  try {
    data = build(payload);
  } catch {
    return undefined; // a value a scalar refuses: graphql-js reports it as a field error
  }
  if (data === FALLBACK) return undefined;
  sharedJsonStats.compiled++;
  return { data: data as Record<string, unknown> };
}

function compileShared(args: ExecutionArgs): Build | null {
  const op = getOperationAST(args.document, args.operationName);
  const type = args.schema.getSubscriptionType();
  if (!op || !type || shareKey(args) === undefined) return null;
  const root = op.selectionSet.selections[0] as FieldNode;
  const field = type.getFields()[root.name.value];
  if (!field?.resolve) return null;
  const value = compileValue(field.type, root.selectionSet);
  if (!value) return null;
  const resolve = field.resolve;
  const key = root.alias?.value ?? root.name.value;
  // The resolver reads its payload only (SHARED_ROOT_FIELDS).
  return (payload) => {
    const v = value(resolve(payload, {}, undefined, undefined as never));
    return v === FALLBACK ? FALLBACK : { [key]: v };
  };
}

function compileValue(t: GraphQLOutputType, selection: SelectionSetNode | undefined): Build | null {
  const nonNull = isNonNullType(t);
  const inner = getNullableType(t);
  let build: Build | null;
  if (isListType(inner)) {
    const item = compileValue(inner.ofType, selection);
    if (!item) return null;
    build = (v) => {
      if (!Array.isArray(v)) return FALLBACK;
      const out = new Array(v.length);
      for (let i = 0; i < v.length; i++) if ((out[i] = item(v[i])) === FALLBACK) return FALLBACK;
      return out;
    };
  } else if (isLeafType(inner)) {
    if (selection) return null;
    build = (v) => inner.serialize(v);
  } else if (isObjectType(inner)) {
    build = selection ? compileObject(inner, selection) : null;
  } else return null;
  if (!build) return null;
  const b = build;
  return (v) => (v === null || v === undefined ? (nonNull ? FALLBACK : null) : b(v));
}

function compileObject(type: GraphQLObjectType, selection: SelectionSetNode): Build | null {
  const fields = type.getFields();
  const plan: { key: string; name: string; build: Build | null }[] = [];
  for (const sel of selection.selections) {
    if (sel.kind !== Kind.FIELD || sel.directives?.length || sel.arguments?.length) return null;
    const key = sel.alias?.value ?? sel.name.value;
    if (sel.name.value === '__typename') {
      plan.push({ key, name: '__typename', build: null });
      continue;
    }
    const f = fields[sel.name.value];
    // A resolver of its own may read arguments, context or info: graphql-js runs it.
    if (!f || f.resolve || plan.some((p) => p.key === key)) return null;
    const build = compileValue(f.type, sel.selectionSet);
    if (!build) return null;
    plan.push({ key, name: f.name, build });
  }
  return (source) => {
    const src = source as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const p of plan) {
      const raw = p.build ? src[p.name] : undefined;
      // graphql-js's default resolver would call a method: not a plain value, not compiled.
      if (typeof raw === 'function') return FALLBACK;
      const v = p.build ? p.build(raw) : type.name;
      if (v === FALLBACK) return FALLBACK;
      out[p.key] = v;
    }
    return out;
  };
}
