import postgres from 'postgres';

export type Sql = postgres.Sql;

export type Database = { sql: Sql; url: string; close: () => Promise<void> };

/**
 * The native Date, taken when this module loads. Next.js, in the same process, replaces the global
 * Date with a wrapper that watches clock reads (for its prerenders) and constructs through
 * Reflect.construct; every timestamp postgres.js parsed went through it (~2 % of a jobs page's
 * JavaScript). Parsed and serialised as postgres.js does by default, with the native constructor.
 */
const NativeDate = Date;
const dates = {
  to: 1184,
  from: [1082, 1114, 1184],
  serialize: (x: unknown) => (x instanceof NativeDate ? x : new NativeDate(x as string)).toISOString(),
  parse: (x: string) => new NativeDate(x),
};

/**
 * One pool per process; LISTEN uses its own connection that postgres.js re-opens by itself.
 * Queries are postgres.js tagged templates in db/queries; drizzle owns the schema and migrations
 * (db/migrate.ts), on a connection of its own because drizzle re-registers the date parsers of
 * the client it wraps.
 */
export function connect(url: string, opts: { max?: number; onQuery?: () => void } = {}): Database {
  const sql = postgres(url, {
    max: opts.max ?? 20,
    idle_timeout: 60,
    connect_timeout: 10,
    // postgres.js's default backoff (3^retries / 100 s, up to 20 s) counts the failures of every
    // connection of the pool together: a 2 s restart left the pool and LISTEN away for ~16 s.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 2),
    onnotice: () => {},
    debug: opts.onQuery ? () => opts.onQuery!() : undefined,
    connection: { application_name: 'jobdeck' },
    types: { date: dates },
  }) as unknown as Sql;
  return { sql, url, close: () => sql.end({ timeout: 5 }) };
}
