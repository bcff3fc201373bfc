/**
 * Execution reports end to end: a real PostgreSQL, a real SMTP server (smtp-server) and what
 * arrived read back with mailparser. Every test gets a database of its own, so a report left
 * PENDING by one test is never delivered by the sender of another. Waits are on events (SMTP
 * server callbacks, sender outcomes), each bounded by a timeout that says what it waited for.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import postgres from 'postgres';
import { SMTPServer } from 'smtp-server';
import { enqueueReport, reportWanted } from '../../jobs/report/outbox';
import * as outbox from '../../db/queries/outbox';

/** The whole outbox, as a system administrator of every domain reads it. */
const ALL = { global: true, all: true, domains: [] };
const listOutbox = (sql: Parameters<typeof outbox.listOutbox>[0], f: { status?: outbox.OutboxStatus; first: number; after?: string | null }) =>
  outbox.listOutbox(sql, ALL, { status: f.status, first: f.first, afterId: f.after ? Number(f.after) : undefined });
const retryOutbox = async (sql: Parameters<typeof outbox.retryOutbox>[0], id: number) => (await outbox.retryOutbox(sql, ALL, id)) !== undefined;
import { checkMail, createMailer, startOutboxSender, type OutboxSender, type SendOutcome } from '../../jobs/report/sender';
import { createTestDatabase } from '../helpers/db';

const SENDER_MODULE = fileURLToPath(new URL('../../jobs/report/sender.ts', import.meta.url));
const MAIL_FROM = 'jobdeck@localhost';
const quiet = { warn() {}, error() {} };

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when `pred` holds for a value pushed so far or later. */
class Events<T> {
  readonly seen: T[] = [];
  private waiters: { pred: (v: T) => boolean; resolve: (v: T) => void }[] = [];
  push(v: T) {
    this.seen.push(v);
    this.waiters = this.waiters.filter((w) => (w.pred(v) ? (w.resolve(v), false) : true));
  }
  wait(pred: (v: T) => boolean, ms: number, what: string): Promise<T> {
    const hit = this.seen.find(pred);
    if (hit !== undefined) return Promise.resolve(hit);
    return within(new Promise<T>((resolve) => this.waiters.push({ pred, resolve })), ms, what);
  }
  count(pred: (v: T) => boolean) {
    return this.seen.filter(pred).length;
  }
}

type Verdict = { responseCode: number; message: string } | undefined;
const smtpError = (v: NonNullable<Verdict>) => Object.assign(new Error(v.message), { responseCode: v.responseCode });

/** A real SMTP server on 127.0.0.1; hooks decide per RCPT / per message what it answers. */
class TestSmtp {
  readonly mail = new Events<ParsedMail>();
  rcptCalls = 0;
  /** false: accepted mail is not kept (the 1,000-report test measures memory). */
  keep = true;
  onRcpt: (n: number) => Verdict = () => undefined;
  onMessage: (m: ParsedMail) => Promise<Verdict> | Verdict = () => undefined;
  private server: SMTPServer;
  port = 0;
  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 1000,
      onRcptTo: (_address, _session, cb) => {
        const v = this.onRcpt(++this.rcptCalls);
        cb(v ? smtpError(v) : undefined);
      },
      onData: (stream, _session, cb) => {
        simpleParser(stream)
          .then(async (m) => {
            const v = await this.onMessage(m);
            if (!v && this.keep) this.mail.push(m);
            cb(v ? smtpError(v) : undefined);
          })
          .catch((err: Error) => cb(err));
      },
    });
  }
  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }
  get url() {
    return `smtp://127.0.0.1:${this.port}`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function withDb(fn: (sql: postgres.Sql, url: string) => Promise<void>) {
  const db = await createTestDatabase();
  const sql = postgres(db.url, { max: 5, onnotice: () => {} });
  try {
    await fn(sql, db.url);
  } finally {
    await sql.end({ timeout: 5 });
    await db.drop();
  }
}

type Level = 'PROGRESS' | 'INFO' | 'WARNING' | 'ERROR';
type Fixture = {
  jobId?: string;
  domain?: string;
  status?: string;
  when?: 'ALWAYS' | 'WARNING_OR_FAILURE' | 'FAILURE';
  recipients?: string[];
  logs?: [Level, string][];
  /** Adds this many INFO lines "line <n>" through generate_series. */
  bulkLines?: number;
};

async function makeRow(sql: postgres.Sql, f: Fixture = {}) {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO job_rows (job_id, domain, kind, report_send, report_recipients, report_when)
    VALUES (${f.jobId ?? 'system.retention'}, ${f.domain ?? 'acme.example'}, 'PER_DOMAIN', true,
      ${f.recipients ?? ['ops@acme.example']}::text[], ${f.when ?? 'ALWAYS'})
    RETURNING id`;
  return row!.id;
}

async function makeExecution(sql: postgres.Sql, rowId: string, f: Fixture = {}) {
  const logs = f.logs ?? [];
  const [e] = await sql<{ id: number }[]>`
    INSERT INTO executions (row_id, job_id, domain, status, trigger, triggered_by, started_at, ended_at,
      warning_count, error_count, last_seq)
    SELECT id, job_id, domain, ${f.status ?? 'FAILURE'}, 'MANUAL', 'alice@acme.example',
      '2026-11-24T21:00:00Z', '2026-11-24T21:02:05Z',
      ${logs.filter(([l]) => l === 'WARNING').length}, ${logs.filter(([l]) => l === 'ERROR').length},
      ${logs.length + (f.bulkLines ?? 0)}
    FROM job_rows WHERE id = ${rowId}
    RETURNING id::int AS id`;
  const id = e!.id;
  if (logs.length) {
    await sql`
      INSERT INTO log_entries (execution_id, seq, at, level, message)
      SELECT ${id}, n, '2026-11-24T21:00:00Z'::timestamptz + n * interval '1 second', l::log_level, m
      FROM unnest(${logs.map(([l]) => l)}::text[], ${logs.map(([, m]) => m)}::text[]) WITH ORDINALITY AS t(l, m, n)`;
  }
  if (f.bulkLines) {
    await sql`
      INSERT INTO log_entries (execution_id, seq, at, level, message)
      SELECT ${id}, ${logs.length} + n, now(), 'INFO', 'line ' || n FROM generate_series(1, ${f.bulkLines}::int) n`;
  }
  return id;
}

const OPTS = { publicUrl: 'https://console.example', maxLines: 200, descriptionOf: () => 'Removes old executions' };

/** Starts a sender whose outcomes can be awaited; stopped by the caller. */
function sender(sql: postgres.Sql, smtpUrl: string | undefined, extra: Partial<Parameters<typeof startOutboxSender>[0]> = {}) {
  const outcomes = new Events<SendOutcome>();
  const s: OutboxSender = startOutboxSender({
    sql,
    config: { SMTP_URL: smtpUrl, MAIL_FROM },
    baseDelayMs: 50,
    pollMs: 200,
    log: quiet,
    onOutcome: (o) => outcomes.push(o),
    ...extra,
  });
  return { ...s, outcomes };
}

test('a report arrives with its subject, both parts, the coloured log and a link', async () => {
  await withDb(async (sql) => {
    const rowId = await makeRow(sql, { recipients: ['ops@acme.example', 'lead@acme.example'] });
    const id = await makeExecution(sql, rowId, {
      logs: [
        ['INFO', 'starting'],
        ['PROGRESS', 'Progress 50%'],
        ['WARNING', 'slow disk'],
        ['ERROR', '<script>alert(1)</script> & boom'],
      ],
    });
    // As the runner does: inside the transaction that ends the execution.
    const queued = await sql.begin((tx) => enqueueReport(tx, id, OPTS));
    assert.equal(queued, true);
    const smtp = new TestSmtp();
    await smtp.listen();
    const s = sender(sql, smtp.url);
    try {
      s.kick();
      const m = await smtp.mail.wait(() => true, 15_000, 'the report');
      await s.outcomes.wait((o) => o.outcome === 'SENT', 5_000, 'the row marked SENT');
      assert.equal(m.subject, '[Jobdeck] FAILURE · acme.example · system.retention');
      assert.equal(m.messageId, `<execution-${id}@console.example>`);
      const to = (Array.isArray(m.to) ? m.to : [m.to]).flatMap((a) => a?.value.map((v) => v.address) ?? []);
      assert.deepEqual(to.sort(), ['lead@acme.example', 'ops@acme.example']);
      assert.equal(m.from?.value[0]?.address, MAIL_FROM);
      const text = m.text ?? '';
      for (const s of ['Status:', 'FAILURE', 'Removes old executions', 'MANUAL by alice@acme.example', '2 min 5 s', 'slow disk']) {
        assert.ok(text.includes(s), `text part lacks ${s}`);
      }
      assert.match(text, /Warnings:\s+1/);
      assert.match(text, /ERROR\s+<script>alert\(1\)<\/script> & boom/);
      assert.ok(text.includes(`https://console.example/jobs?job=system.retention@acme.example&log=${id}`));
      const html = typeof m.html === 'string' ? m.html : '';
      assert.ok(!html.includes('<script>'), 'log text must be escaped in HTML');
      assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62; &#38; boom'));
      assert.match(html, /color:#e03131;"><span[^>]*>21:00:04<\/span> <span[^>]*>ERROR/, 'ERROR in red');
      assert.match(html, /color:#e8590c;"><span[^>]*>21:00:03<\/span> <span[^>]*>WARNING/, 'WARNING in orange');
      assert.match(html, /color:#868e96;"><span[^>]*>21:00:02<\/span> <span[^>]*>PROGRESS/, 'PROGRESS in grey');
      assert.ok(html.includes(`href="https://console.example/jobs?job=system.retention@acme.example&#38;log=${id}"`));
      assert.ok(!/<style|<link|<script/i.test(html), 'inline styles only');
      const [row] = await sql`SELECT status, attempts, sent_at FROM outbox WHERE execution_id = ${id}`;
      assert.equal(row!.status, 'SENT');
      assert.equal(row!.attempts, 1);
      assert.match(await checkMail({ SMTP_URL: smtp.url, MAIL_FROM }), /accepts connections/);
    } finally {
      await s.stop();
      await smtp.close();
    }
  });
});

test('a long log is cut in the middle, and one execution is queued once', async () => {
  await withDb(async (sql) => {
    const rowId = await makeRow(sql);
    const id = await makeExecution(sql, rowId, { bulkLines: 1000 });
    assert.equal(await enqueueReport(sql, id, { ...OPTS, maxLines: 10 }), true);
    assert.equal(await enqueueReport(sql, id, { ...OPTS, maxLines: 10 }), false, 'second call is a no-op');
    const { nodes } = await listOutbox(sql, { first: 10 });
    assert.equal(nodes.length, 1);
    const text = nodes[0]!.text;
    const shown = [...text.matchAll(/INFO\s+line (\d+)$/gm)].map((x) => Number(x[1]));
    assert.deepEqual(shown, [1, 2, 3, 4, 5, 996, 997, 998, 999, 1000]);
    assert.ok(text.includes('… 990 lines left out …'));
    assert.ok(nodes[0]!.html.includes('… 990 lines left out …'));
  });
});

test('report_when decides: "only on failure" sends nothing for a success', async () => {
  assert.equal(reportWanted('ALWAYS', 'SUCCESS'), true);
  assert.equal(reportWanted('WARNING_OR_FAILURE', 'SUCCESS'), false);
  assert.equal(reportWanted('WARNING_OR_FAILURE', 'INTERRUPTED'), true);
  assert.equal(reportWanted('FAILURE', 'WARNING'), false);
  assert.equal(reportWanted('FAILURE', 'INTERRUPTED'), true);
  await withDb(async (sql) => {
    const quietRow = await makeRow(sql, { when: 'FAILURE' });
    const ok = await makeExecution(sql, quietRow, { status: 'SUCCESS' });
    assert.equal(await enqueueReport(sql, ok, OPTS), false);
    const loudRow = await makeRow(sql, { jobId: 'system.selftest', when: 'ALWAYS' });
    const marker = await makeExecution(sql, loudRow, { status: 'SUCCESS' });
    assert.equal(await enqueueReport(sql, marker, OPTS), true);
    const smtp = new TestSmtp();
    await smtp.listen();
    const s = sender(sql, smtp.url);
    try {
      // The other row's report proves the sender ran; by then the success report would have gone too.
      await s.outcomes.wait((o) => o.outcome === 'SENT', 15_000, 'the ALWAYS report');
      assert.equal(smtp.mail.seen.length, 1);
      assert.equal(smtp.mail.seen[0]!.subject, '[Jobdeck] SUCCESS · acme.example · system.selftest');
      const [n] = await sql`SELECT count(*)::int AS n FROM outbox WHERE execution_id = ${ok}`;
      assert.equal(n!.n, 0);
    } finally {
      await s.stop();
      await smtp.close();
    }
  });
});

test('SMTP down for a while, then back: the report arrives exactly once', async () => {
  await withDb(async (sql) => {
    const id = await makeExecution(sql, await makeRow(sql));
    await enqueueReport(sql, id, OPTS);
    const port = await freePort();
    const s = sender(sql, `smtp://127.0.0.1:${port}`);
    const smtp = new TestSmtp();
    try {
      const second = await s.outcomes.wait((o) => o.outcome === 'RETRY' && o.attempts >= 2, 15_000, 'two refused attempts');
      assert.match(second.outcome === 'RETRY' ? second.error : '', /ECONNREFUSED|ECONNECTION|ESOCKET/);
      const [row] = await sql`SELECT status, attempts, next_attempt_at > now() - interval '1 minute' AS later FROM outbox`;
      assert.equal(row!.status, 'PENDING');
      await smtp.listen(port);
      s.kick();
      await s.outcomes.wait((o) => o.outcome === 'SENT', 15_000, 'delivery once the server is back');
      assert.equal(smtp.mail.seen.length, 1);
      assert.equal(smtp.mail.seen[0]!.messageId, `<execution-${id}@console.example>`);
      const [done] = await sql`SELECT status, attempts FROM outbox`;
      assert.equal(done!.status, 'SENT');
      assert.ok(done!.attempts >= 3);
    } finally {
      await s.stop();
      await smtp.close();
    }
  });
});

test('a 4xx answer is retried, and the report arrives once', async () => {
  await withDb(async (sql) => {
    const id = await makeExecution(sql, await makeRow(sql));
    await enqueueReport(sql, id, OPTS);
    const smtp = new TestSmtp();
    smtp.onRcpt = (n) => (n === 1 ? { responseCode: 451, message: 'Greylisted, try again later' } : undefined);
    await smtp.listen();
    const s = sender(sql, smtp.url);
    try {
      const retry = await s.outcomes.wait((o) => o.outcome === 'RETRY', 15_000, 'the 451');
      assert.match(retry.outcome === 'RETRY' ? retry.error : '', /451/);
      await s.outcomes.wait((o) => o.outcome === 'SENT', 15_000, 'the second attempt');
      assert.equal(smtp.mail.seen.length, 1);
      const [row] = await sql`SELECT status, attempts, last_error FROM outbox`;
      assert.equal(row!.status, 'SENT');
      assert.equal(row!.attempts, 2);
    } finally {
      await s.stop();
      await smtp.close();
    }
  });
});

test('a 5xx answer marks the report FAILED, visible in the outbox, and a retry delivers it', async () => {
  await withDb(async (sql) => {
    const id = await makeExecution(sql, await makeRow(sql));
    await enqueueReport(sql, id, OPTS);
    const smtp = new TestSmtp();
    smtp.onMessage = () => ({ responseCode: 550, message: 'Mailbox unavailable' });
    await smtp.listen();
    const s = sender(sql, smtp.url);
    try {
      await s.outcomes.wait((o) => o.outcome === 'FAILED', 15_000, 'the 550');
      const failed = await listOutbox(sql, { status: 'FAILED', first: 50 });
      assert.equal(failed.nodes.length, 1);
      const msg = failed.nodes[0]!;
      assert.equal(msg.executionId, id);
      assert.equal(msg.attempts, 1);
      assert.match(msg.lastError ?? '', /550/);
      assert.equal((await listOutbox(sql, { status: 'PENDING', first: 50 })).nodes.length, 0);

      smtp.onMessage = () => undefined;
      assert.equal(await retryOutbox(sql, msg.id), true);
      assert.equal(await retryOutbox(sql, msg.id), false, 'only a FAILED report can be retried');
      s.kick();
      await s.outcomes.wait((o) => o.outcome === 'SENT', 15_000, 'delivery after the retry');
      assert.equal(smtp.mail.seen.length, 1);
      const [row] = await sql`SELECT status, attempts FROM outbox`;
      assert.equal(row!.status, 'SENT');
      assert.equal(row!.attempts, 1, 'a retry starts a fresh attempt budget');
    } finally {
      await s.stop();
      await smtp.close();
    }
  });
});

test('a sender killed after the server got the message gives at most one duplicate, same Message-ID', async () => {
  await withDb(async (sql, url) => {
    const id = await makeExecution(sql, await makeRow(sql));
    await enqueueReport(sql, id, OPTS);
    const smtp = new TestSmtp();
    const received = new Events<string>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Every message is recorded as delivered; the first one gets its 250 only when the test says so.
    smtp.onMessage = async (m) => {
      received.push(m.messageId ?? '');
      if (received.seen.length === 1) await gate;
      return undefined;
    };
    await smtp.listen();
    const code = `
      const { startOutboxSender } = await import(${JSON.stringify(SENDER_MODULE)});
      const { default: postgres } = await import('postgres');
      const sql = postgres(process.env.REPORTS_DB_URL, { max: 2, onnotice: () => {} });
      startOutboxSender({ sql, config: { SMTP_URL: process.env.REPORTS_SMTP_URL, MAIL_FROM: 'jobdeck@localhost' }, lockSeconds: 1, pollMs: 100 });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env: { ...process.env, REPORTS_DB_URL: url, REPORTS_SMTP_URL: smtp.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let childOutput = '';
    child.stdout.on('data', (d) => (childOutput += d));
    child.stderr.on('data', (d) => (childOutput += d));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const s2 = { current: undefined as ReturnType<typeof sender> | undefined };
    try {
      await within(received.wait(() => true, 30_000, 'the first copy'), 31_000, `the child sender (output: ${childOutput})`);
      process.kill(child.pid!, 'SIGKILL');
      await within(exited, 10_000, 'the killed child to exit');
      release();
      const [held] = await sql`SELECT status, attempts FROM outbox`;
      assert.equal(held!.status, 'PENDING', 'the crash came before the row was marked');
      assert.equal(held!.attempts, 0);
      s2.current = sender(sql, smtp.url);
      await s2.current.outcomes.wait((o) => o.outcome === 'SENT', 15_000, 'the second sender to deliver once the lease ran out');
      assert.equal(received.seen.length, 2, 'exactly one duplicate');
      assert.equal(received.seen[0], `<execution-${id}@console.example>`);
      assert.equal(received.seen[1], received.seen[0]);
      const [row] = await sql`SELECT status FROM outbox`;
      assert.equal(row!.status, 'SENT');
    } finally {
      release();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await s2.current?.stop();
      await smtp.close();
    }
  });
});

test('1,000 reports queued at once are all delivered with bounded memory', async (t) => {
  await withDb(async (sql) => {
    const rowId = await makeRow(sql);
    const ids = (
      await sql<{ id: number }[]>`
        INSERT INTO executions (row_id, job_id, domain, status, trigger, started_at, ended_at)
        SELECT ${rowId}, 'system.retention', 'acme.example', 'FAILURE', 'SCHEDULE', now(), now()
        FROM generate_series(1, 1000) RETURNING id::int AS id`
    ).map((r) => r.id);
    await sql`
      INSERT INTO log_entries (execution_id, seq, at, level, message)
      SELECT e, n, now(), 'ERROR', 'failure ' || n FROM unnest(${ids}::bigint[]) e, generate_series(1, 20) n`;
    for (let i = 0; i < ids.length; i += 50) {
      const queued = await Promise.all(ids.slice(i, i + 50).map((id) => enqueueReport(sql, id, OPTS)));
      assert.ok(queued.every(Boolean));
    }
    const smtp = new TestSmtp();
    const seenIds = new Set<string>();
    let deliveries = 0;
    // Counted, not kept: the harness must not be what grows.
    smtp.keep = false;
    smtp.onMessage = (m) => {
      deliveries++;
      seenIds.add(m.messageId ?? '');
      return undefined;
    };
    await smtp.listen();
    const before = process.memoryUsage();
    let peakHeap = before.heapUsed;
    let peakRss = before.rss;
    let sent = 0;
    let resolveAll!: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    const s = startOutboxSender({
      sql,
      config: { SMTP_URL: smtp.url, MAIL_FROM },
      baseDelayMs: 50,
      pollMs: 200,
      log: quiet,
      onOutcome: (o) => {
        if (o.outcome !== 'SENT') return;
        if (++sent % 50 === 0) {
          const m = process.memoryUsage();
          peakHeap = Math.max(peakHeap, m.heapUsed);
          peakRss = Math.max(peakRss, m.rss);
        }
        if (sent === ids.length) resolveAll();
      },
    });
    try {
      s.kick();
      await within(all, 120_000, 'all 1,000 reports');
      const MB = 1024 * 1024;
      t.diagnostic(`heap growth ${((peakHeap - before.heapUsed) / MB).toFixed(1)} MB, rss growth ${((peakRss - before.rss) / MB).toFixed(1)} MB`);
      assert.ok(peakHeap - before.heapUsed < 200 * MB, 'heap growth stays under 200 MB');
      assert.equal(seenIds.size, 1000);
      assert.equal(deliveries, 1000, 'no duplicates without a crash');
      const [n] = await sql`SELECT count(*)::int AS n FROM outbox WHERE status = 'SENT'`;
      assert.equal(n!.n, 1000);
      // Paging: newest first, the cursor continues strictly below the previous page.
      const p1 = await listOutbox(sql, { status: 'SENT', first: 2 });
      const p2 = await listOutbox(sql, { status: 'SENT', first: 2, after: p1.pageInfo.endCursor });
      const pagedIds = [...p1.nodes, ...p2.nodes].map((m) => m.id);
      assert.deepEqual(pagedIds, [...pagedIds].sort((a, b) => b - a));
      assert.equal(new Set(pagedIds).size, 4);
      assert.equal(p2.pageInfo.hasNextPage, true);
    } finally {
      await s.stop();
      await smtp.close();
    }
  });
});

test('without SMTP_URL nothing is sent: the report stays PENDING and renderable', async () => {
  assert.equal(createMailer({ SMTP_URL: undefined, MAIL_FROM }), null);
  assert.equal(await checkMail({ SMTP_URL: undefined, MAIL_FROM }), 'local outbox (SMTP_URL unset)');
  await withDb(async (sql) => {
    const id = await makeExecution(sql, await makeRow(sql), { logs: [['ERROR', 'disk full']] });
    assert.equal(await enqueueReport(sql, id, { maxLines: 200, descriptionOf: () => 'Removes old executions' }), true);
    let outcomes = 0;
    const s = startOutboxSender({ sql, config: { SMTP_URL: undefined, MAIL_FROM }, onOutcome: () => outcomes++ });
    s.kick();
    await s.stop();
    assert.equal(outcomes, 0);
    const { nodes } = await listOutbox(sql, { first: 50 });
    assert.equal(nodes.length, 1);
    const msg = nodes[0]!;
    assert.equal(msg.status, 'PENDING');
    assert.equal(msg.attempts, 0);
    assert.equal(msg.messageId, `<execution-${id}@jobdeck.local>`);
    assert.ok(msg.text.includes('disk full'));
    assert.ok(msg.html.includes('disk full'));
    assert.ok(!msg.text.includes('Console:'), 'no link without PUBLIC_URL');
  });
});

test("a failing enqueue never breaks the transaction that ends the execution", async () => {
  await withDb(async (sql) => {
    const id = await makeExecution(sql, await makeRow(sql), { status: 'IN_PROGRESS' });
    await sql.unsafe(`
      CREATE FUNCTION outbox_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox is broken'; END $$;
      CREATE TRIGGER outbox_boom BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_boom();`);
    const logged: string[] = [];
    await sql.begin(async (tx) => {
      await tx`UPDATE executions SET status = 'FAILURE', ended_at = now() WHERE id = ${id}`;
      assert.equal(await enqueueReport(tx, id, { ...OPTS, log: (m) => logged.push(m) }), false);
      await tx`UPDATE executions SET error = 'still writable' WHERE id = ${id}`;
    });
    const [e] = await sql`SELECT status, error FROM executions WHERE id = ${id}`;
    assert.equal(e!.status, 'FAILURE');
    assert.equal(e!.error, 'still writable');
    assert.match(logged.join('\n'), /outbox is broken/);
  });
});
