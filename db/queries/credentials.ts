import type { Sql } from '../client';
import { USER_COLUMNS, type UserRecord } from './users';

/** Sessions and API tokens: both are stored as sha256 hashes of the secret. */

export async function insertSession(sql: Sql, s: { tokenHash: string; userId: string; maxHours: number; address?: string; userAgent?: string }) {
  await sql`
    INSERT INTO sessions (token_hash, user_id, expires_at, address, user_agent)
    VALUES (${s.tokenHash}, ${s.userId}, now() + make_interval(hours => ${s.maxHours}), ${s.address ?? null}, ${s.userAgent?.slice(0, 300) ?? null})`;
}

/**
 * The user of a live session (absolute and idle expiry, database clock), in one round trip, and
 * until when the session holds (its expiry or idle timeout, whichever comes first); last_seen_at
 * moves at most once a minute (a read request then costs no write, no WAL flush).
 */
export async function userBySession(sql: Sql, tokenHash: string, idleMinutes: number) {
  const [row] = await sql<(UserRecord & { holdsUntil: Date })[]>`
    WITH s AS (
      SELECT user_id, least(expires_at, last_seen_at + make_interval(mins => ${idleMinutes})) AS holds_until
      FROM sessions WHERE token_hash = ${tokenHash} AND expires_at > now()
        AND last_seen_at > now() - make_interval(mins => ${idleMinutes})
    ), touch AS (
      UPDATE sessions SET last_seen_at = now()
      WHERE token_hash = ${tokenHash} AND last_seen_at < now() - interval '1 minute' AND EXISTS (SELECT 1 FROM s)
    )
    SELECT ${USER_COLUMNS(sql)}, s.holds_until AS "holdsUntil" FROM s JOIN users u ON u.id = s.user_id WHERE NOT u.disabled`;
  return row;
}

export async function sessionAlive(sql: Sql, tokenHash: string, idleMinutes: number) {
  const [row] = await sql<{ ok: boolean }[]>`
    SELECT true AS ok FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = ${tokenHash} AND s.expires_at > now() AND NOT u.disabled
      AND s.last_seen_at > now() - make_interval(mins => ${idleMinutes})`;
  return !!row;
}

export async function deleteSession(sql: Sql, tokenHash: string) {
  await sql`DELETE FROM sessions WHERE token_hash = ${tokenHash}`;
}

export async function insertApiToken(sql: Sql, t: { userId: string; name: string; tokenHash: string }) {
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO api_tokens (user_id, name, token_hash) VALUES (${t.userId}, ${t.name}, ${t.tokenHash}) RETURNING id`;
  return row!.id;
}

/** The user of a live API token and its expiry (null: none), in one round trip; last_used_at moves at most once a minute. */
export async function userByApiToken(sql: Sql, tokenHash: string) {
  const [row] = await sql<(UserRecord & { holdsUntil: Date | null })[]>`
    WITH t AS (
      SELECT id, user_id, expires_at FROM api_tokens
      WHERE token_hash = ${tokenHash} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
    ), touch AS (
      UPDATE api_tokens SET last_used_at = now()
      WHERE id = (SELECT id FROM t) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
    )
    SELECT ${USER_COLUMNS(sql)}, t.expires_at AS "holdsUntil" FROM t JOIN users u ON u.id = t.user_id WHERE NOT u.disabled`;
  return row;
}

export async function apiTokenAlive(sql: Sql, tokenHash: string) {
  const [row] = await sql<{ ok: boolean }[]>`
    SELECT true AS ok FROM api_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = ${tokenHash} AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND NOT u.disabled`;
  return !!row;
}

export async function listApiTokens(sql: Sql, userId: string) {
  return sql<{ id: string; name: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }[]>`
    SELECT id, name, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
    FROM api_tokens WHERE user_id = ${userId} ORDER BY created_at DESC`;
}

export async function revokeApiToken(sql: Sql, userId: string, id: string) {
  const rows = await sql`
    UPDATE api_tokens SET revoked_at = now() WHERE id = ${id} AND user_id = ${userId} AND revoked_at IS NULL RETURNING id`;
  return rows.length > 0;
}

/** A key's limit: that many failures in the window refuse it; failures plus checks in flight make it wait. */
export type LoginKey = { key: string; limit: number };
/** `busy.inFlight` names the checks in flight on the keys: when it changes, the queue is moving. */
export type Reservation = { kind: 'reserved'; ids: number[] } | { kind: 'limited'; retryAfterSeconds: number } | { kind: 'busy'; inFlight: string };

/**
 * Takes a slot for one password check on every key, or says why not: a key at its limit of
 * failures refuses; a key whose failures plus checks in flight reach the limit is busy (the caller
 * waits for one to settle). Serialised per key, so a parallel storm never has more guesses in
 * flight than the limit allows.
 */
export async function reserveLoginAttempt(sql: Sql, keys: LoginKey[], windowMinutes: number, staleSeconds: number): Promise<Reservation> {
  const names = keys.map((k) => k.key).sort();
  return sql.begin(async (tx) => {
    for (const k of names) await tx`SELECT pg_advisory_xact_lock(hashtext(${`jobdeck:login:${k}`}))`;
    const rows = await tx<{ key: string; failures: number; retryAfterSeconds: number; pending: number; ids: string }[]>`
      SELECT k.key, coalesce(f.count, 0) AS failures,
        coalesce(ceil(extract(epoch FROM f.window_start + make_interval(mins => ${windowMinutes}) - now())), 0)::int AS "retryAfterSeconds",
        p.pending, p.ids
      FROM unnest(${names}::text[]) AS k(key)
      LEFT JOIN login_failures f ON f.key = k.key AND f.window_start >= now() - make_interval(mins => ${windowMinutes})
      CROSS JOIN LATERAL (
        SELECT count(*)::int AS pending, coalesce(string_agg(a.id::text, ',' ORDER BY a.id), '') AS ids FROM login_attempts a
        WHERE a.key = k.key AND a.started_at > now() - make_interval(secs => ${staleSeconds})) p`;
    const limitOf = (key: string) => keys.find((k) => k.key === key)!.limit;
    const limited = rows.filter((r) => r.failures >= limitOf(r.key));
    if (limited.length) return { kind: 'limited', retryAfterSeconds: Math.max(...limited.map((r) => r.retryAfterSeconds)) } as const;
    if (rows.some((r) => r.failures + r.pending >= limitOf(r.key))) return { kind: 'busy', inFlight: rows.map((r) => r.ids).join(';') } as const;
    const ids = await tx<{ id: number }[]>`
      INSERT INTO login_attempts (key) SELECT unnest(${names}::text[]) RETURNING id::int AS id`;
    return { kind: 'reserved', ids: ids.map((r) => r.id) } as const;
  }) as Promise<Reservation>;
}

/**
 * Ends a password check: its slots are given back; a failure is counted on every key in a fixed
 * window, a success clears the failures of `clearKey` (the account) and counts nothing.
 */
export async function settleLoginAttempt(sql: Sql, ids: number[], outcome: { failedKeys: string[]; clearKey?: string }, windowMinutes: number) {
  await sql.begin(async (tx) => {
    await tx`DELETE FROM login_attempts WHERE id = ANY(${ids}::bigint[]) OR started_at < now() - interval '1 hour'`;
    if (outcome.clearKey) await tx`DELETE FROM login_failures WHERE key = ${outcome.clearKey}`;
    for (const key of outcome.failedKeys)
      await tx`
        INSERT INTO login_failures (key, window_start, count) VALUES (${key}, now(), 1)
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN login_failures.window_start < now() - make_interval(mins => ${windowMinutes}) THEN 1 ELSE login_failures.count + 1 END,
          window_start = CASE WHEN login_failures.window_start < now() - make_interval(mins => ${windowMinutes}) THEN now() ELSE login_failures.window_start END`;
  });
}

export type SessionRecord = { id: string; createdAt: Date; lastSeenAt: Date; address: string | null; userAgent: string | null; current: boolean };

/** A user's open sessions, newest first; `current` marks the one with this hash. */
export async function sessionsOf(sql: Sql, userId: string, currentHash: string | undefined, idleMinutes: number) {
  return sql<SessionRecord[]>`
    SELECT id, created_at AS "createdAt", last_seen_at AS "lastSeenAt", address, user_agent AS "userAgent",
           token_hash = ${currentHash ?? ''} AS current
    FROM sessions
    WHERE user_id = ${userId} AND expires_at > now() AND last_seen_at > now() - make_interval(mins => ${idleMinutes})
    ORDER BY last_seen_at DESC`;
}

/** Ends one of a user's sessions by its public id; false when he has none by that id. */
export async function deleteSessionById(sql: Sql, userId: string, id: string) {
  const rows = await sql`DELETE FROM sessions WHERE user_id = ${userId} AND id = ${id} RETURNING 1`;
  return rows.length > 0;
}

/** Ends every session of a user, but the one with `keepHash` (his own, when he changes his password). */
export async function deleteSessionsOf(sql: Sql, userId: string, keepHash?: string) {
  await sql`DELETE FROM sessions WHERE user_id = ${userId} AND token_hash <> ${keepHash ?? ''}`;
}

/** Tells every web process that a user's credentials changed, so his open WebSockets are checked now. */
export async function credentialsChanged(sql: Sql, userId: string) {
  await sql`SELECT pg_notify('jobdeck_credentials', ${userId})`;
}
