/**
 * Delivers the alert outbox (alert_deliveries). Any number of senders may run, one per process:
 * deliveries are claimed with a lease on the database clock and FOR UPDATE SKIP LOCKED. Up to
 * `concurrency` deliveries are in flight at once, each bounded by a time limit, and at most
 * `perChannel` of them to one channel: a slow or dead receiver holds a few slots, never the
 * others'. A failure is retried with growing delays; a permanent one (a 4xx other than 408/429, a
 * redirect) is given up at once and can be retried by hand.
 */
import type { Sql } from '../../db/client';
import { claimDeliveries, nextDeliveryDueMs, recordAttempt, type ClaimedDelivery } from '../../db/queries/channels';
import { retryDelayMs, type Mailer } from '../report/sender';
import { deliver, type Outcome } from './deliver';
import { wakeableSleep } from '../wakeable-sleep';

export type AlertSenderOptions = {
  sql: Sql;
  publicUrl?: string;
  mailer: Mailer | null;
  log: (m: string) => void;
  /** Deliveries in flight at once. Default 16. */
  concurrency?: number;
  /** Deliveries in flight at once to one channel. Default a quarter of `concurrency`. */
  perChannel?: number;
  /** First retry delay; doubles per attempt up to 15 min. Default 2000. */
  baseDelayMs?: number;
  /** Attempts before a delivery is given up. Default 10. */
  maxAttempts?: number;
  /** Longest sleep when nothing is due or kicked. Default 5000. */
  pollMs?: number;
  /** Longest wait for a receiver. Default 10000. */
  timeoutMs?: number;
  /** Told of every attempt (tests, metrics). Must not throw. */
  onOutcome?: (d: ClaimedDelivery, o: Outcome) => void;
};

export type AlertSender = { kick(): void; stop(): Promise<void> };

/** The webhook-id of a delivery: the same on every attempt, different for every (event, channel). */
export const messageIdOf = (deliveryId: number) => `jobdeck-alert-delivery-${deliveryId}`;

export async function startAlertSender(o: AlertSenderOptions): Promise<AlertSender> {
  const concurrency = Math.max(1, o.concurrency ?? 16);
  const perChannel = Math.max(1, Math.min(concurrency, o.perChannel ?? Math.ceil(concurrency / 4)));
  /** This sender's deliveries in flight, per channel id. */
  const byChannel = new Map<string, number>();
  const baseDelayMs = Math.max(1, o.baseDelayMs ?? 2000);
  const maxAttempts = Math.max(1, o.maxAttempts ?? 10);
  const pollMs = Math.max(10, o.pollMs ?? 5000);
  const timeoutMs = o.timeoutMs ?? 10_000;
  // A claim outlives the longest attempt: another sender takes a delivery only from a dead one.
  const lockSeconds = Math.ceil(timeoutMs / 1000) * 3 + 30;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let kicked = false;
  const idle = wakeableSleep();
  const kick = () => {
    kicked = true;
    idle.wake();
  };
  const listener = await o.sql.listen('jobdeck_alert_delivery', kick, kick).catch((e) => {
    o.log(`alert sender: no LISTEN (${(e as Error).message}); polling every ${pollMs} ms`);
    return undefined;
  });

  async function attempt(d: ClaimedDelivery) {
    const event = d.event === 'opened' ? 'alert.opened' : 'alert.resolved';
    const timestamp = (d.event === 'resolved' ? d.alert.resolvedAt : null) ?? d.alert.openedAt;
    const outcome = await deliver(d.channel, { id: messageIdOf(d.id), type: event, timestamp, alert: d.alert }, { publicUrl: o.publicUrl, mailer: o.mailer, timeoutMs });
    const attempts = d.attempts + 1;
    if (outcome.ok) await recordAttempt(o.sql, d.id, { outcome: 'DELIVERED' });
    else if (outcome.permanent || attempts >= maxAttempts) {
      await recordAttempt(o.sql, d.id, { outcome: 'FAILED', error: outcome.permanent ? outcome.error : `${outcome.error} (gave up after ${attempts} attempts)` });
      o.log(`alert delivery ${d.id} to channel "${d.channel.name}" given up: ${outcome.error}`);
    } else await recordAttempt(o.sql, d.id, { outcome: 'RETRY', error: outcome.error, delayMs: retryDelayMs(attempts, baseDelayMs) });
    try {
      o.onOutcome?.(d, outcome);
    } catch {
      /* an observer's bug must not stop delivery */
    }
  }

  async function loop() {
    while (!stopped) {
      kicked = false;
      let waitMs = pollMs;
      try {
        const room = concurrency - inFlight.size;
        const claimed = await claimDeliveries(o.sql, room, lockSeconds, { perChannel, inFlight: byChannel });
        for (const d of claimed) {
          const ch = d.channel.id;
          byChannel.set(ch, (byChannel.get(ch) ?? 0) + 1);
          const p: Promise<void> = attempt(d)
            .catch((e) => o.log(`alert delivery ${d.id}: ${(e as Error).message}`))
            .finally(() => {
              const left = (byChannel.get(ch) ?? 1) - 1;
              if (left > 0) byChannel.set(ch, left);
              else byChannel.delete(ch);
              inFlight.delete(p);
              kick();
            });
          inFlight.add(p);
        }
        if (claimed.length === room && room > 0) continue;
        // Channels at their cap wait for one of their attempts to finish (it kicks), not for a timer.
        const due = await nextDeliveryDueMs(o.sql, [...byChannel].filter(([, n]) => n >= perChannel).map(([id]) => id));
        waitMs = due === null ? pollMs : Math.min(pollMs, Math.max(0, Math.ceil(due)));
      } catch (err) {
        o.log(`alert sender: ${(err as Error).message}`);
      }
      if (stopped) break;
      if (kicked || (waitMs === 0 && inFlight.size < concurrency)) continue;
      await idle.sleep(waitMs === 0 ? pollMs : waitMs);
    }
  }

  const running = loop();
  return {
    kick,
    async stop() {
      stopped = true;
      idle.wake();
      await running;
      await Promise.all([...inFlight]);
      await listener?.unlisten().catch(() => {});
    },
  };
}
