/**
 * Report delivery through two faults at once: the SMTP server is down when the execution ends, and
 * PostgreSQL restarts while the outbox is retrying. The report must arrive exactly once when both
 * are back, and the execution's status must not depend on any of it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { simpleParser } from 'mailparser';
import postgres from 'postgres';
import { SMTPServer } from 'smtp-server';
import { freePort, startEmbedded, type EmbeddedServer } from '../../db/embedded';
import { defineJob } from '../../jobs/types';
import { startJobdeck, type Jobdeck } from '../../lib/app';
import { Gql, testConfig } from '../helpers/app';
import { waitFor } from '../helpers/worker';

const quick = defineJob({ id: 'test.quick', description: 'Says hello', kind: 'GLOBAL', async run(ctx) { ctx.log.info('hello'); } });

const dir = mkdtempSync(path.join(os.tmpdir(), 'jobdeck-faults-mail-'));
let pg: EmbeddedServer;
let app: Jobdeck;
let smtpPort: number;

before(async () => {
  pg = await startEmbedded(dir, { fast: true });
  smtpPort = await freePort(); // nothing listens there yet: the SMTP server is "down"
  app = await startJobdeck(
    testConfig({ DATABASE_URL: pg.url, LEASE_SECONDS: '10', SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_FROM: 'jobdeck@example.com' }),
    { console: false, extraJobs: [quick], log: () => {} },
  );
});
after(async () => {
  await app?.close();
  await pg?.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

test('SMTP down and PostgreSQL restarted while the report waits: it arrives once, the run is unaffected', async () => {
  const g = await new Gql(app.url!).login();
  await g.ok(`mutation { updateJob(jobId: "test.quick", domain: "global", input: { report: { send: true, recipients: ["ops@example.com"] } }) { id } }`);
  const id = Number((await g.ok(`mutation { executeNow(jobs: [{ jobId: "test.quick", domain: "global" }]) { execution { id } } }`)).executeNow[0].execution.id);
  const db = postgres(pg.url, { max: 1, onnotice: () => {} });
  const outbox = async () => (await db<{ status: string; attempts: number }[]>`SELECT status, attempts FROM outbox WHERE execution_id = ${id}`.catch(() => []))[0];
  // The run ends on its own; the first delivery attempt fails (connection refused) and is retried.
  await waitFor('the first failed attempt', async () => ((await outbox())?.attempts ?? 0) >= 1, 20_000, 50);
  const [run] = await db<{ status: string }[]>`SELECT status FROM executions WHERE id = ${id}`;
  assert.equal(run?.status, 'SUCCESS', 'the execution does not depend on mail');
  await db.end();

  // PostgreSQL goes away and comes back on the same port while the outbox is retrying.
  await pg.stop();
  pg = await startEmbedded(dir, { fast: true, port: pg.port });

  // Then the SMTP server comes up.
  const received: { messageId: string | undefined; subject: string | undefined }[] = [];
  let resolveFirst!: () => void;
  const first = new Promise<void>((r) => (resolveFirst = r));
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _s, cb) {
      simpleParser(stream).then((m) => {
        received.push({ messageId: m.messageId, subject: m.subject });
        resolveFirst();
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', () => r()));
  const t0 = Date.now();
  try {
    await Promise.race([first, new Promise((_, rej) => setTimeout(() => rej(new Error('report never arrived')), 60_000).unref())]);
    const db2 = postgres(pg.url, { max: 1, onnotice: () => {} });
    await waitFor('marked SENT', async () => (await db2<{ status: string }[]>`SELECT status FROM outbox WHERE execution_id = ${id}`)[0]?.status === 'SENT', 20_000, 50);
    await db2.end();
    console.log(`BOUND report delivered ${Date.now() - t0} ms after SMTP came back (after a PostgreSQL restart)`);
    assert.equal(received.length, 1, 'delivered exactly once');
    assert.match(received[0]!.subject ?? '', /^\[Jobdeck\] SUCCESS · global · test\.quick$/);
    assert.match(received[0]!.messageId ?? '', new RegExp(`execution-${id}@`));
  } finally {
    await new Promise<void>((r) => smtp.close(() => r()));
  }
});
