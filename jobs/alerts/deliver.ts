/**
 * One message to one channel: a signed webhook (Standard Webhooks), a Slack incoming webhook, or an
 * email. A receiver is someone else's server: every request has a time limit, redirects are never
 * followed, at most a few KB of an answer are read, and the answer's status says whether to retry.
 */
import { Webhook } from 'standardwebhooks';
import { executionPath } from '../../lib/console-links';
import { isPermanent as isPermanentMail, errorText as mailErrorText, type Mailer } from '../report/sender';
import type { AlertRecord } from '../../db/queries/alerts';

export type ChannelTarget = { kind: 'EMAIL' | 'WEBHOOK' | 'SLACK'; name: string; target: string; secret: string | null };
export type MessageType = 'alert.opened' | 'alert.resolved' | 'alert.test';
export type Outcome = { ok: true; status?: number } | { ok: false; permanent: boolean; error: string };

export type DeliverOptions = {
  /** The console's address, for links; none without PUBLIC_URL. */
  publicUrl?: string;
  /** null: SMTP_URL is unset, email channels cannot deliver. */
  mailer: Mailer | null;
  /** Longest wait for a receiver's answer. Default 10 s. */
  timeoutMs?: number;
};

/** What a webhook's `data` holds: the alert, in the API's names. */
export function alertData(a: AlertRecord, publicUrl?: string) {
  return {
    id: String(a.id),
    kind: a.kind,
    jobId: a.jobId,
    domain: a.domain,
    executionId: a.executionId === null ? null : String(a.executionId),
    message: a.message,
    openedAt: a.openedAt.toISOString(),
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
    snoozed: a.snoozed,
    url: linkOf(a, publicUrl),
  };
}

export function linkOf(a: Pick<AlertRecord, 'jobId' | 'domain' | 'executionId'>, publicUrl?: string) {
  if (!publicUrl) return null;
  const base = publicUrl.replace(/\/+$/, '');
  return a.jobId && a.domain && a.executionId !== null ? base + executionPath(a.jobId, a.domain, a.executionId) : `${base}/alerts`;
}

/** A line a person reads (Slack, email subject): what, where, and whether it opened or resolved. */
export function summaryOf(type: MessageType, a: Pick<AlertRecord, 'kind' | 'message'>) {
  if (type === 'alert.test') return 'Jobdeck test message: this channel works.';
  const mark = a.kind === 'RECOVERED' ? '✅' : type === 'alert.resolved' ? '✅ resolved' : '🔴';
  return `${mark} ${a.kind}: ${a.message}`;
}

const ANSWER_BYTES = 2048;

/** The first bytes of an answer (for last_error), never more: a 50 MB body is not read. */
async function answerHead(res: Response) {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < ANSWER_BYTES) {
      const { value, done } = await reader.read();
      if (done || !value) break;
      chunks.push(value);
      n += value.length;
    }
  } catch {
    /* a broken answer body says nothing more */
  } finally {
    reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_BYTES).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** 2xx delivered; 408, 429 and 5xx retried; redirects and other 4xx given up. */
export function judgeStatus(status: number): 'ok' | 'retry' | 'give-up' {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return 'give-up';
}

async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<Outcome> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'Jobdeck-Alerts/1', ...headers },
      // A redirect (to another host, or anywhere) is the receiver's misconfiguration, never followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, permanent: false, error: `POST failed: ${why}`.slice(0, 500) };
  }
  const verdict = judgeStatus(res.status);
  if (verdict === 'ok') {
    res.body?.cancel().catch(() => {});
    return { ok: true, status: res.status };
  }
  const head = await answerHead(res);
  const redirect = res.status >= 300 && res.status < 400 ? ' (redirects are not followed: point the channel at the final address)' : '';
  return { ok: false, permanent: verdict === 'give-up', error: `HTTP ${res.status}${redirect}${head ? `: ${head}` : ''}`.slice(0, 500) };
}

/**
 * Sends one message. `id` is the message's stable id (webhook-id): a retry sends the same one, so a
 * receiver can fold a duplicate. Never throws.
 */
export async function deliver(
  ch: ChannelTarget,
  /** `timestamp`: when the event happened (the body's); the signature's is the attempt's. */
  m: { id: string; type: MessageType; timestamp: Date; alert: AlertRecord | null },
  o: DeliverOptions,
): Promise<Outcome> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const data = m.alert ? alertData(m.alert, o.publicUrl) : { message: 'Test message from Jobdeck.', channel: ch.name };
  const summary = m.alert ? summaryOf(m.type, m.alert) : summaryOf('alert.test', { kind: 'FAILED', message: '' });
  try {
    if (ch.kind === 'WEBHOOK') {
      const body = JSON.stringify({ type: m.type, timestamp: m.timestamp.toISOString(), data });
      if (!ch.secret) return { ok: false, permanent: true, error: 'This webhook has no secret to sign with.' };
      // Signed at each attempt: receivers refuse a webhook-timestamp older than a few minutes.
      const sentAt = new Date();
      const signature = new Webhook(ch.secret).sign(m.id, sentAt, body);
      return await post(ch.target, body, { 'webhook-id': m.id, 'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)), 'webhook-signature': signature }, timeoutMs);
    }
    if (ch.kind === 'SLACK') {
      const link = m.alert ? linkOf(m.alert, o.publicUrl) : null;
      return await post(ch.target, JSON.stringify({ text: link ? `${summary} <${link}|Open in Jobdeck>` : summary }), {}, timeoutMs);
    }
    if (!o.mailer) return { ok: false, permanent: true, error: 'SMTP_URL is not set: email channels cannot deliver.' };
    const to = ch.target.split(',').map((s) => s.trim()).filter(Boolean);
    const link = m.alert ? linkOf(m.alert, o.publicUrl) : null;
    await o.mailer.sendMail({
      to,
      subject: `[Jobdeck] ${summary}`.slice(0, 250),
      text: [summary, '', m.alert ? `Opened: ${m.alert.openedAt.toISOString()}` : '', m.alert?.resolvedAt ? `Resolved: ${m.alert.resolvedAt.toISOString()}` : '', link ?? '']
        .filter((l, i) => i < 2 || l)
        .join('\n'),
      headers: { 'X-Jobdeck-Alert': m.id },
    });
    return { ok: true };
  } catch (err) {
    if (ch.kind === 'EMAIL') return { ok: false, permanent: isPermanentMail(err), error: mailErrorText(err).slice(0, 500) };
    return { ok: false, permanent: false, error: (err as Error).message.slice(0, 500) };
  }
}
