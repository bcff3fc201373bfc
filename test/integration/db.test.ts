import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import v8 from 'node:v8';
import postgres from 'postgres';
import { connect } from '../../db/client';
import { createTestDatabase } from '../helpers/db';

let drop: () => Promise<void>;
let sql: postgres.Sql;
let url: string;

before(async () => {
  const t = await createTestDatabase();
  drop = t.drop;
  url = t.url;
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

test('job_rows.last_status follows the status of the row\'s last execution', async () => {
  const [row] = await sql<{ id: string }[]>`INSERT INTO job_rows (job_id, domain, kind) VALUES ('y', 'global', 'GLOBAL') RETURNING id`;
  const [e] = await sql<{ id: string }[]>`INSERT INTO executions (row_id, job_id, domain, trigger) VALUES (${row!.id}, 'y', 'global', 'MANUAL') RETURNING id`;
  await sql`UPDATE job_rows SET last_execution_id = ${e!.id}, last_status = 'IN_PROGRESS' WHERE id = ${row!.id}`;
  await sql`UPDATE executions SET status = 'FAILURE' WHERE id = ${e!.id}`;
  const [r] = await sql<{ last_status: string }[]>`SELECT last_status FROM job_rows WHERE id = ${row!.id}`;
  assert.equal(r!.last_status, 'FAILURE');
});

test('deleting executions deletes their log entries (no foreign key, a statement trigger)', async () => {
  const [row] = await sql<{ id: string }[]>`INSERT INTO job_rows (job_id, domain, kind) VALUES ('z', 'global', 'GLOBAL') RETURNING id`;
  const ids: number[] = [];
  for (let i = 0; i < 3; i++) {
    const [e] = await sql<{ id: number }[]>`
      INSERT INTO executions (row_id, job_id, domain, trigger, status) VALUES (${row!.id}, 'z', 'global', 'MANUAL', 'SUCCESS') RETURNING id::int AS id`;
    await sql`INSERT INTO log_entries (execution_id, seq, at, level, message) SELECT ${e!.id}, s, now(), 'INFO', 'x' FROM generate_series(1, 5) s`;
    ids.push(e!.id);
  }
  await sql`DELETE FROM executions WHERE id = ANY(${ids.slice(0, 2)}::bigint[])`;
  const left = await sql<{ execution_id: string; n: number }[]>`
    SELECT execution_id, count(*)::int AS n FROM log_entries WHERE execution_id = ANY(${ids}::bigint[]) GROUP BY execution_id`;
  assert.deepEqual(left.map((r) => [Number(r.execution_id), r.n]), [[ids[2], 5]]);
});

// postgres.js 3.4.9 runs a type query as each connection starts and dropped its promise: when that
// query failed (the connection terminated while it started, as during a database restart, or a
// statement cancelled), the rejection had no handler and ended the process (porsager/postgres#1192;
// seen here as a fault test's file failing after a database restart). patches/ adds the handler.
test('a connection whose start-up type query fails: its query fails, nothing is left unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => void unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    let failed = 0;
    for (let i = 0; i < 5; i++) {
      // A 1 ms statement timeout from the start cancels the type query of every new connection.
      const db = connect(`${url}${url.includes('?') ? '&' : '?'}statement_timeout=1`, { max: 1 });
      await db.sql`SELECT pg_sleep(0.01)`.catch(() => failed++);
      await db.close();
    }
    assert.equal(failed, 5, 'each connection\'s query failed (the statement timeout applies)');
    // An unhandled rejection is reported after the microtasks of its turn: give it a turn.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(unhandled.map((e) => (e as Error).message), []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  // The same pool options without the timeout work as always.
  const db = connect(url, { max: 1 });
  assert.deepEqual([...(await db.sql`SELECT ARRAY[1, 2]::int[] AS a`)], [{ a: [1, 2] }]);
  await db.close();
});

// postgres.js 3.4.9 gave each query two closures of its own as resolve and reject. With them, V8's
// young-generation collector kept every finished query's rows alive until they were promoted to the
// old generation: ~30 % of everything a query loop allocated survived each scavenge, and only full
// collections freed it (the jobs page spent ~1.3 ms of ~5 ms in the collector). patches/ makes them
// methods. Judged by what scavenges move into the old space while 3,000 small queries run.
test('finished queries are not promoted by the young-generation collector', async () => {
  const db = connect(url, { max: 1 });
  try {
    const page = () => db.sql`SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b, now() AS t FROM generate_series(1, 50) g`;
    for (let i = 0; i < 200; i++) await page();
    const profiler = new v8.GCProfiler();
    profiler.start();
    let rows = 0;
    for (let i = 0; i < 3000; i++) rows += (await page()).length;
    const { statistics } = profiler.stop();
    const oldSpace = (h: { heapSpaceStatistics: { spaceName: string; spaceUsedSize: number }[] }) =>
      h.heapSpaceStatistics.find((s) => s.spaceName === 'old_space')!.spaceUsedSize;
    const scavenges = statistics.filter((s) => s.gcType === 'Scavenge');
    const promoted = scavenges.reduce((n, s) => n + Math.max(0, oldSpace(s.afterGC) - oldSpace(s.beforeGC)), 0);
    assert.equal(rows, 150_000);
    // The loop allocates ~40 MB: enough young-generation collections to judge.
    assert.ok(scavenges.length >= 5, `only ${scavenges.length} scavenges`);
    assert.ok(promoted < 4_000_000, `${(promoted / 1e6).toFixed(1)} MB promoted by ${scavenges.length} scavenges`);
  } finally {
    await db.close();
  }
});

test('a row of many columns is a fast-properties object with every column in order (patched DataRow)', async () => {
  // %HasFastProperties needs V8's natives syntax: asked of a child process on the same driver.
  const script = `
    import postgres from 'postgres';
    const sql = postgres(process.env.URL, { max: 1, onnotice: () => {} });
    const cols = Array.from({ length: 40 }, (_, i) => 'g + ' + i + ' AS c' + i).join(', ');
    const [wide] = await sql.unsafe('SELECT ' + cols + ', NULL::text AS nothing, \\'é ü 漢\\' AS words FROM generate_series(1, 1) g');
    const [dup] = await sql.unsafe('SELECT 1 AS a, 2 AS b, 3 AS a, 4 AS c5, 5 AS c6, 6 AS c7, 7 AS c8, 8 AS c9, 9 AS c10');
    const [proto] = await sql.unsafe('SELECT 1 AS "__proto__", 2 AS b, 3 AS c, 4 AS d, 5 AS e, 6 AS f, 7 AS g, 8 AS h, 9 AS i, \\'{}\\'::jsonb AS "constructor"');
    console.log(JSON.stringify({
      fast: %HasFastProperties(wide), keys: Object.keys(wide), wide, dup: Object.entries(dup),
      protoOwn: Object.prototype.hasOwnProperty.call(proto, '__proto__'), protoIsObject: Object.getPrototypeOf(proto) === Object.prototype, proto: Object.entries(proto),
    }));
    await sql.end();`;
  const { execFileSync } = await import('node:child_process');
  const out = JSON.parse(execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { cwd: process.cwd(), env: { ...process.env, URL: url }, encoding: 'utf8' }));
  assert.equal(out.fast, true, 'a 42-column row built key by key was a dictionary-mode object');
  assert.deepEqual(out.keys, [...Array.from({ length: 40 }, (_, i) => `c${i}`), 'nothing', 'words']);
  assert.equal(out.wide.c0, 1);
  assert.equal(out.wide.c39, 40);
  assert.equal(out.wide.nothing, null);
  assert.equal(out.wide.words, 'é ü 漢');
  // A repeated name keeps its first place and its last value, as assignment one by one did.
  assert.deepEqual(out.dup.slice(0, 2), [['a', 3], ['b', 2]]);
  // A column named __proto__ sets no prototype from a number, and makes no own property, as before.
  assert.equal(out.protoOwn, false);
  assert.equal(out.protoIsObject, true);
  assert.deepEqual(out.proto.at(-1), ['constructor', {}]);
});
