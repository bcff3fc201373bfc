import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, GraphQLError, visit, BREAK, type DocumentNode, type ExecutionResult, type GraphQLSchema, type SourceLocation } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Queries over HTTP run compiled (graphql-jit): each document Apollo has parsed and validated is
 * compiled once into a function that completes its fields without graphql-js's per-field walk
 * (argument values, paths, promise checks for each of a page's 2,000 fields). Apollo Server takes
 * an executor of its own only from a gateway, so this is one that serves our schema unchanged.
 *
 * What stays graphql-js's, so that answers do not change: mutations and subscriptions (never
 * compiled), a document graphql-jit refuses to compile, and any request whose variables graphql-js
 * would refuse (it answers them, with its own messages).
 */
export function compiledQueries(schema: GraphQLSchema): GatewayInterface & { compile: (document: DocumentNode, operationName: string | undefined) => CompiledQuery | null } {
  // Apollo keeps the parsed document of each query text (its document store): the same object comes back.
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();
  const compile = (document: DocumentNode, operationName: string | undefined) => {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let q = byName.get(key);
    if (q === undefined) {
      const c = hasMarker(document) ? null : compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
      q = c && isCompiledQuery(c) ? c : null;
      byName.set(key, q);
    }
    return q;
  };
  const executor: GatewayExecutor = async (rc) => {
    const { document, operation, request, context } = rc;
    const operationName = request.operationName ?? undefined;
    const variables = request.variables ?? {};
    // No operation (none by that name, or several and no name): graphql-js answers it.
    if (operation?.operation === 'query') {
      const q = compile(document, operationName);
      if (q && !getVariableValues(schema, operation.variableDefinitions ?? [], variables).errors) return asGraphqlJs(await q.query(undefined, context, variables));
    }
    return execute({ schema, document, operationName, variableValues: variables, contextValue: context });
  };
  return {
    compile,
    onSchemaLoadOrUpdate: (callback) => {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    load: async () => ({ executor }),
    stop: async () => {},
  };
}

/**
 * graphql-jit's errors are its own: no extensions object when the thrown error had none (Apollo
 * reads error.extensions.code and failed on them). Made graphql-js errors again, with the same
 * message, path, locations and original error, which is all formatError reads.
 */
function asGraphqlJs(r: ExecutionResult): ExecutionResult {
  if (!r.errors?.length) return r;
  const errors = r.errors.map((e) => {
    const g = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined, extensions: e.extensions });
    if (e.locations) (g as { locations?: readonly SourceLocation[] }).locations = e.locations;
    return g;
  });
  return { ...r, errors };
}

/**
 * graphql-jit writes a query's literal argument values into the code it generates, as JSON in which
 * it then replaces strings that begin with its own markers (`"__MAGIC_DATE__<uuid>…"` becomes
 * `new Date(…)`). A string literal sent with that marker would put the rest of itself into the
 * generated function as code. Such a document is never compiled (graphql-js runs it, and the string
 * stays a string); test/unit/jit.test.ts sends one.
 */
function hasMarker(document: DocumentNode) {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes('__MAGIC_')) {
        found = true;
        return BREAK;
      }
    },
  });
  return found;
}
