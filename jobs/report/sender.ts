/**
 * Delivers the outbox over SMTP. Any number of senders may run (one per worker process): rows are
 * claimed with a lease on the database clock and FOR UPDATE SKIP LOCKED, so two senders never
 * take the same row at once. Delivery is at-least-once: a sender that dies between the server's
 * 250 and marking the row SENT lets the lease run out and another sender sends it again, with the
 * same Message-ID so mail clients can fold the duplicate.
 */
import nodemailer from 'nodemailer';
import type postgres from 'postgres';
import type { Config } from '../../lib/config';
import { wakeableSleep } from '../wakeable-sleep';

export type MailConfig = Pick<Config, 'SMTP_URL' | 'MAIL_FROM'>;
export type Mailer = ReturnType<typeof nodemailer.createTransport>;

/** SMTP connections one sender keeps open. */
const MAX_SMTP_CONNECTIONS = 3;

/**
 * A transport for SMTP_URL (smtps:// = TLS from the start; smtp:// = STARTTLS when offered;
 * user:password@ = authentication; query parameters as nodemailer reads them), or null when
 * SMTP_URL is unset: reports then stay in the local outbox and nothing goes on the network.
 */
export function createMailer(config: MailConfig): Mailer | null {
  if (!config.SMTP_URL) return null;
  return nodemailer.createTransport(
    {
      url: config.SMTP_URL,
      pool: true,
      maxConnections: MAX_SMTP_CONNECTIONS,
      // The outbox does the retrying, with backoff and a record; the pool must not resend on its own.
      maxRequeues: 0,
      // Reports carry text we rendered ourselves: nothing may ever read a file or fetch a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    },
    { from: config.MAIL_FROM },
  );
}

/** For the self-test job and the health page: never throws. */
export async function checkMail(config: MailConfig): Promise<string> {
  const mailer = createMailer(config);
  if (!mailer) return 'local outbox (SMTP_URL unset)';
  try {
    await mailer.verify();
    return `SMTP server ${describeUrl(config.SMTP_URL!)} accepts connections`;
  } catch (err) {
    return `SMTP server ${describeUrl(config.SMTP_URL!)} fails: ${errorText(err)}`;
  } finally {
    mailer.close();
  }
}

/** The URL without its credentials, fit for a log or a status line. */
function describeUrl(url: string) {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'SMTP_URL';
  }
}

type SmtpError = { code?: string; responseCode?: number; permanent?: boolean; response?: string; message?: string };

/** Short, credential-free description of a send error, kept in last_error. */
export function errorText(err: unknown): string {
  const e = (err ?? {}) as SmtpError;
  const text = e.response || e.message || String(err);
  return [e.code, text].filter(Boolean).join(': ').slice(0, 1000);
}

// Errors about the message itself: sending it again gives the same answer.
const PERMANENT_CODES = new Set(['EENVELOPE', 'EMAXRECIPIENTS', 'EFILEACCESS', 'EURLACCESS']);

/**
 * 5xx replies (bar 503, "bad sequence", which a new connection fixes) are permanent. 4xx replies,
 * refused connections, time-outs, socket and TLS errors, and anything unknown are temporary:
 * they are retried, and maxAttempts bounds the unknown.
 */
export function isPermanent(err: unknown): boolean {
  const e = (err ?? {}) as SmtpError;
  if (typeof e.responseCode === 'number') {
    if (typeof e.permanent === 'boolean') return e.permanent;
    return e.responseCode >= 500 && e.responseCode !== 503;
  }
  return typeof e.code === 'string' && PERMANENT_CODES.has(e.code);
}

/** Growing delay: base·2^(attempt-1), capped, with ±20 % jitter so senders do not retry in step. */
export function retryDelayMs(attempt: number, baseDelayMs: number, maxDelayMs = MAX_RETRY_DELAY_MS): number {
  const raw = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}
const MAX_RETRY_DELAY_MS = 15 * 60_000;

export type SendOutcome =
  | { id: number; messageId: string; outcome: 'SENT'; attempts: number }
  | { id: number; messageId: string; outcome: 'RETRY' | 'FAILED'; attempts: number; error: string };

export type OutboxSenderOptions = {
  sql: postgres.Sql;
  config: MailConfig;
  log?: { warn(message: string): void; error(message: string): void };
  /** Rows claimed per round. Default 20: memory holds one batch of rendered reports, never the outbox. */
  batchSize?: number;
  /** First retry delay; doubles per attempt up to 15 min. Default 2000. */
  baseDelayMs?: number;
  /** Temporary failures before a report is FAILED. Default 10. */
  maxAttempts?: number;
  /** Longest sleep between rounds when nothing is kicked or due. Default 5000. */
  pollMs?: number;
  /** How long a claimed row is held before another sender may take it. Default 600. */
  lockSeconds?: number;
  /** Told of every delivery attempt (metrics, tests). Must not throw; errors are ignored. */
  onOutcome?: (o: SendOutcome) => void;
  /** A transport to use instead of one made from config (tests). */
  mailer?: Mailer | null;
};

export type OutboxSender = { kick(): void; stop(): Promise<void> };

type Claimed = { id: number; messageId: string; recipients: string[]; subject: string; text: string; html: string; attempts: number };

/**
 * Starts the delivery loop. Without SMTP it does nothing at all. Nothing here throws into the
 * caller: database or SMTP trouble is logged and retried on the next round.
 */
export function startOutboxSender(opts: OutboxSenderOptions): OutboxSender {
  const mailer = opts.mailer !== undefined ? opts.mailer : createMailer(opts.config);
  if (!mailer) return { kick() {}, stop: async () => {} };
  const sql = opts.sql;
  const log = opts.log ?? console;
  const batchSize = Math.max(1, opts.batchSize ?? 20);
  const baseDelayMs = Math.max(1, opts.baseDelayMs ?? 2000);
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 10);
  const pollMs = Math.max(10, opts.pollMs ?? 5000);
  const lockSeconds = Math.max(1, opts.lockSeconds ?? 600);

  let stopped = false;
  let kicked = false;
  const idle = wakeableSleep();

  const notify = (o: SendOutcome) => {
    try {
      opts.onOutcome?.(o);
    } catch {
      /* an observer's bug must not stop delivery */
    }
  };

  async function claim(): Promise<Claimed[]> {
    const rows = await sql<Claimed[]>`
      UPDATE outbox SET locked_until = now() + make_interval(secs => ${lockSeconds})
      WHERE id IN (
        SELECT id FROM outbox
        WHERE status = 'PENDING' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
        ORDER BY id LIMIT ${batchSize}
        FOR UPDATE SKIP LOCKED)
      RETURNING id::int AS id, message_id AS "messageId", recipients, subject, text, html, attempts`;
    return [...rows].sort((a, b) => a.id - b.id);
  }

  async function deliver(row: Claimed) {
    const attempts = row.attempts + 1;
    let info: { rejected?: unknown[] } | undefined;
    try {
      info = await mailer!.sendMail({
        messageId: row.messageId,
        to: row.recipients,
        subject: row.subject,
        text: row.text,
        html: row.html,
      });
    } catch (err) {
      const error = errorText(err);
      const failed = isPermanent(err) || attempts >= maxAttempts;
      const delayMs = retryDelayMs(attempts, baseDelayMs);
      // Guarded by status: a row an admin retried or another sender finished meanwhile is left alone.
      await sql`
        UPDATE outbox SET attempts = ${attempts}, last_error = ${error}, locked_until = NULL,
          status = ${failed ? 'FAILED' : 'PENDING'}::outbox_status,
          next_attempt_at = ${failed ? sql`next_attempt_at` : sql`now() + make_interval(secs => ${delayMs / 1000})`}
        WHERE id = ${row.id} AND status = 'PENDING'`;
      if (failed) log.warn(`report ${row.messageId} FAILED after ${attempts} attempt(s): ${error}`);
      notify({ id: row.id, messageId: row.messageId, outcome: failed ? 'FAILED' : 'RETRY', attempts, error });
      return;
    }
    const rejected = (info?.rejected ?? []).map(String);
    const note = rejected.length ? `refused by the server for ${rejected.join(', ')}` : null;
    await sql`
      UPDATE outbox SET status = 'SENT', sent_at = now(), attempts = ${attempts}, locked_until = NULL,
        last_error = coalesce(${note}, last_error)
      WHERE id = ${row.id} AND status = 'PENDING'`;
    notify({ id: row.id, messageId: row.messageId, outcome: 'SENT', attempts });
  }

  /** How long until a PENDING row becomes due (database clock), capped by pollMs. */
  async function nextDueMs(): Promise<number> {
    const [r] = await sql<{ ms: number | null }[]>`
      SELECT (extract(epoch FROM min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) - now()) * 1000)::float8 AS ms
      FROM outbox WHERE status = 'PENDING'`;
    const ms = r?.ms;
    return ms === null || ms === undefined ? pollMs : Math.min(pollMs, Math.max(0, Math.ceil(ms)));
  }

  async function loop() {
    while (!stopped) {
      kicked = false;
      let full = false;
      let waitMs = pollMs;
      try {
        const rows = await claim();
        // One batch in flight at a time: memory holds at most batchSize rendered reports.
        await Promise.all(rows.map((r) => deliver(r).catch((err) => log.error(`report ${r.messageId}: ${errorText(err)}`))));
        full = rows.length === batchSize;
        if (!full) waitMs = await nextDueMs();
      } catch (err) {
        log.error(`outbox sender: ${errorText(err)}`);
      }
      if (stopped) break;
      if (full || kicked || waitMs === 0) continue;
      await idle.sleep(waitMs);
    }
  }

  const running = loop();
  return {
    kick() {
      kicked = true;
      idle.wake();
    },
    async stop() {
      stopped = true;
      idle.wake();
      await running;
      if (opts.mailer === undefined) mailer.close();
    },
  };
}
