/**
 * Every string argument passes here before any resolver: U+0000 (which PostgreSQL cannot store)
 * and unpaired UTF-16 surrogates (which have no UTF-8 form) answer BAD_USER_INPUT naming the
 * argument, over HTTP and WebSocket alike, instead of failing deep in a query.
 */
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

const NUL = '\u0000';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isSafeText = (s: string) => !s.includes(NUL) && !LONE_SURROGATE.test(s);

type Found = { field: string };

function checkJs(value: unknown, path: string): Found | undefined {
  if (typeof value === 'string') return isSafeText(value) ? undefined : { field: path };
  if (Array.isArray(value)) {
    for (const v of value) {
      const f = checkJs(v, path);
      if (f) return f;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const f = checkJs(v, `${path}.${k}`);
      if (f) return f;
    }
  }
  return undefined;
}

function checkAst(node: ValueNode, path: string, variables: Record<string, unknown>): Found | undefined {
  switch (node.kind) {
    case Kind.STRING:
      return isSafeText(node.value) ? undefined : { field: path };
    case Kind.VARIABLE:
      return checkJs(variables[node.name.value], path);
    case Kind.LIST:
      for (const v of node.values) {
        const f = checkAst(v, path, variables);
        if (f) return f;
      }
      return undefined;
    case Kind.OBJECT:
      for (const field of node.fields) {
        const f = checkAst(field.value, `${path}.${field.name.value}`, variables);
        if (f) return f;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The first argument (as `arg` or `arg.field`) holding an unsafe string, in the operation's fields and fragments. */
export function findUnsafeArgument(document: DocumentNode, variables: Record<string, unknown> | null | undefined): Found | undefined {
  const vars = variables ?? {};
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): Found | undefined => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) {
        for (const arg of sel.arguments ?? []) {
          const f = checkAst(arg.value, arg.name.value, vars);
          if (f) return f;
        }
        const f = walk(sel.selectionSet);
        if (f) return f;
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const f = walk(sel.selectionSet);
        if (f) return f;
      } else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const f = walk(fragments.get(sel.name.value)?.selectionSet);
        if (f) return f;
      }
    }
    return undefined;
  };
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const f = walk(d.selectionSet);
    if (f) return f;
  }
  // A variable that no field uses never gets here: validation refuses it.
  return undefined;
}

export function unsafeArgumentError(found: Found) {
  return new GraphQLError(`${found.field} must not contain NUL characters (U+0000) or unpaired surrogates.`, {
    extensions: { code: 'BAD_USER_INPUT', field: found.field, http: { status: 400 } },
  });
}

/** Apollo Server's side: refused once the operation is known, before any resolver runs. */
export const inputStringsPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ document, request }: { document: DocumentNode; request: { variables?: Record<string, unknown> } }) {
        const found = findUnsafeArgument(document, request.variables);
        if (found) throw unsafeArgumentError(found);
      },
    };
  },
};
