/**
 * Channels (where alerts go) and their deliveries (the alert outbox). Viewers' statements take
 * their scope (a channel without a domain: only a scope of every domain and global); the sender's
 * (jobs/alerts/sender.ts) take none.
 */
import type postgres from 'postgres';
import type { DbScope } from '../scope';
import type { AlertEvent, AlertKind, AlertRecord } from './alerts';
import { ALERT_COLUMNS } from './alerts';

type AnySql = postgres.Sql | postgres.TransactionSql;

export type ChannelKind = 'EMAIL' | 'WEBHOOK' | 'SLACK';
export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/**
 * A channel as viewers get it: never its secret (jobdeck_tenant may not even read that column);
 * every webhook has one (createChannel requires it), so hasSecret is its kind.
 */
export type ChannelRecord = {
  id: string;
  name: string;
  kind: ChannelKind;
  target: string;
  events: AlertKind[];
  domain: string | null;
  enabled: boolean;
  hasSecret: boolean;
  createdBy: string | null;
  createdAt: Date;
};

export type ChannelValues = { name: string; kind: ChannelKind; target: string; secret: string | null; events: AlertKind[]; domain: string | null; enabled: boolean };

const COLUMNS = (sql: AnySql) => sql`
  c.id, c.name, c.kind, c.target, c.events::text[] AS events, c.domain, c.enabled, (c.kind = 'WEBHOOK') AS "hasSecret",
  c.created_by AS "createdBy", c.created_at AS "createdAt"`;

/** Channels a scope reaches: its domains' (and "global" when it has it); domain-less ones for a scope of everything. */
export function channelScope(sql: AnySql, scope: DbScope) {
  const everything = scope.all && scope.global;
  const named = scope.all ? (scope.global ? sql`true` : sql`c.domain <> 'global'`) : sql`c.domain = ANY(${scope.global ? [...scope.domains, 'global'] : scope.domains}::text[])`;
  return sql`(CASE WHEN c.domain IS NULL THEN ${everything} ELSE ${named} END)`;
}

export async function listChannels(sql: AnySql, scope: DbScope) {
  return [...(await sql<ChannelRecord[]>`
    SELECT ${COLUMNS(sql)} FROM channels c WHERE ${channelScope(sql, scope)} ORDER BY c.domain NULLS FIRST, lower(c.name), c.id LIMIT 1000`)];
}

export async function findChannel(sql: AnySql, scope: DbScope, id: string) {
  const [row] = await sql<ChannelRecord[]>`SELECT ${COLUMNS(sql)} FROM channels c WHERE c.id = ${id} AND ${channelScope(sql, scope)}`;
  return row;
}

/** How many channels hear of one domain (null: the domain-less ones); bounded per domain by the service. */
export async function countChannels(sql: AnySql, domain: string | null) {
  // The count and the insert that follows are one decision: creators of one domain take turns.
  await sql`SELECT pg_advisory_xact_lock(7316017, hashtext(coalesce(${domain}, '')))`;
  const [r] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM channels WHERE domain IS NOT DISTINCT FROM ${domain}`;
  return r!.n;
}

export async function insertChannel(sql: AnySql, v: ChannelValues, by: string) {
  const [row] = await sql<ChannelRecord[]>`
    INSERT INTO channels AS c (name, kind, target, secret, events, domain, enabled, created_by)
    VALUES (${v.name}, ${v.kind}::channel_kind, ${v.target}, ${v.secret}, ${v.events}::alert_kind[], ${v.domain}, ${v.enabled}, ${by})
    RETURNING ${COLUMNS(sql)}`;
  return row!;
}

/** The stored target and secret of a channel in scope (the sender's and the update's own use; never served). */
export async function channelSecrets(sql: AnySql, scope: DbScope | null, id: string) {
  const [row] = await sql<{ target: string; secret: string | null }[]>`
    SELECT c.target, c.secret FROM channels c WHERE c.id = ${id} ${scope ? sql`AND ${channelScope(sql, scope)}` : sql``}`;
  return row;
}

export async function updateChannel(sql: AnySql, scope: DbScope, id: string, v: ChannelValues) {
  const [row] = await sql<ChannelRecord[]>`
    UPDATE channels c SET name = ${v.name}, kind = ${v.kind}::channel_kind, target = ${v.target}, secret = ${v.secret},
      events = ${v.events}::alert_kind[], domain = ${v.domain}, enabled = ${v.enabled}, updated_at = now()
    WHERE c.id = ${id} AND ${channelScope(sql, scope)}
    RETURNING ${COLUMNS(sql)}`;
  return row;
}

export async function deleteChannel(sql: AnySql, scope: DbScope, id: string) {
  const rows = await sql`DELETE FROM channels c WHERE c.id = ${id} AND ${channelScope(sql, scope)} RETURNING c.id`;
  return rows.length > 0;
}

export type DeliveryRecord = {
  id: number;
  alertId: number;
  channelId: string;
  event: AlertEvent;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
};

const DELIVERY_COLUMNS = (sql: AnySql) => sql`
  d.id::int AS id, d.alert_id::int AS "alertId", d.channel_id AS "channelId", d.event, d.status, d.attempts,
  d.last_error AS "lastError", d.created_at AS "createdAt", d.delivered_at AS "deliveredAt", d.next_attempt_at AS "nextAttemptAt"`;

/** The last deliveries of many channels (newest first, `first` per channel), in one query. */
export async function deliveriesOf(sql: AnySql, channelIds: string[], first: number) {
  if (!channelIds.length) return [];
  return [...(await sql<DeliveryRecord[]>`
    SELECT x.* FROM unnest(${channelIds}::uuid[]) AS ch(id)
    CROSS JOIN LATERAL (SELECT ${DELIVERY_COLUMNS(sql)} FROM alert_deliveries d WHERE d.channel_id = ch.id ORDER BY d.id DESC LIMIT ${first}) x`)];
}

/** A FAILED delivery of a channel in scope goes back to PENDING, due now, with a fresh attempt budget. */
export async function retryDelivery(sql: AnySql, scope: DbScope, id: number) {
  const [row] = await sql<DeliveryRecord[]>`
    UPDATE alert_deliveries d SET status = 'PENDING', attempts = 0, next_attempt_at = now(), locked_until = NULL
    WHERE d.id = ${id} AND d.status = 'FAILED'
      AND EXISTS (SELECT 1 FROM channels c WHERE c.id = d.channel_id AND ${channelScope(sql, scope)})
    RETURNING ${DELIVERY_COLUMNS(sql)}`;
  if (row) await sql`SELECT pg_notify('jobdeck_alert_delivery', '')`;
  return row;
}

/** A delivery of a channel in scope, whatever its status. */
export async function findDelivery(sql: AnySql, scope: DbScope, id: number) {
  const [row] = await sql<DeliveryRecord[]>`
    SELECT ${DELIVERY_COLUMNS(sql)} FROM alert_deliveries d
    WHERE d.id = ${id} AND EXISTS (SELECT 1 FROM channels c WHERE c.id = d.channel_id AND ${channelScope(sql, scope)})`;
  return row;
}

/** What the sender needs to deliver one event: the delivery, its channel (with secret) and its alert. */
export type ClaimedDelivery = {
  id: number;
  event: AlertEvent;
  attempts: number;
  channel: { id: string; name: string; kind: ChannelKind; target: string; secret: string | null };
  alert: AlertRecord;
};

/**
 * Claims due deliveries for `lockSeconds` (FOR UPDATE SKIP LOCKED: two senders never take one at
 * once), with their channel and alert, in one statement. `inFlight`: this sender's deliveries in
 * flight per channel; no channel gets more than `perChannel` of them, so a slow receiver holds a few
 * slots and never every one.
 */
export async function claimDeliveries(
  sql: AnySql,
  limit: number,
  lockSeconds: number,
  fair: { perChannel: number; inFlight: ReadonlyMap<string, number> } = { perChannel: limit, inFlight: new Map() },
): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const full = [...fair.inFlight].filter(([, n]) => n >= fair.perChannel).map(([id]) => id);
  const busy = [...fair.inFlight].filter(([, n]) => n < fair.perChannel);
  const rows = await sql<(AlertRecord & { deliveryId: number; event: AlertEvent; attempts: number; chId: string; chName: string; chKind: ChannelKind; chTarget: string; chSecret: string | null })[]>`
    WITH candidates AS (
      SELECT id, channel_id, next_attempt_at FROM alert_deliveries
      WHERE status = 'PENDING' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
        AND NOT (channel_id = ANY(${full}::uuid[]))
      ORDER BY next_attempt_at, id LIMIT ${limit * 4}
      FOR UPDATE SKIP LOCKED
    ), picked AS (
      SELECT c.id FROM (SELECT k.*, row_number() OVER (PARTITION BY k.channel_id ORDER BY k.next_attempt_at, k.id) AS n FROM candidates k) c
      LEFT JOIN unnest(${busy.map(([id]) => id)}::uuid[], ${busy.map(([, n]) => n)}::int[]) AS b(channel_id, n) ON b.channel_id = c.channel_id
      WHERE c.n + coalesce(b.n, 0) <= ${fair.perChannel}
      ORDER BY c.next_attempt_at, c.id LIMIT ${limit}
    ), claimed AS (
      UPDATE alert_deliveries d SET locked_until = now() + make_interval(secs => ${lockSeconds})
      WHERE d.id IN (SELECT id FROM picked)
      RETURNING d.id, d.event, d.attempts, d.channel_id, d.alert_id)
    SELECT k.id::int AS "deliveryId", k.event, k.attempts, ch.id AS "chId", ch.name AS "chName", ch.kind AS "chKind", ch.target AS "chTarget",
      ch.secret AS "chSecret", ${ALERT_COLUMNS(sql)}
    FROM claimed k JOIN channels ch ON ch.id = k.channel_id JOIN alerts a ON a.id = k.alert_id
    ORDER BY k.id`;
  return rows.map((r) => {
    const { deliveryId, event, attempts, chId, chName, chKind, chTarget, chSecret, ...alert } = r;
    return { id: deliveryId, event, attempts, channel: { id: chId, name: chName, kind: chKind, target: chTarget, secret: chSecret }, alert };
  });
}

/** Records an attempt's outcome; guarded by status so a delivery retried or finished meanwhile is left alone. */
export async function recordAttempt(
  sql: AnySql,
  id: number,
  o: { outcome: 'DELIVERED' } | { outcome: 'RETRY'; error: string; delayMs: number } | { outcome: 'FAILED'; error: string },
) {
  if (o.outcome === 'DELIVERED') {
    await sql`
      UPDATE alert_deliveries SET status = 'DELIVERED', delivered_at = now(), attempts = attempts + 1, locked_until = NULL, last_error = NULL
      WHERE id = ${id} AND status = 'PENDING'`;
  } else {
    await sql`
      UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ${o.error}, locked_until = NULL,
        status = ${o.outcome === 'FAILED' ? 'FAILED' : 'PENDING'}::delivery_status,
        next_attempt_at = ${o.outcome === 'RETRY' ? sql`now() + make_interval(secs => ${o.delayMs / 1000})` : sql`next_attempt_at`}
      WHERE id = ${id} AND status = 'PENDING'`;
  }
}

/**
 * How long until a PENDING delivery is due (database clock), or null when none is pending; those of
 * `skipChannels` (this sender's channels at their in-flight cap: a finished attempt wakes it) aside.
 */
export async function nextDeliveryDueMs(sql: AnySql, skipChannels: string[] = []) {
  const [r] = await sql<{ ms: number | null }[]>`
    SELECT (extract(epoch FROM min(greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))) - now()) * 1000)::float8 AS ms
    FROM alert_deliveries WHERE status = 'PENDING' AND NOT (channel_id = ANY(${skipChannels}::uuid[]))`;
  return r?.ms ?? null;
}
