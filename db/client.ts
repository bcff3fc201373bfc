import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Sql = postgres.Sql;
export type Db = ReturnType<typeof makeDb>;

function makeDb(sql: Sql) {
  return drizzle(sql, { schema });
}

export type Database = { sql: Sql; db: Db; close: () => Promise<void> };

/** One pool per process; LISTEN uses its own connection that postgres.js re-opens by itself. */
export function connect(url: string, opts: { max?: number; onQuery?: () => void } = {}): Database {
  const sql = postgres(url, {
    max: opts.max ?? 20,
    idle_timeout: 60,
    connect_timeout: 10,
    onnotice: () => {},
    debug: opts.onQuery ? () => opts.onQuery!() : undefined,
    connection: { application_name: 'jobdeck' },
  });
  const db = makeDb(sql);
  return { sql, db, close: () => sql.end({ timeout: 5 }) };
}
