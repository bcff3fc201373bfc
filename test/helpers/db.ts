import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

type TestDatabase = { url: string; drop: () => Promise<void> };

/** A database of its own on the run's server (named so the run drops it at the end if a test does not). */
async function newDatabase(template?: string): Promise<TestDatabase> {
  const server = process.env.TEST_PG_URL;
  if (!server) throw new Error('Run tests with `npm test` (it starts PostgreSQL and sets TEST_PG_URL).');
  const name = `jobdeck_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(server);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const a = postgres(server, { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/**
 * A fresh, migrated database for one test file, cloned from the run's template.
 * Needs the environment that `npm test` (test/run.ts) sets.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.TEST_TEMPLATE_DB;
  if (!template) throw new Error('Run tests with `npm test` (it starts PostgreSQL and sets TEST_PG_URL).');
  return newDatabase(template);
}

/** An empty database (no migrations): the upgrade test builds an older schema in it. */
export const createEmptyDatabase = () => newDatabase();
