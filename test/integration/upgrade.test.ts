/**
 * Upgrades lose nothing: a database at the previous release's schema (the committed migrations up
 * to 0006, as they stood when this test was written: migrations are forward-only, so the first
 * files are that schema exactly), with data in it as that release wrote it, is upgraded by three
 * processes starting at once; then every row, execution, log entry, user, token and session is
 * still there and still works through the current code.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { runMigrations, shippedMigrations } from '../../db/migrate';
import { hashPassword, hashSecret } from '../../services/credentials';
import { startJobdeck } from '../../lib/app';
import { Gql, testConfig } from '../helpers/app';
import { createEmptyDatabase } from '../helpers/db';
import { waitFor } from '../helpers/worker';

/** The last migration of the release before this test was written. */
const PREVIOUS_RELEASE_LAST = '0006_list_counts_index_only';
const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations');

/** A migrations folder holding only the previous release's migrations. */
function previousRelease(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-prev-'));
  mkdirSync(path.join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const last = journal.entries.findIndex((e) => e.tag === PREVIOUS_RELEASE_LAST);
  assert.ok(last >= 0, `${PREVIOUS_RELEASE_LAST} is in the journal`);
  const entries = journal.entries.slice(0, last + 1);
  for (const e of entries) copyFileSync(path.join(MIGRATIONS, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  return dir;
}

const TABLES = ['users', 'user_domains', 'domains', 'sessions', 'api_tokens', 'job_rows', 'executions', 'log_entries', 'log_reads', 'outbox', 'audit_log'];
/** Each table's rows as text, over the columns the previous release had (later migrations may add some). */
async function contents(sql: postgres.Sql, columns: Record<string, string[]>) {
  const out: Record<string, string> = {};
  for (const t of TABLES) {
    const cols = columns[t]!.map((c) => `x.${c}`).join(', ');
    const [r] = await sql.unsafe<{ n: number; h: string }[]>(`SELECT count(*)::int AS n, coalesce(md5(string_agg(row(${cols})::text, ',' ORDER BY row(${cols})::text)), '') AS h FROM ${t} x`);
    out[t] = `${r!.n}:${r!.h}`;
  }
  return out;
}

test('the previous release\'s database, with data, upgrades under three processes at once and everything still works', { timeout: 120_000 }, async () => {
  const db = await createEmptyDatabase();
  const oldDir = previousRelease();
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder: oldDir });
    // Data as the previous release wrote it.
    const password = 'old-release-password';
    const [admin] = await sql<{ id: string }[]>`
      INSERT INTO users (email, password_hash, role, all_domains) VALUES ('ops@example.com', ${await hashPassword(password)}, 'SYSTEM_ADMIN', true) RETURNING id`;
    const [da] = await sql<{ id: string }[]>`
      INSERT INTO users (email, password_hash, role) VALUES ('da@acme.example', ${await hashPassword('domain-admin-pass')}, 'DOMAIN_ADMIN') RETURNING id`;
    await sql`INSERT INTO domains (name) VALUES ('acme.example')`;
    await sql`INSERT INTO user_domains (user_id, domain) VALUES (${da!.id}, 'acme.example')`;
    const sessionToken = 'an-old-session-token-value-0123456789';
    await sql`INSERT INTO sessions (token_hash, user_id, expires_at, address) VALUES (${hashSecret(sessionToken)}, ${admin!.id}, now() + interval '1 day', '127.0.0.1')`;
    const apiToken = 'jd_an-old-api-token-value-0123456789';
    await sql`INSERT INTO api_tokens (user_id, name, token_hash) VALUES (${da!.id}, 'integration', ${hashSecret(apiToken)})`;
    const [row] = await sql<{ id: string }[]>`
      INSERT INTO job_rows (job_id, domain, kind, plan_kind, rule, report_send, report_recipients)
      VALUES ('domain.activity-report', 'acme.example', 'PER_DOMAIN', 'SCHEDULED', ${JSON.stringify({ kind: "EVERY_HOURS", every: 6, timeZone: "UTC" })}::jsonb, true, '{ops@acme.example}')
      RETURNING id`;
    const [exec] = await sql<{ id: number }[]>`
      INSERT INTO executions (row_id, job_id, domain, trigger, triggered_by, status, ended_at, last_seq, warning_count)
      VALUES (${row!.id}, 'domain.activity-report', 'acme.example', 'MANUAL', 'ops@example.com', 'WARNING', now(), 3, 1) RETURNING id::int AS id`;
    for (const [seq, level, message] of [[1, 'INFO', 'counting mailboxes'], [2, 'WARNING', 'one quota near its limit'], [3, 'INFO', 'done']] as const)
      await sql`INSERT INTO log_entries (execution_id, seq, at, level, message) VALUES (${exec!.id}, ${seq}, now(), ${level}, ${message})`;
    await sql`UPDATE job_rows SET last_execution_id = ${exec!.id}, last_status = 'WARNING' WHERE id = ${row!.id}`;
    await sql`INSERT INTO log_reads (user_id, row_id, execution_id, seq) VALUES (${admin!.id}, ${row!.id}, ${exec!.id}, 3)`;
    await sql`
      INSERT INTO outbox (execution_id, message_id, recipients, subject, text, html, status, sent_at)
      VALUES (${exec!.id}, '<old@jobdeck>', '{ops@acme.example}', 'WARNING domain.activity-report acme.example', 'log', '<p>log</p>', 'SENT', now())`;
    await sql`INSERT INTO audit_log (actor, action, target, domain) VALUES ('ops@example.com', 'executeNow', 'domain.activity-report', 'acme.example')`;
    const columns: Record<string, string[]> = {};
    for (const t of TABLES)
      columns[t] = (await sql<{ c: string }[]>`SELECT column_name AS c FROM information_schema.columns WHERE table_name = ${t} AND table_schema = 'public' ORDER BY ordinal_position`).map((r) => r.c);
    const before = await contents(sql, columns);

    // Three processes start together on the old database: the advisory lock makes them take turns.
    await Promise.all([0, 1, 2].map(() => runMigrations({ url: db.url })));
    const [applied] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
    assert.equal(applied!.n, shippedMigrations(), 'every migration applied exactly once');
    assert.deepEqual(await contents(sql, columns), before, 'every row of the previous release is still there, unchanged');

    const app = await startJobdeck(testConfig({ DATABASE_URL: db.url }), { console: false, log: () => {} });
    try {
      const byPassword = await new Gql(app.url!).login('ops@example.com', password);
      assert.equal((await byPassword.ok('{ viewer { email role } }')).viewer.email, 'ops@example.com');
      const bySession = new Gql(app.url!);
      bySession.cookie = `jobdeck_session=${sessionToken}`;
      assert.equal((await bySession.ok('{ viewer { email } }')).viewer.email, 'ops@example.com', 'the old session still signs in');
      const byToken = new Gql(app.url!, apiToken);
      assert.deepEqual((await byToken.ok('{ viewer { email domains } }')).viewer, { email: 'da@acme.example', domains: ['acme.example'] });
      const job = (
        await byToken.ok('{ job(jobId: "domain.activity-report", domain: "acme.example") { plan { kind rule { kind every } } report { send recipients } hasUnreadLogs lastExecution { id status triggeredBy logs { entries { seq level message } } } } }')
      ).job;
      assert.deepEqual(job.plan, { kind: 'SCHEDULED', rule: { kind: 'EVERY_HOURS', every: 6 } });
      assert.deepEqual(job.report, { send: true, recipients: ['ops@acme.example'] });
      assert.equal(job.lastExecution.id, String(exec!.id));
      assert.equal(job.lastExecution.status, 'WARNING');
      assert.deepEqual(job.lastExecution.logs.entries.map((e: { message: string }) => e.message), ['counting mailboxes', 'one quota near its limit', 'done']);
      assert.equal((await byPassword.ok('{ outbox { nodes { messageId status } } }')).outbox.nodes[0].messageId, '<old@jobdeck>');
      assert.ok((await byPassword.ok('{ auditLog { nodes { action } } }')).auditLog.nodes.some((n: { action: string }) => n.action === 'executeNow'));
      // The old row still runs.
      const [r] = (await byToken.ok('mutation { executeNow(jobs: [{ jobId: "domain.activity-report", domain: "acme.example" }]) { execution { id } } }')).executeNow;
      await waitFor('the run on the upgraded row to end', async () => (await byToken.ok('query($id: ID!) { execution(id: $id) { status } }', { id: r.execution.id })).execution.status !== 'IN_PROGRESS');
    } finally {
      await app.close();
    }
  } finally {
    await sql.end();
    rmSync(oldDir, { recursive: true, force: true });
    await db.drop();
  }
});
