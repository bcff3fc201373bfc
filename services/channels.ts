/**
 * Channels: who manages which (a domain administrator his domain's; a channel without a domain,
 * system administrators of all domains), their deliveries, "Send test". Outside the viewer's
 * reach a channel answers like one that does not exist.
 */
import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { insertAudit } from '../db/queries/audit';
import * as q from '../db/queries/channels';
import { existingDomains } from '../db/queries/domains';
import { withScope } from '../db/scope';
import { deliver } from '../jobs/alerts/deliver';
import { createMailer } from '../jobs/report/sender';
import { AppError, badInput, notFound } from '../lib/errors';
import { canSeeDomain, isSuperAdmin, isSystemAdmin, scopeOf, type Viewer } from './access';
import { checkChannelInput, maskTarget, type ChannelInputArg } from './channel-input';
import type { Deps, Loaders } from './deps';

/** Channels that hear of one domain (or of everything): enough for any team, bounded for a loop. */
export const MAX_CHANNELS_PER_DOMAIN = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A channel as served: its URL masked. */
export const served = (c: q.ChannelRecord): q.ChannelRecord => ({ ...c, target: maskTarget(c.kind, c.target) });

export async function listChannels(deps: Deps, v: Viewer) {
  const scope = scopeOf(v);
  return (await withScope(deps.sql, scope, (tx) => q.listChannels(tx, scope))).map(served);
}

async function findInScope(deps: Deps, v: Viewer, id: string) {
  if (!UUID.test(id)) return undefined;
  const scope = scopeOf(v);
  return withScope(deps.sql, scope, (tx) => q.findChannel(tx, scope, id));
}

/** The domain a channel will hear of: one in the viewer's scope, or none for a system administrator of all domains. */
async function domainFor(deps: Deps, v: Viewer, raw: string | null | undefined) {
  const given = raw?.trim().toLowerCase() || null;
  if (given === null) {
    if (isSuperAdmin(v)) return null;
    // A domain administrator has one domain: his channels are its.
    if (!isSystemAdmin(v)) return scopeOf(v).domains[0]!;
    throw badInput('input.domain', 'Choose one of your domains: a channel for every domain is for system administrators of all domains.');
  }
  const exists = given === 'global' || (given.length <= 253 && (await existingDomains(deps.sql, [given])).has(given));
  if (!exists || !canSeeDomain(v, given)) throw badInput('input.domain', `There is no domain ${JSON.stringify(given.slice(0, 80))} among yours.`);
  return given;
}

export async function createChannel(deps: Deps, v: Viewer, input: ChannelInputArg) {
  const domain = await domainFor(deps, v, input.domain);
  const values = checkChannelInput(input, domain, { mayUseLoopback: isSystemAdmin(v) });
  return served(
    await deps.sql.begin(async (tx) => {
      const t = tx as unknown as Deps['sql'];
      if ((await q.countChannels(t, domain)) >= MAX_CHANNELS_PER_DOMAIN)
        throw badInput('input.domain', `${domain ?? 'Every domain'} has ${MAX_CHANNELS_PER_DOMAIN} channels already: delete one first.`);
      const c = await q.insertChannel(t, values, v.email);
      await insertAudit(t, { actor: v.email, action: 'createChannel', target: c.name, domain, details: { id: c.id, kind: c.kind, events: c.events }, address: v.address });
      return c;
    }),
  );
}

export async function updateChannel(deps: Deps, v: Viewer, id: string, input: ChannelInputArg) {
  const current = await findInScope(deps, v, id);
  if (!current) throw notFound('Channel');
  const scope = scopeOf(v);
  const stored = (await q.channelSecrets(deps.sql, scope, id))!;
  const domain = await domainFor(deps, v, input.domain === undefined ? current.domain : input.domain);
  const values = checkChannelInput(input, domain, { mayUseLoopback: isSystemAdmin(v), stored: { kind: current.kind, target: stored.target, secret: stored.secret } });
  const updated = await deps.sql.begin(async (tx) => {
    const t = tx as unknown as Deps['sql'];
    if (domain !== current.domain && (await q.countChannels(t, domain)) >= MAX_CHANNELS_PER_DOMAIN)
      throw badInput('input.domain', `${domain ?? 'Every domain'} has ${MAX_CHANNELS_PER_DOMAIN} channels already: delete one first.`);
    const c = await q.updateChannel(t, scope, id, values);
    if (c) await insertAudit(t, { actor: v.email, action: 'updateChannel', target: c.name, domain, details: { id, kind: c.kind, events: c.events, enabled: c.enabled }, address: v.address });
    return c;
  });
  if (!updated) throw notFound('Channel');
  return served(updated);
}

export async function deleteChannel(deps: Deps, v: Viewer, id: string) {
  const current = await findInScope(deps, v, id);
  if (!current) throw notFound('Channel');
  const scope = scopeOf(v);
  const done = await deps.sql.begin(async (tx) => {
    const t = tx as unknown as Deps['sql'];
    const ok = await q.deleteChannel(t, scope, id);
    if (ok) await insertAudit(t, { actor: v.email, action: 'deleteChannel', target: current.name, domain: current.domain, details: { id }, address: v.address });
    return ok;
  });
  if (!done) throw notFound('Channel');
  return true;
}

/** Sends a test message now; true when delivered, else DELIVERY_FAILED saying what the receiver answered. */
export async function testChannel(deps: Deps, v: Viewer, id: string) {
  const current = await findInScope(deps, v, id);
  if (!current) throw notFound('Channel');
  const stored = (await q.channelSecrets(deps.sql, scopeOf(v), id))!;
  const mailer = current.kind === 'EMAIL' ? createMailer(deps.config) : null;
  try {
    const outcome = await deliver(
      { kind: current.kind, name: current.name, target: stored.target, secret: stored.secret },
      { id: `jobdeck-test-${randomUUID()}`, type: 'alert.test', timestamp: new Date(), alert: null },
      { publicUrl: deps.config.PUBLIC_URL, mailer },
    );
    if (!outcome.ok) throw new AppError('DELIVERY_FAILED', `The test message was not delivered: ${outcome.error}`);
    return true;
  } finally {
    mailer?.close();
  }
}

export async function retryDelivery(deps: Deps, v: Viewer, id: string) {
  if (!/^\d{1,15}$/.test(id)) throw notFound('Delivery');
  const scope = scopeOf(v);
  const d = await withScope(deps.sql, scope, async (tx) => (await q.retryDelivery(tx, scope, Number(id))) ?? q.findDelivery(tx, scope, Number(id)));
  if (!d) throw notFound('Delivery');
  return d;
}

const perRequest = new WeakMap<Loaders, Map<number, DataLoader<string, q.DeliveryRecord[]>>>();

/** A channel's latest deliveries, batched per request and per page size. */
export function deliveriesOf(deps: Deps, loaders: Loaders, channelId: string, first: number | null | undefined) {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw badInput('first', 'first must be between 1 and 100.');
  let bySize = perRequest.get(loaders);
  if (!bySize) perRequest.set(loaders, (bySize = new Map()));
  let l = bySize.get(n);
  if (!l) {
    l = new DataLoader(async (ids) => {
      const rows = await q.deliveriesOf(deps.sql, [...ids], n);
      return ids.map((id) => rows.filter((d) => d.channelId === id));
    });
    bySize.set(n, l);
  }
  return l.load(channelId);
}
