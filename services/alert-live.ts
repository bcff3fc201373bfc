/**
 * alertChanged: every change of an alert is announced by NOTIFY jobdeck_alert (its id); each web
 * process reads the changed alerts once, whatever its number of subscribers, and hands each to the
 * subscribers whose scope reaches it. One hub per database pool, started at the first subscriber.
 */
import type { Sql } from '../db/client';
import { findAlerts, type AlertRecord } from '../db/queries/alerts';
import { Channel } from '../lib/channel';
import { CoalescedReads } from '../lib/coalesced-reads';

const EVERYTHING = { global: true, all: true, domains: [] };
type Sub = { channel: Channel<AlertRecord>; accept: (a: AlertRecord) => boolean };

class AlertHub {
  private readonly subs = new Set<Sub>();
  // A failed read is not worth a crash: the next change reads again.
  private readonly reads = new CoalescedReads((ids) => this.read(ids), () => {}, 1000);
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
    if (Number.isSafeInteger(id) && this.subs.size > 0) this.reads.add(id);
  }

  private async read(ids: number[]) {
    const rows = (await findAlerts(this.sql, EVERYTHING, ids)).sort((a, b) => a.id - b.id);
    for (const a of rows) for (const s of this.subs) if (s.accept(a)) s.channel.push(a);
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
