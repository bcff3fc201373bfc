/**
 * A channel's input, checked before anything is stored: every bad value answers BAD_USER_INPUT
 * naming `input.<field>`. Webhook and Slack URLs are credentials: they are served masked.
 */
import type { AlertKind } from '../db/queries/alerts';
import { ALERT_KINDS } from '../db/queries/alerts';
import type { ChannelKind, ChannelValues } from '../db/queries/channels';
import { isLoopback } from '../lib/config';
import { isPlainAddress } from '../lib/email';
import { badInput } from '../lib/errors';

export type ChannelInputArg = {
  name: string;
  kind: string;
  target: string;
  secret?: string | null;
  events: string[];
  domain?: string | null;
  enabled?: boolean | null;
};

const KINDS: readonly ChannelKind[] = ['EMAIL', 'WEBHOOK', 'SLACK'];
export const MAX_ADDRESSES = 50;
const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** scheme://host/… for a URL target (its path and query often are the credential); addresses as they are. */
export function maskTarget(kind: ChannelKind, target: string) {
  if (kind === 'EMAIL') return target;
  try {
    const u = new URL(target);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '…';
  }
}

function checkUrl(raw: string, kind: ChannelKind, mayUseLoopback: boolean) {
  const field = 'input.target';
  if (raw.length > 2000) throw badInput(field, 'A URL has at most 2,000 characters.');
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badInput(field, `This is not a URL; a ${kind === 'SLACK' ? 'Slack incoming webhook' : 'webhook'} target looks like https://hooks.example.com/…`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw badInput(field, 'The URL must start with https:// (http:// only on a loopback address).');
  if (u.username || u.password) throw badInput(field, 'Put no user name or password in the URL; a webhook is signed with its secret.');
  const loopback = isLoopback(u.hostname);
  if (u.protocol === 'http:' && !loopback) throw badInput(field, 'Use https://: http:// is accepted only on a loopback address (127.0.0.1, localhost).');
  if (loopback && !mayUseLoopback) throw badInput(field, "Only a system administrator may point a channel at this server's own machine.");
  return u.toString();
}

function checkAddresses(raw: string) {
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw badInput('input.target', 'Give at least one address, like ops@example.com.');
  if (parts.length > MAX_ADDRESSES) throw badInput('input.target', `At most ${MAX_ADDRESSES} addresses.`);
  for (const a of parts) if (!isPlainAddress(a)) throw badInput('input.target', `${JSON.stringify(a.slice(0, 80))} is not a plain address like name@example.com.`);
  return [...new Set(parts.map((a) => a.toLowerCase()))].join(', ');
}

/** A Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes. */
export function checkSecret(raw: string) {
  const m = SECRET.exec(raw.trim());
  const bytes = m ? Buffer.from(m[1]!, 'base64') : undefined;
  if (!m || m[1]!.length % 4 !== 0 || !bytes || bytes.length < 24 || bytes.length > 64)
    throw badInput('input.secret', 'The secret is whsec_ followed by the base64 of 24 to 64 random bytes (e.g. whsec_ + `openssl rand -base64 32`).');
  return raw.trim();
}

/**
 * The values to store. `stored`: the channel being updated (its target and secret, kept when the
 * input gives the masked target or no secret). `domain` is decided by the caller (scope rules).
 */
export function checkChannelInput(
  input: ChannelInputArg,
  domain: string | null,
  o: { mayUseLoopback: boolean; stored?: { kind: ChannelKind; target: string; secret: string | null } },
): ChannelValues {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 100) throw badInput('input.name', 'A name has 1 to 100 characters.');
  if (!KINDS.includes(input.kind as ChannelKind)) throw badInput('input.kind', 'kind is EMAIL, WEBHOOK or SLACK.');
  const kind = input.kind as ChannelKind;
  if (!input.events.length) throw badInput('input.events', 'Choose at least one kind of alert.');
  if (input.events.some((e) => !ALERT_KINDS.includes(e as AlertKind))) throw badInput('input.events', `Kinds are ${ALERT_KINDS.join(', ')}.`);
  const events = ALERT_KINDS.filter((k) => input.events.includes(k));
  if (domain !== null && events.includes('NO_WORKER'))
    throw badInput('input.events', 'NO_WORKER concerns the whole fleet: only a channel without a domain hears of it.');
  const keepTarget = o.stored && o.stored.kind === kind && kind !== 'EMAIL' && input.target.trim() === maskTarget(kind, o.stored.target);
  const target = keepTarget ? o.stored!.target : kind === 'EMAIL' ? checkAddresses(input.target) : checkUrl(input.target.trim(), kind, o.mayUseLoopback);
  let secret: string | null = null;
  if (kind === 'WEBHOOK') {
    if (input.secret) secret = checkSecret(input.secret);
    else if (o.stored?.kind === 'WEBHOOK' && o.stored.secret) secret = o.stored.secret;
    else throw badInput('input.secret', 'A webhook needs a signing secret: whsec_ followed by base64.');
  } else if (input.secret) throw badInput('input.secret', 'Only a webhook takes a secret.');
  return { name, kind, target, secret, events, domain, enabled: input.enabled ?? true };
}
