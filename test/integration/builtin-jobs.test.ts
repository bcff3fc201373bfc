import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { getCreateTableSQL } from '@agendajs/postgres-backend';
import postgres from 'postgres';
import { activityReport, builtinJobs, dbMaintenance, expiredCredentials, retention, selfTest } from '../../jobs/definitions';
import { RETENTION_BATCH } from '../../jobs/definitions/retention';
import type { JobContext, JobDefinition } from '../../jobs/types';
import { loadConfig } from '../../lib/config';
import { createTestDatabase } from '../helpers/db';

let drop: () => Promise<void>;
let sql: postgres.Sql;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-builtin-'));

before(async () => {
  const t = await createTestDatabase();
  drop = t.drop;
  sql = postgres(t.url, { max: 3, onnotice: () => {} });
});
after(async () => {
  await sql.end();
  await drop();
  rmSync(dataDir, { recursive: true, force: true });
});

type Entry = { level: 'INFO' | 'WARNING' | 'ERROR'; message: string };

/** A real JobContext over the test database; it records what the job logs. */
function makeCtx(opts: { domain?: string; env?: Record<string, string>; checkMail?: () => Promise<string>; executionId?: number } = {}) {
  const entries: Entry[] = [];
  const progress: number[] = [];
  const controller = new AbortController();
  const ctx: JobContext = {
    domain: opts.domain ?? 'global',
    executionId: opts.executionId ?? 0,
    log: {
      info: (m) => entries.push({ level: 'INFO', message: m }),
      warn: (m) => entries.push({ level: 'WARNING', message: m }),
      error: (m) => entries.push({ level: 'ERROR', message: m }),
    },
    progress: (p) => progress.push(p),
    signal: controller.signal,
    params: {},
    services: {
      sql,
      config: loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, ...opts.env }),
      checkMail: opts.checkMail ?? (async () => 'local outbox (SMTP_URL is not set)'),
    },
  };
  const text = (level?: Entry['level']) => entries.filter((e) => !level || e.level === level).map((e) => e.message);
  return { ctx, entries, progress, controller, text };
}

async function newRow(jobId: string, domain = 'global'): Promise<string> {
  const [r] = await sql<{ id: string }[]>`
    INSERT INTO job_rows (job_id, domain, kind) VALUES (${jobId}, ${domain}, ${domain === 'global' ? 'GLOBAL' : 'PER_DOMAIN'})
    RETURNING id`;
  return r!.id;
}

/** An execution that started `ageHours` ago; returns its id. */
async function newExecution(rowId: string, ageHours: number, status = 'SUCCESS', error: string | null = null): Promise<number> {
  const [e] = await sql<{ id: string }[]>`
    INSERT INTO executions (row_id, job_id, domain, status, trigger, started_at, ended_at, error)
    SELECT id, job_id, domain, ${status}::execution_status, 'MANUAL',
           now() - make_interval(hours => ${ageHours}), now() - make_interval(hours => ${ageHours}), ${error}
    FROM job_rows WHERE id = ${rowId}
    RETURNING id`;
  return Number(e!.id);
}

const idsOf = async (rowId: string) =>
  (await sql<{ id: string }[]>`SELECT id FROM executions WHERE row_id = ${rowId} ORDER BY id`).map((r) => Number(r.id));

test('the built-in list has unique ids, each with a rule shaped like RuleJson', () => {
  const ids = builtinJobs.map((j: JobDefinition) => j.id);
  assert.deepEqual(ids, ['system.retention', 'system.expired-credentials', 'system.db-maintenance', 'system.self-test', 'domain.activity-report']);
  for (const j of builtinJobs) assert.ok(j.automatic?.kind, j.id);
});

describe('system.retention', () => {
  beforeEach(async () => {
    await sql`DELETE FROM job_rows`;
  });

  test('keeps the newest N finished per row and drops those older than D days, with their logs', async () => {
    const a = await newRow('ret.a');
    const aOld = [];
    for (let i = 6; i >= 1; i--) aOld.push(await newExecution(a, i)); // ids grow as age shrinks
    const aRunning = await newExecution(a, 0, 'IN_PROGRESS');
    await sql`INSERT INTO log_entries (execution_id, seq, at, level, message)
              VALUES (${aOld[0]!}, 1, now(), 'INFO', 'old line'), (${aOld[5]!}, 1, now(), 'INFO', 'kept line')`;

    const b = await newRow('ret.b');
    const bAncient = [await newExecution(b, 24 * 40, 'FAILURE'), await newExecution(b, 24 * 35)];
    const bRecent = [await newExecution(b, 2), await newExecution(b, 1)];

    // c's only execution is ancient but is what the list shows for the row: it stays.
    const c = await newRow('ret.c');
    const cLast = await newExecution(c, 24 * 100);
    await sql`UPDATE job_rows SET last_execution_id = ${cLast} WHERE id = ${c}`;

    // A run still in progress is never deleted, however old.
    const d = await newRow('ret.d');
    const dStuck = await newExecution(d, 24 * 60, 'IN_PROGRESS');

    const { ctx, text, progress } = makeCtx({ env: { RETENTION_PER_ROW: '3', RETENTION_DAYS: '30' } });
    await retention.run(ctx);

    assert.deepEqual(await idsOf(a), [...aOld.slice(3), aRunning]);
    assert.deepEqual(await idsOf(b), bRecent);
    assert.deepEqual(await idsOf(c), [cLast]);
    assert.deepEqual(await idsOf(d), [dStuck]);
    assert.deepEqual(bAncient.length, 2);
    const logs = await sql<{ message: string }[]>`SELECT message FROM log_entries ORDER BY execution_id`;
    assert.deepEqual(logs.map((l) => l.message), ['kept line']);
    assert.match(text('INFO').at(-1)!, /deleted 5: 2 older than 30 days, 3 beyond the newest 3 of their row\.$/);
    assert.equal(progress.at(-1), 100);
  });

  test('works through more executions than one batch holds', async () => {
    const r = await newRow('ret.big');
    const total = RETENTION_BATCH * 2 + 500;
    await sql`
      INSERT INTO executions (row_id, job_id, domain, status, trigger, started_at)
      SELECT ${r}, 'ret.big', 'global', 'SUCCESS', 'SCHEDULE', now() - make_interval(secs => ${total} - g)
      FROM generate_series(1, ${total}) g`;
    const newest = (await idsOf(r)).slice(-5);
    const { ctx, text, progress } = makeCtx({ env: { RETENTION_PER_ROW: '5' } });
    await retention.run(ctx);
    assert.deepEqual(await idsOf(r), newest);
    assert.match(text().at(-1)!, new RegExp(`^Examined ${total} executions; deleted ${total - 5}:`));
    assert.ok(progress.length >= 3, `progress ${progress.join(',')}`);
    assert.deepEqual([...progress].sort((x, y) => x - y), progress, 'progress only goes up');
  });

  test('an empty history is fine', async () => {
    const { ctx, text } = makeCtx();
    await retention.run(ctx);
    assert.deepEqual(text().at(-1), 'No executions: nothing to delete.');
  });
});

test('system.expired-credentials removes expired sessions, old dead tokens and stale sign-in windows', async () => {
  const [u] = await sql<{ id: string }[]>`
    INSERT INTO users (email, password_hash, role) VALUES ('cred@example.com', 'x', 'SYSTEM_ADMIN') RETURNING id`;
  const userId = u!.id;
  await sql`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES
    ('s-expired', ${userId}, now() - interval '1 minute'),
    ('s-live', ${userId}, now() + interval '1 hour')`;
  await sql`INSERT INTO api_tokens (user_id, name, token_hash, expires_at, revoked_at) VALUES
    (${userId}, 'live', 't-live', NULL, NULL),
    (${userId}, 'revoked long ago', 't-rev-old', NULL, now() - interval '31 days'),
    (${userId}, 'revoked lately', 't-rev-new', NULL, now() - interval '2 days'),
    (${userId}, 'expired long ago', 't-exp-old', now() - interval '40 days', NULL),
    (${userId}, 'expired lately', 't-exp-new', now() - interval '1 day', NULL)`;
  await sql`INSERT INTO login_failures (key, window_start, count) VALUES
    ('account:a@example.com', now() - interval '2 days', 3),
    ('address:10.0.0.1', now() - interval '5 minutes', 1)`;

  const { ctx, text, progress } = makeCtx();
  await expiredCredentials.run(ctx);

  const sessions = await sql`SELECT token_hash FROM sessions ORDER BY token_hash`;
  assert.deepEqual(sessions.map((s) => s.token_hash), ['s-live']);
  const tokens = await sql`SELECT token_hash FROM api_tokens ORDER BY token_hash`;
  assert.deepEqual(tokens.map((t) => t.token_hash), ['t-exp-new', 't-live', 't-rev-new']);
  const failures = await sql`SELECT key FROM login_failures`;
  assert.deepEqual(failures.map((f) => f.key), ['address:10.0.0.1']);
  assert.deepEqual(text(), [
    'Deleted 1 expired session.',
    'Deleted 2 API tokens revoked or expired more than 30 days ago.',
    'Deleted 1 stale sign-in failure counter.',
  ]);
  assert.equal(progress.at(-1), 100);
});

describe('system.db-maintenance', () => {
  test('vacuums every table, reports sizes, and warns past DB_SIZE_WARN_MB', async () => {
    const { ctx, text } = makeCtx({ env: { DB_SIZE_WARN_MB: '1' } });
    await dbMaintenance.run(ctx);
    for (const t of ['domains', 'sessions', 'executions', 'log_entries', 'outbox', 'audit_log']) {
      assert.ok(text('INFO').some((m) => new RegExp(`^${t}: vacuumed in \\d+ ms, [\\d.]+ (B|kB|MB)$`).test(m)), t);
    }
    const [warning] = text('WARNING');
    assert.match(warning ?? '', /^Database size [\d.]+ MB is above DB_SIZE_WARN_MB \(1 MB\)/);
    const [stats] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_user_tables WHERE relname = 'executions' AND last_vacuum IS NOT NULL`;
    assert.equal(stats?.n, 1, 'executions was vacuumed');
  });

  test('no warning under the threshold', async () => {
    const { ctx, text } = makeCtx();
    await dbMaintenance.run(ctx);
    assert.deepEqual(text('WARNING'), []);
    assert.match(text().at(-1)!, /^Database size .* \(warning past 10240 MB\)\.$/);
  });

  test('a cancel stops between tables', async () => {
    const { ctx, controller, text } = makeCtx();
    ctx.progress = () => controller.abort('cancel');
    await assert.rejects(dbMaintenance.run(ctx), { message: 'stopped: cancel' });
    assert.equal(text().length, 1, 'stopped after the first table');
  });
});

describe('system.self-test', () => {
  test('one line per check; a missing Agenda table and a broken mail server are reported', async () => {
    const { ctx, entries } = makeCtx({
      checkMail: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:25');
      },
    });
    // Migrations create Agenda's table; take it away to see the check notice.
    await sql`ALTER TABLE agenda_jobs RENAME TO agenda_jobs_away`;
    try {
      await selfTest.run(ctx);
    } finally {
      await sql`ALTER TABLE agenda_jobs_away RENAME TO agenda_jobs`;
    }
    assert.equal(entries.length, 4);
    assert.match(entries[0]!.message, /^database: OK, round trip [\d.]+ ms, PostgreSQL \d+/);
    assert.deepEqual(entries[1], { level: 'WARNING', message: 'agenda: table agenda_jobs is missing: the migrations have not run on this database' });
    assert.deepEqual(entries[2], { level: 'ERROR', message: 'mail: connect ECONNREFUSED 127.0.0.1:25' });
    assert.match(entries[3]!.message, new RegExp(`^disk \\(${dataDir}\\): [\\d.]+ \\w+ free of [\\d.]+ \\w+ \\([\\d.]+ %\\)`));
  });

  test('late unlocked Agenda jobs are a warning; mail OK is info', async () => {
    await sql.unsafe(getCreateTableSQL('agenda_jobs'));
    const { ctx, entries } = makeCtx({ env: { DATA_DIR: path.join(dataDir, 'not', 'yet') } });
    await selfTest.run(ctx);
    assert.deepEqual(entries[1], { level: 'INFO', message: 'agenda: OK, 0 jobs, 0 more than 60 s late' });
    assert.deepEqual(entries[2], { level: 'INFO', message: 'mail: OK, local outbox (SMTP_URL is not set)' });
    assert.match(entries[3]!.message, new RegExp(`^disk \\(${dataDir}\\): `), 'measured on the nearest existing directory');

    await sql`INSERT INTO agenda_jobs (name, next_run_at, locked_at) VALUES
      ('late', now() - interval '5 minutes', NULL),
      ('running', now() - interval '5 minutes', now()),
      ('soon', now() + interval '5 minutes', NULL)`;
    const again = makeCtx();
    await selfTest.run(again.ctx);
    assert.deepEqual(again.entries[1], {
      level: 'WARNING',
      message: 'agenda: 3 jobs, 1 more than 60 s late: is a worker running (ROLE=all or worker)?',
    });
  });
});

describe('domain.activity-report', () => {
  test('counts the last 24 h of its domain, lists failures and warnings, warns on failure', async () => {
    const r1 = await newRow('rep.one', 'acme.example');
    const r2 = await newRow('rep.two', 'acme.example');
    const other = await newRow('rep.one', 'other.example');
    await newExecution(r1, 3);
    await newExecution(r1, 2);
    await newExecution(r2, 5, 'WARNING');
    await newExecution(r2, 4, 'FAILURE', 'exited with code 2');
    await newExecution(r2, 30, 'FAILURE'); // outside the window
    await newExecution(other, 1, 'FAILURE'); // another domain
    const self = await newRow('domain.activity-report', 'acme.example');
    const selfId = await newExecution(self, 0, 'IN_PROGRESS');

    const { ctx, text, entries } = makeCtx({ domain: 'acme.example', executionId: selfId });
    await activityReport.run(ctx);
    const info = text('INFO');
    assert.equal(info[0], 'acme.example, last 24 h: 4 executions (SUCCESS 2, WARNING 1, FAILURE 1)');
    assert.match(info[1]!, /^WARNING rep\.two started \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    assert.match(info[2]!, /^FAILURE rep\.two started .*Z: exited with code 2$/);
    assert.equal(info.length, 3);
    assert.deepEqual(entries.at(-1), {
      level: 'WARNING',
      message: 'acme.example: 1 of 4 executions of the last 24 h failed or were interrupted.',
    });
  });

  test('a quiet domain gets a one-line report and no warning', async () => {
    const { ctx, entries } = makeCtx({ domain: 'quiet.example' });
    await activityReport.run(ctx);
    assert.deepEqual(entries, [{ level: 'INFO', message: 'quiet.example, last 24 h: 0 executions' }]);
  });
});
