import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  print,
  visit,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
} from 'graphql';

/**
 * Subscription root fields whose events are resolved the same way for every subscriber: their
 * payload (a log entry, a chunk of entries) is shared between subscribers by the LiveHub and none
 * of the fields below them depends on the viewer (scope is decided once, when subscribing).
 */
const SHARED_ROOT_FIELDS = new Set(['executionLog', 'executionLogBatch']);

type Result = ExecutionResult | Promise<ExecutionResult>;
/** payload object → (selection key → result). Dropped with the payload. */
const results = new WeakMap<object, Map<string, Result>>();

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
    if (!r) byKey.set(key, (r = execute({ ...args, rootValue: payload })));
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
