import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { PostgresBackend } from '@agendajs/postgres-backend';
import postgres from 'postgres';
import * as schema from './schema';
import type { Database } from './client';

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Applies the committed migrations; several processes starting at once take turns. */
export async function runMigrations(database: Pick<Database, 'url'>) {
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    // Must come first so that a concurrent start waits instead of migrating twice (session lock, one connection).
    await sql`SELECT pg_advisory_lock(7355608)`;
    await migrate(drizzle(sql, { schema }), { migrationsFolder });
    // Agenda's own table is created by its backend; done here, under the same lock, because several
    // backends creating it at once fail with "tuple concurrently updated". Processes then connect
    // their backends with ensureSchema off.
    const agendaSchema = new PostgresBackend({ connectionString: database.url, disableNotifications: true });
    await agendaSchema.connect();
    await agendaSchema.disconnect();
    await sql`SELECT pg_advisory_unlock(7355608)`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** How many migrations this code ships (its journal): a database with fewer is not ready for it. */
export function shippedMigrations(): number {
  const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}
