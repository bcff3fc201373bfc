import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function parse(value: unknown) {
  if (typeof value !== 'string' || value.length > 40 || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value))
    throw new GraphQLError('DateTime must be an ISO-8601 string with offset, e.g. 2026-11-24T21:00:00Z.', { extensions: { code: 'BAD_USER_INPUT' } });
  const d = new Date(value);
  // Date rolls 2026-02-30 over to March 2: the written calendar date must be the one that exists.
  const [y, m, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const check = new Date(Date.UTC(y, m - 1, day));
  if (Number.isNaN(d.getTime()) || check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== day) throw new GraphQLError(`${value} is not a real date.`, { extensions: { code: 'BAD_USER_INPUT' } });
  return d;
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  // Log entries arrive already formatted by PostgreSQL (db/queries/logs.ts): 24 characters, UTC.
  serialize: (v) => (v instanceof Date ? v.toISOString() : typeof v === 'string' && v.length === 24 && v.endsWith('Z') ? v : new Date(v as string).toISOString()),
  parseValue: parse,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string.', { extensions: { code: 'BAD_USER_INPUT' } });
    return parse(ast.value);
  },
});
