import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { createTestDatabase } from '../helpers/db';

let drop: () => Promise<void>;
let sql: postgres.Sql;

before(async () => {
  const t = await createTestDatabase();
  drop = t.drop;
  sql = postgres(t.url, { max: 2, onnotice: () => {} });
});
after(async () => {
  await sql.end();
  await drop();
});

test('the template database carries every migration', async () => {
  const rows = await sql<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`;
  const names = rows.map((r) => r.table_name);
  for (const t of ['domains', 'users', 'sessions', 'api_tokens', 'job_rows', 'executions', 'log_entries', 'outbox']) {
    assert.ok(names.includes(t), `missing table ${t}`);
  }
});

test('a row cannot have two executions in progress', async () => {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO job_rows (job_id, domain, kind) VALUES ('x', 'global', 'GLOBAL') RETURNING id`;
  await sql`INSERT INTO executions (row_id, job_id, domain, trigger) VALUES (${row!.id}, 'x', 'global', 'MANUAL')`;
  await assert.rejects(
    sql`INSERT INTO executions (row_id, job_id, domain, trigger) VALUES (${row!.id}, 'x', 'global', 'MANUAL')`,
    /executions_row_in_progress_uq/,
  );
});
