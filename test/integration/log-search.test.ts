/**
 * searchLogs (issue #17): finds exactly the lines that contain a text (literally, whatever the case;
 * `%`, `_` and `\` are characters like any other), narrowed by job, domain, level and start times,
 * newest executions first, paged without gap or duplicate; lines of a run still going are found;
 * scope holds for every viewer; bad input answers BAD_USER_INPUT on its field; a statement timeout
 * cuts a search short with a clear error.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defineJob } from '../../jobs/types';
import { indexSearchChunks, searchLogEntries } from '../../db/queries/log-search';
import { startJobdeck } from '../../lib/app';
import { ADMIN, Gql, startTestApp, subscribe, testConfig, type GqlResult, type TestApp } from '../helpers/app';
import type { Viewer } from '../../services/access';
import { getExecution, logsPage, prefetchLogs } from '../../services/executions';
import { makeLoaders } from '../../services/loaders';

let app: TestApp;
let admin: Gql;
let da: Gql;
let releaseLive: () => void = () => {};
const gate = new Promise<void>((r) => (releaseLive = r));
const live = defineJob({
  id: 'test.live-search',
  description: 'Writes a line, then waits',
  kind: 'GLOBAL',
  run: async (ctx) => {
    ctx.log.info('live-needle written while running');
    await Promise.race([gate, new Promise((_, rej) => ctx.signal.addEventListener('abort', () => rej(new Error('stopped'))))]);
  },
});

const codes = (r: GqlResult) => (r.errors ?? []).map((e) => [e.extensions?.code, e.extensions?.field]);

/** An ended execution with these lines, started `hoursAgo` hours ago, written as a worker leaves them. */
async function execution(jobId: string, domain: string, hoursAgo: number, lines: [level: string, message: string][]) {
  const [row] = await app.deps.sql<{ id: string }[]>`SELECT id FROM job_rows WHERE job_id = ${jobId} AND domain = ${domain}`;
  const [e] = await app.deps.sql<{ id: number }[]>`
    INSERT INTO executions (row_id, job_id, domain, trigger, status, started_at, ended_at, last_seq)
    VALUES (${row!.id}, ${jobId}, ${domain}, 'MANUAL', 'SUCCESS', now() - make_interval(hours => ${hoursAgo}), now() - make_interval(hours => ${hoursAgo}) + interval '1 second', ${lines.length})
    RETURNING id::int AS id`;
  for (const [i, [level, message]] of lines.entries()) {
    await app.deps.sql`INSERT INTO log_entries (execution_id, seq, at, level, message) VALUES (${e!.id}, ${i + 1}, now(), ${level}::log_level, ${message})`;
  }
  return String(e!.id);
}

type Hit = { execution: { id: string; domain: string; jobId: string }; entry: { seq: number; level: string; message: string } };
async function search(g: Gql, s: Record<string, unknown>, first = 50, after?: string) {
  return g.query<{ searchLogs: { nodes: Hit[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
    `query($s: LogSearch!, $first: Int, $after: String) { searchLogs(search: $s, first: $first, after: $after) {
      nodes { execution { id domain jobId } entry { seq level message } } pageInfo { hasNextPage endCursor } } }`,
    { s, first, after },
  );
}
const hits = async (g: Gql, s: Record<string, unknown>) => {
  const r = await search(g, s, 200);
  assert.deepEqual(r.errors, undefined);
  return r.data!.searchLogs.nodes.map((n) => `${n.execution.domain}#${n.entry.seq}:${n.entry.message}`);
};

let oldA: string;
let newA: string;
let newB: string;

before(async () => {
  app = await startTestApp({}, { extraJobs: [live] });
  admin = await new Gql(app.url).login();
  await admin.ok('mutation { a: createDomain(name: "a.example") { name } b: createDomain(name: "b.example") { name } }');
  await admin.ok('mutation { createUser(email: "da@a.example", password: "domain-admin-pass", role: DOMAIN_ADMIN, domains: ["a.example"]) { id } }');
  da = await new Gql(app.url).login('da@a.example', 'domain-admin-pass');
  oldA = await execution('domain.activity-report', 'a.example', 48, [
    ['INFO', 'starting'],
    ['ERROR', 'Connection TIMEOUT after 30 s'],
    ['INFO', '100% done_ok'],
  ]);
  newA = await execution('domain.activity-report', 'a.example', 2, [
    ['INFO', 'timeout raised to 60 s'],
    ['WARNING', 'slow: timeout near'],
    ['INFO', 'path C:\\temp\\x'],
  ]);
  newB = await execution('domain.activity-report', 'b.example', 1, [
    ['ERROR', 'b: timeout'],
    ['INFO', 'b: fine'],
  ]);
});

after(async () => {
  releaseLive();
  await app.stop();
});

test('finds exactly the lines containing the text, any case, newest executions first, lines newest first', async () => {
  assert.deepEqual(await hits(admin, { text: 'timeout' }), [
    'b.example#1:b: timeout',
    'a.example#2:slow: timeout near',
    'a.example#1:timeout raised to 60 s',
    'a.example#2:Connection TIMEOUT after 30 s',
  ]);
  assert.deepEqual(await hits(admin, { text: 'no such words here' }), []);
});

test('%, _ and \\ are matched literally, not as patterns', async () => {
  assert.deepEqual(await hits(admin, { text: '100%' }), ['a.example#3:100% done_ok']);
  assert.deepEqual(await hits(admin, { text: 'e_o' }), ['a.example#3:100% done_ok']);
  assert.deepEqual(await hits(admin, { text: '%%' }), []);
  assert.deepEqual(await hits(admin, { text: '\\temp\\' }), ['a.example#3:path C:\\temp\\x']);
  assert.deepEqual(await hits(admin, { text: '.*' }), []);
});

test('narrowed by job, domain, level and the range of start times', async () => {
  assert.deepEqual(await hits(admin, { text: 'timeout', domain: 'b.example' }), ['b.example#1:b: timeout']);
  assert.deepEqual(await hits(admin, { text: 'timeout', levels: ['ERROR'] }), ['b.example#1:b: timeout', 'a.example#2:Connection TIMEOUT after 30 s']);
  assert.deepEqual(await hits(admin, { text: 'timeout', jobId: 'system.self-test' }), []);
  const dayAgo = new Date(Date.now() - 24 * 3600_000).toISOString();
  assert.deepEqual(await hits(admin, { text: 'timeout', startedBefore: dayAgo }), ['a.example#2:Connection TIMEOUT after 30 s']);
  assert.deepEqual((await hits(admin, { text: 'timeout', startedAfter: dayAgo })).length, 3);
  const ids = (await search(admin, { text: 'timeout' })).data!.searchLogs.nodes.map((n) => n.execution.id);
  assert.deepEqual([...new Set(ids)], [newB, newA, oldA]);
});

test('the same answers whether the lines are indexed (log_search) or not yet (read directly)', async () => {
  const searches = [{ text: 'timeout' }, { text: 'TIMEOUT', levels: ['ERROR'] }, { text: '100%' }, { text: 'e_o' }, { text: 'b: ' }, { text: 'line' }];
  // Nothing indexed: every line is read directly.
  await app.deps.sql`DELETE FROM log_search`;
  await app.deps.sql`UPDATE executions SET search_seq = 0`;
  const direct = await Promise.all(searches.map((s) => hits(admin, s)));
  // Everything indexed, by the indexer's own passes.
  while ((await indexSearchChunks(app.deps.sql, { executions: 50, maxLines: 100_000, liveBacklog: 100 })) > 0);
  const [left] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM executions WHERE search_seq < last_seq AND status <> 'IN_PROGRESS'`;
  assert.equal(left!.n, 0, 'every ended execution is indexed');
  const [chunks] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_search WHERE execution_id = ${Number(newA)}`;
  assert.equal(chunks!.n, 1);
  assert.deepEqual(await Promise.all(searches.map((s) => hits(admin, s))), direct);
  assert.ok(direct[0]!.length === 4 && direct[5]!.length === 0);
  // Both ways through the chunks (the newest few, then the index) answer the same, page by page.
  const all = { global: true, all: true, domains: [] };
  // One execution out of the index again, so that both ways to unindexed lines are taken too.
  await app.deps.sql`UPDATE executions SET search_seq = 0 WHERE id = ${Number(newA)}`;
  await app.deps.sql`DELETE FROM log_search WHERE execution_id = ${Number(newA)}`;
  for (const [newestChunks, pendingList] of [[1, 0], [2, 5000], [1000, 0], [1000, 5000]] as const) {
    for (const [i, s] of searches.entries()) {
      const lines: string[] = [];
      let after: { executionId: number; seq: number } | undefined;
      for (;;) {
        const page = await searchLogEntries(app.deps.sql, all, s as never, { first: 1, after }, { newestChunks, pendingList });
        const hit = page[0];
        if (!hit) break;
        lines.push(`${hit.seq}:${hit.message}`);
        if (page.length < 2) break;
        after = { executionId: hit.executionId, seq: hit.seq };
      }
      assert.deepEqual(lines, direct[i]!.map((h) => h.slice(h.indexOf('#') + 1)), `newestChunks ${newestChunks}, pendingList ${pendingList}, ${JSON.stringify(s)}`);
    }
  }
});

test('the indexer takes whole chunks of a run still writing, and the rest of it once it ends', async () => {
  const [row] = await app.deps.sql<{ id: string }[]>`SELECT id FROM job_rows WHERE job_id = 'domain.activity-report' AND domain = 'a.example'`;
  const [e] = await app.deps.sql<{ id: number }[]>`
    INSERT INTO executions (row_id, job_id, domain, trigger, status, started_at, last_seq, owner, heartbeat_at)
    VALUES (${row!.id}, 'domain.activity-report', 'a.example', 'MANUAL', 'IN_PROGRESS', now(), 250, 'test-owner@search', now() + interval '1 hour')
    RETURNING id::int AS id`;
  // Held by an owner that is no worker of the app: unowned, it was a queued run, which the app's
  // worker took and ran now and then (three more lines, 253 indexed instead of 250).
  await app.deps.sql`INSERT INTO log_entries (execution_id, seq, at, level, message)
    SELECT ${e!.id}, g, now(), 'INFO', 'chunky ' || g FROM generate_series(1, 250) g`;
  try {
    while ((await indexSearchChunks(app.deps.sql, { executions: 50, maxLines: 100_000, liveBacklog: 100 })) > 0);
    const [mid] = await app.deps.sql<{ s: number }[]>`SELECT search_seq AS s FROM executions WHERE id = ${e!.id}`;
    assert.equal(mid!.s, 200, 'two whole chunks; the growing third waits');
    assert.equal((await hits(admin, { text: 'chunky 2' })).length, 1 + 10 + 51, 'indexed and not yet indexed lines alike'); // 2, 20–29, 200–250
    assert.deepEqual((await hits(admin, { text: 'chunky 250' })), ['a.example#250:chunky 250']);
    await app.deps.sql`UPDATE executions SET status = 'SUCCESS', ended_at = now() WHERE id = ${e!.id}`;
    while ((await indexSearchChunks(app.deps.sql, { executions: 50, maxLines: 100_000, liveBacklog: 100 })) > 0);
    const [end] = await app.deps.sql<{ s: number }[]>`SELECT search_seq AS s FROM executions WHERE id = ${e!.id}`;
    assert.equal(end!.s, 250);
    assert.equal((await hits(admin, { text: 'chunky 2' })).length, 1 + 10 + 51); // 2, 20–29, 200–250
  } finally {
    await app.deps.sql`DELETE FROM executions WHERE id = ${e!.id}`;
  }
  const [gone] = await app.deps.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_search WHERE execution_id = ${e!.id}`;
  assert.equal(gone!.n, 0, 'deleting an execution deletes its chunks');
});

test('pages follow one another without gap or duplicate', async () => {
  const all = await hits(admin, { text: 'timeout' });
  const seen: string[] = [];
  let after: string | undefined;
  for (;;) {
    const r = await search(admin, { text: 'timeout' }, 1, after);
    const page = r.data!.searchLogs;
    seen.push(...page.nodes.map((n) => `${n.execution.domain}#${n.entry.seq}:${n.entry.message}`));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor!;
  }
  assert.deepEqual(seen, all);
});

test('a line written while its run is still going is found', async () => {
  const r = await admin.ok<{ executeNow: { execution: { id: string } }[] }>('mutation { executeNow(jobs: [{ jobId: "test.live-search", domain: "global" }]) { execution { id } } }');
  const id = r.executeNow[0]!.execution.id;
  // The line is committed once the live log has it.
  const ws = admin.ws();
  await subscribe<{ executionLog: { message: string } }>(ws, 'subscription($id: ID!) { executionLog(executionId: $id) { message } }', { id }, (items) =>
    items.some((i) => i.executionLog.message.includes('live-needle')),
  ).done;
  await ws.dispose();
  assert.deepEqual(await hits(admin, { text: 'live-needle' }), ['global#1:live-needle written while running']);
  const s = await search(admin, { text: 'LIVE-NEEDLE' });
  assert.equal(s.data!.searchLogs.nodes[0]!.execution.id, id);
  releaseLive();
  await admin.ended(id);
});

test('execution.logs: pages read together with their execution answer each its own arguments, in scope, bad input named', async () => {
  // The log pages a query asks for are read at the same time as the execution (graphql/lookahead.ts).
  const Q = `query($id: ID!, $lv: [LogLevel!]) { execution(id: $id) {
    id a: logs(first: 2) { entries { seq message } hasMore }
    b: logs(afterSeq: 1, levels: $lv) { entries { seq level } hasMore }
    skipped: logs(first: 1) @include(if: false) { hasMore }
    ...F ... on Execution { d: logs(afterSeq: 2) { entries { seq } } } } }
    fragment F on Execution { c: logs(text: "TEMP") { entries { seq message } } }`;
  const { execution } = await admin.ok(Q, { id: newA, lv: ['WARNING'] });
  assert.deepEqual(execution, {
    id: newA,
    a: { entries: [{ seq: 1, message: 'timeout raised to 60 s' }, { seq: 2, message: 'slow: timeout near' }], hasMore: true },
    b: { entries: [{ seq: 2, level: 'WARNING' }], hasMore: false },
    c: { entries: [{ seq: 3, message: 'path C:\\temp\\x' }] },
    d: { entries: [{ seq: 3 }] },
  });
  // Another domain's execution answers like a missing one, its log with it; his own is read.
  assert.deepEqual(await da.ok(`query($id: ID!) { execution(id: $id) { logs { entries { seq } } } }`, { id: newB }), { execution: null });
  assert.deepEqual((await da.ok(`query($id: ID!) { execution(id: $id) { logs(afterSeq: 2) { entries { seq } } } }`, { id: newA })).execution.logs.entries, [{ seq: 3 }]);
  const bad = await admin.query(`query($id: ID!) { execution(id: $id) { logs(afterSeq: -1) { hasMore } } }`, { id: newA });
  assert.deepEqual(codes(bad), [['BAD_USER_INPUT', 'afterSeq']]);
  const long = await admin.query(`query($id: ID!, $t: String) { execution(id: $id) { logs(text: $t) { hasMore } } }`, { id: newA, t: 'x'.repeat(201) });
  assert.deepEqual(codes(long), [['BAD_USER_INPUT', 'text']]);
});

test('scope: a domain administrator finds only his domain, whatever he asks; a token the same', async () => {
  assert.deepEqual(await hits(da, { text: 'timeout' }), ['a.example#2:slow: timeout near', 'a.example#1:timeout raised to 60 s', 'a.example#2:Connection TIMEOUT after 30 s']);
  assert.deepEqual(await hits(da, { text: 'timeout', domain: 'b.example' }), []);
  assert.deepEqual(await hits(da, { text: 'live-needle' }), [], 'global is not his');
  const token = (await da.ok('mutation { createApiToken(name: "s") { token } }')).createApiToken.token;
  assert.deepEqual(await hits(new Gql(app.url, token), { text: 'b: ' }), []);
  assert.deepEqual(codes(await search(new Gql(app.url), { text: 'timeout' })), [['UNAUTHENTICATED', undefined]]);
});

test('bad input: BAD_USER_INPUT on its field; a huge first is refused; a long search is cut short by the timeout', async () => {
  assert.deepEqual(codes(await search(admin, { text: '' })), [['BAD_USER_INPUT', 'search.text']]);
  assert.deepEqual(codes(await search(admin, { text: 'x' })), [['BAD_USER_INPUT', 'search.text']]);
  assert.deepEqual(codes(await search(admin, { text: '  ' })), [['BAD_USER_INPUT', 'search.text']]);
  assert.deepEqual(codes(await search(admin, { text: 'y'.repeat(10_000) })), [['BAD_USER_INPUT', 'search.text']]);
  assert.deepEqual(codes(await search(admin, { text: 'timeout' }, 100_000)), [['BAD_USER_INPUT', 'first']]);
  assert.deepEqual(codes(await search(admin, { text: 'timeout', startedAfter: new Date().toISOString(), startedBefore: new Date(Date.now() - 1000).toISOString() })), [
    ['BAD_USER_INPUT', 'search.startedBefore'],
  ]);
  assert.deepEqual(codes(await search(admin, { text: 'timeout' }, 10, 'not-a-cursor')), [['BAD_USER_INPUT', 'after']]);

  // The timeout: a second app on the same database with a 50 ms limit, and a search made slow on purpose.
  const slow = await startJobdeck(testConfig({ SEARCH_TIMEOUT_MS: '50', DATABASE_URL: app.config.DATABASE_URL!, ROLE: 'web' }), { console: false });
  try {
    // 200,000 long lines and a two-letter text (no trigram to narrow by): the search has to read them all.
    await slow.deps.sql`INSERT INTO log_entries (execution_id, seq, at, level, message)
      SELECT ${Number(newB)}, 100 + g, now(), 'INFO', repeat(md5(g::text), 10) FROM generate_series(1, 200000) g`;
    await slow.deps.sql`UPDATE executions SET last_seq = 200100 WHERE id = ${Number(newB)}`;
    const s = await new Gql(slow.url!).login();
    const r = await search(s, { text: 'zz' });
    assert.deepEqual(codes(r), [['BAD_USER_INPUT', 'search.text']]);
    assert.match(r.errors![0]!.message, /took longer than 0\.05 s/);
    // The server goes on answering, and a narrow search still finds its lines.
    assert.deepEqual((await search(s, { text: 'timeout', domain: 'a.example' })).data!.searchLogs.nodes.length, 3);
  } finally {
    await slow.deps.sql`DELETE FROM log_entries WHERE execution_id = ${Number(newB)} AND seq > 100`;
    await slow.deps.sql`DELETE FROM log_search WHERE execution_id = ${Number(newB)}`;
    await slow.deps.sql`UPDATE executions SET last_seq = 2, search_seq = 0 WHERE id = ${Number(newB)}`;
    await slow.close();
  }
});

test('a log page read beside its execution is read again when the execution says it has more lines', async () => {
  // The page's read can start a moment before the execution's: a reader who sees a run's state must see every line it says it has.
  const [me] = await app.deps.sql<{ id: string }[]>`SELECT id FROM users WHERE email = ${ADMIN.email}`;
  const viewer: Viewer = { userId: me!.id, email: ADMIN.email, role: 'SYSTEM_ADMIN', allDomains: true, domains: [], via: 'session', credentialHash: '' };
  const id = await execution('domain.activity-report', 'b.example', 3, [['INFO', 'prefetched 1'], ['INFO', 'prefetched 2']]);
  const loaders = makeLoaders(app.deps, viewer);
  prefetchLogs(app.deps, viewer, loaders, id, { first: 10 });
  assert.equal(loaders.logPages.size, 1);
  assert.equal(((await [...loaders.logPages.values()][0]) ?? []).length, 2);
  // A third line is written (with its last_seq, in one statement, as a worker writes) before the execution is read.
  await app.deps.sql`WITH ins AS (INSERT INTO log_entries (execution_id, seq, at, level, message) VALUES (${Number(id)}, 3, now(), 'INFO', 'prefetched 3'))
    UPDATE executions SET last_seq = 3 WHERE id = ${Number(id)}`;
  const e = await getExecution(app.deps, viewer, loaders, id);
  assert.equal(e!.lastSeq, 3);
  const page = await logsPage(app.deps, viewer, loaders, e!, { first: 10 });
  assert.deepEqual(page.entries.map((x) => x.message), ['prefetched 1', 'prefetched 2', 'prefetched 3']);
  // A page as new as its execution is taken as it was read (its read is not made again): here, one from before the fourth line.
  const again = makeLoaders(app.deps, viewer);
  prefetchLogs(app.deps, viewer, again, id, { first: 2, afterSeq: 1 });
  await Promise.all(again.logPages.values());
  await app.deps.sql`INSERT INTO log_entries (execution_id, seq, at, level, message) VALUES (${Number(id)}, 4, now(), 'INFO', 'prefetched 4')`;
  const kept = await logsPage(app.deps, viewer, again, e!, { first: 2, afterSeq: 1 });
  assert.deepEqual([kept.entries.map((x) => x.seq), kept.hasMore], [[2, 3], false], 'the page read beside the execution (a new read would see line 4: hasMore)');
  // Filtered pages are not read ahead (whether they are complete cannot be told from the execution).
  prefetchLogs(app.deps, viewer, makeLoaders(app.deps, viewer), id, { levels: ['INFO'] });
  const filtered = makeLoaders(app.deps, viewer);
  prefetchLogs(app.deps, viewer, filtered, id, { text: 'prefetched' });
  assert.equal(filtered.logPages.size, 0);
});
