/**
 * alertChanged: every change of an alert is announced by NOTIFY jobdeck_alert (its id); each web
 * process reads the changed alerts once, whatever its number of subscribers, and hands each to the
 * subscribers whose scope reaches it. One hub per database pool, started at the first subscriber.
 */
import type { Sql } from '../db/client';
import { findAlerts, type AlertRecord } from '../db/queries/alerts';
import { Channel } from '../lib/channel';

const EVERYTHING = { global: true, all: true, domains: [] };
type Sub = { channel: Channel<AlertRecord>; accept: (a: AlertRecord) => boolean };

class AlertHub {
  private readonly subs = new Set<Sub>();
  private pending = new Set<number>();
  private reading = false;
  private unlisten: (() => Promise<void>) | undefined;
  readonly ready: Promise<void>;

  constructor(private readonly sql: Sql) {
    this.ready = sql.listen('jobdeck_alert', (p) => this.changed(Number(p))).then((l) => void (this.unlisten = () => l.unlisten()));
  }

  subscribe(accept: (a: AlertRecord) => boolean): AsyncIterableIterator<AlertRecord> {
    const channel = new Channel<AlertRecord>(10_000);
    const sub = { channel, accept };
    this.subs.add(sub);
    channel.finally(() => this.subs.delete(sub));
    return channel;
  }

  private changed(id: number) {
    if (!Number.isSafeInteger(id) || this.subs.size === 0) return;
    this.pending.add(id);
    if (!this.reading) {
      this.reading = true;
      setImmediate(() => void this.read());
    }
  }

  /** Changes announced together are read in one query; reads run one at a time, in order. */
  private async read() {
    try {
      while (this.pending.size) {
        const ids = [...this.pending].slice(0, 1000);
        for (const id of ids) this.pending.delete(id);
        try {
          const rows = (await findAlerts(this.sql, EVERYTHING, ids)).sort((a, b) => a.id - b.id);
          for (const a of rows) for (const s of this.subs) if (s.accept(a)) s.channel.push(a);
        } catch {
          /* the next change reads again; a lost event is not worth a crash */
        }
      }
    } finally {
      this.reading = false;
    }
  }

  async stop() {
    for (const s of this.subs) s.channel.end();
    await this.unlisten?.().catch(() => {});
  }
}

const hubs = new WeakMap<Sql, AlertHub>();

/** This pool's hub, listening once it resolves (so no change after subscribing is missed). */
export async function alertHubFor(sql: Sql) {
  let hub = hubs.get(sql);
  if (!hub) hubs.set(sql, (hub = new AlertHub(sql)));
  await hub.ready;
  return hub;
}

export async function stopAlertHub(sql: Sql) {
  const hub = hubs.get(sql);
  hubs.delete(sql);
  await hub?.stop();
}
