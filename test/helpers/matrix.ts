import { isObjectType, type GraphQLSchema } from 'graphql';

export type RootKind = 'Query' | 'Mutation' | 'Subscription';
export type RootField = { root: RootKind; name: string };

/** Every root field of the schema: what a permission matrix must cover. */
export function rootFields(schema: GraphQLSchema): RootField[] {
  const out: RootField[] = [];
  for (const root of ['Query', 'Mutation', 'Subscription'] as const) {
    const t = root === 'Query' ? schema.getQueryType() : root === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    if (!t || !isObjectType(t)) continue;
    for (const name of Object.keys(t.getFields())) out.push({ root, name });
  }
  return out;
}

/** Root fields that have no entry in `covered` (keys like "Query.jobs"), and entries naming no field. */
export function coverageGaps(schema: GraphQLSchema, covered: Iterable<string>) {
  const want = new Set(rootFields(schema).map((f) => `${f.root}.${f.name}`));
  const have = new Set(covered);
  return { missing: [...want].filter((k) => !have.has(k)).sort(), unknown: [...have].filter((k) => !want.has(k)).sort() };
}

export type Err = { message: string; extensions?: { code?: string; field?: string; [k: string]: unknown } };

/** The error codes of a result, in order. */
export const codesOf = (r: { errors?: readonly Err[] | null }) => (r.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');

/** A result with the given ids replaced (inside strings only) by a placeholder, to compare "out of scope" with "missing". */
export function normalizeIds(value: unknown, ids: (string | number)[]): unknown {
  const sorted = ids.map(String).sort((a, b) => b.length - a.length);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let s = v;
      for (const id of sorted) s = s.split(id).join('<id>');
      return s;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value ?? null);
}
