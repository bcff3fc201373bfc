/**
 * Delivers the alert outbox (alert_deliveries). Any number of senders may run, one per process:
 * deliveries are claimed with a lease on the database clock and FOR UPDATE SKIP LOCKED. Up to
 * `concurrency` deliveries are in flight at once, each bounded by a time limit, so a slow or dead
 * receiver holds one slot, never the others. A failure is retried with growing delays; a permanent
 * one (a 4xx other than 408/429, a redirect) is given up at once and can be retried by hand.
 */
import type { Sql } from '../../db/client';
import { claimDeliveries, nextDeliveryDueMs, recordAttempt, type ClaimedDelivery } from '../../db/queries/channels';
import { retryDelayMs, type Mailer } from '../report/sender';
import { deliver, type Outcome } from './deliver';

export type AlertSenderOptions = {
  sql: Sql;
  publicUrl?: string;
  mailer: Mailer | null;
  log: (m: string) => void;
  /** Deliveries in flight at once. Default 16. */
  concurrency?: number;
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
  const baseDelayMs = Math.max(1, o.baseDelayMs ?? 2000);
  const maxAttempts = Math.max(1, o.maxAttempts ?? 10);
  const pollMs = Math.max(10, o.pollMs ?? 5000);
  const timeoutMs = o.timeoutMs ?? 10_000;
  // A claim outlives the longest attempt: another sender takes a delivery only from a dead one.
  const lockSeconds = Math.ceil(timeoutMs / 1000) * 3 + 30;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let kicked = false;
  let wake: (() => void) | undefined;
  const kick = () => {
    kicked = true;
    wake?.();
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

  function sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }

  async function loop() {
    while (!stopped) {
      kicked = false;
      let waitMs = pollMs;
      try {
        const room = concurrency - inFlight.size;
        const claimed = await claimDeliveries(o.sql, room, lockSeconds);
        for (const d of claimed) {
          const p: Promise<void> = attempt(d)
            .catch((e) => o.log(`alert delivery ${d.id}: ${(e as Error).message}`))
            .finally(() => {
              inFlight.delete(p);
              kick();
            });
          inFlight.add(p);
        }
        if (claimed.length === room && room > 0) continue;
        const due = await nextDeliveryDueMs(o.sql);
        waitMs = due === null ? pollMs : Math.min(pollMs, Math.max(0, Math.ceil(due)));
      } catch (err) {
        o.log(`alert sender: ${(err as Error).message}`);
      }
      if (stopped) break;
      if (kicked || (waitMs === 0 && inFlight.size < concurrency)) continue;
      await sleep(waitMs === 0 ? pollMs : waitMs);
    }
  }

  const running = loop();
  return {
    kick,
    async stop() {
      stopped = true;
      wake?.();
      await running;
      await Promise.all([...inFlight]);
      await listener?.unlisten().catch(() => {});
    },
  };
}
