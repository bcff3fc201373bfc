import { Kind, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
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

/**
 * The names of the fields selected at `path` below this resolver's field (`['nodes',
 * 'lastExecution']`), through aliases, fragments and directives alike (a field under @skip counts as
 * selected): what a resolver may leave unread. Undefined when the path is not selected at all.
 */
export function selectedFieldsAt(info: GraphQLResolveInfo, path: readonly string[]): Set<string> | undefined {
  // Every selection set at the current depth, fragments expanded into the fields they hold.
  const fieldsOf = (sets: readonly SelectionSetNode[]) => {
    const out: FieldNode[] = [];
    const seen = new Set<string>();
    const walk = (set: SelectionSetNode) => {
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) out.push(s);
        else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
        else if (!seen.has(s.name.value)) {
          seen.add(s.name.value);
          const f = info.fragments[s.name.value];
          if (f) walk(f.selectionSet);
        }
      }
    };
    for (const set of sets) walk(set);
    return out;
  };
  let sets = info.fieldNodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
  for (const name of path) {
    sets = fieldsOf(sets).flatMap((f) => (f.name.value === name && f.selectionSet ? [f.selectionSet] : []));
    if (!sets.length) return undefined;
  }
  return new Set(fieldsOf(sets).map((f) => f.name.value));
}
