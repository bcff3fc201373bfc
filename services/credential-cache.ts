/**
 * A web process keeps what a credential resolved to for a few seconds, so that a request does not
 * read sessions and users again (~0.4 ms, a third of an authenticated `{ __typename }`). Revocation
 * still counts at once: every change that can end or narrow a credential notifies `jobdeck_auth` on
 * commit (migration 0020), and every process forgets everything it kept when told. A lookup that
 * started before such a notice is not kept. Only credentials that held are kept (a new session or
 * token is never refused from memory), and each only until its own deadline (expiry, idle timeout).
 */
import type { Sql } from '../db/client';
import type { UserRecord } from '../db/queries/users';

/** How long a lookup is trusted without a notice: bounds a lost notice (a listener reconnecting is told too). */
export const CREDENTIAL_CACHE_MS = 10_000;
const MAX_ENTRIES = 10_000;

type Entry = { user: UserRecord; until: number };

export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  private epoch = 0;
  private listening = false;
  private waiters: (() => void)[] = [];
  private readonly listen: Promise<void>;

  constructor(private readonly sql: Sql) {
    // Until the LISTEN is in place nothing is kept: a notice could be missed.
    this.listen = sql
      .listen('jobdeck_auth', () => this.noticed(), () => this.forget())
      .then(() => {
        // The LISTEN ends with the pool (sql.end()).
        this.listening = true;
      })
      .catch(() => undefined);
  }

  /** The user a credential resolved to, while its entry holds. */
  get(key: string): UserRecord | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (Date.now() < e.until) return e.user;
    this.entries.delete(key);
    return undefined;
  }

  /** A ticket for a lookup about to start: `keep` refuses it if any notice came in between. */
  ticket() {
    return this.epoch;
  }

  keep(key: string, ticket: number, user: UserRecord, deadline: Date | null) {
    if (!this.listening || ticket !== this.epoch) return;
    const until = Math.min(Date.now() + CREDENTIAL_CACHE_MS, deadline ? deadline.getTime() : Infinity);
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    // Shared by every request of the credential: nobody may change it.
    Object.freeze(user.domains);
    this.entries.set(key, { user: Object.freeze(user), until });
  }

  /** Forgets every credential (a notice came, or a change made here). */
  forget() {
    this.epoch++;
    this.entries.clear();
  }

  private noticed() {
    this.forget();
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when the next notice from PostgreSQL has been acted on (for tests that change credentials by hand). */
  nextNotice() {
    return new Promise<void>((res) => this.waiters.push(res));
  }

  /** Resolves once notices are heard (nothing is kept before). */
  async ready() {
    await this.listen;
  }
}

const caches = new WeakMap<Sql, CredentialCache>();
/** One cache per pool (per process), started on first use. */
export function credentialCache(sql: Sql) {
  let c = caches.get(sql);
  if (!c) caches.set(sql, (c = new CredentialCache(sql)));
  return c;
}

/**
 * Forgets what this process kept, after a change it made itself (the notice from PostgreSQL comes
 * too, but may land after this process's next request).
 */
export function forgetCredentials(sql: Sql) {
  caches.get(sql)?.forget();
}
