import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/**
 * A fresh, migrated database for one test file, cloned from the run's template.
 * Needs the environment that `npm test` (test/run.ts) sets.
 */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.TEST_PG_URL;
  const template = process.env.TEST_TEMPLATE_DB;
  if (!server || !template) throw new Error('Run tests with `npm test` (it starts PostgreSQL and sets TEST_PG_URL).');
  const name = `jobdeck_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`);
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

/** An empty database (no migrations) on the run's server, dropped with the others at the end of the run. */
export async function createEmptyDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.TEST_PG_URL;
  if (!server) throw new Error('Run tests with `npm test` (it starts PostgreSQL and sets TEST_PG_URL).');
  const name = `jobdeck_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
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
