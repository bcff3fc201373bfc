import { Kind, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';

/**
 * The arguments of every `field` the query selects directly under this resolver's result (an
 * object of type `typeName`), fragments included: a resolver can start a read its child will make
 * (see services/executions.ts prefetchLogs). Selections under @skip or @include are left out, so are
 * arguments that do not coerce (the child answers those errors itself).
 */
export function childFieldArgs(info: GraphQLResolveInfo, typeName: string, field: string): Record<string, unknown>[] {
  const type = info.schema.getType(typeName) as GraphQLObjectType | undefined;
  const def = type?.getFields()[field];
  if (!def) return [];
  const found: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined, depth: number) => {
    if (!set || depth > 3) return;
    for (const s of set.selections) {
      if (s.directives?.length) continue;
      if (s.kind === Kind.FIELD) {
        if (s.name.value !== field) continue;
        try {
          found.push(getArgumentValues(def, s, info.variableValues));
        } catch {
          // left to the field's own resolver
        }
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (!s.typeCondition || s.typeCondition.name.value === typeName) walk(s.selectionSet, depth + 1);
      } else {
        const f = info.fragments[s.name.value];
        if (f && f.typeCondition.name.value === typeName && !seen.has(s.name.value)) {
          seen.add(s.name.value);
          walk(f.selectionSet, depth + 1);
        }
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet, 0);
  return found;
}
