import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from './client';

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Applies the committed migrations; several processes starting at once take turns. */
export async function runMigrations(database: Database) {
  await database.sql.begin(async (tx) => {
    // Must come first so that a concurrent start waits instead of migrating twice.
    await tx`SELECT pg_advisory_xact_lock(7355608)`;
    await migrate(database.db, { migrationsFolder });
  });
}
