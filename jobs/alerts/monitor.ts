/**
 * The periodic checks: TOO_LONG (runs past their limit), MISSED (occurrences not started within
 * their grace) and NO_WORKER (work waiting and no worker alive for LEASE_SECONDS). Every process
 * runs this timer, web processes too, so that a fleet whose workers all died is still noticed; an
 * advisory lock lets one process do each round's work while the others skip it.
 */
import type { Sql } from '../../db/client';
import { announce, type AlertRecord } from '../../db/queries/alerts';
import * as checks from '../../db/queries/alert-checks';

export type MonitorOptions = {
  sql: Sql;
  leaseSeconds: number;
  /** Seconds between rounds. */
  everySeconds: number;
  log: (m: string) => void;
  /** Told after a round that opened or resolved something (this process's sender wakes up). */
  onChange?: () => void;
};

export type RoundResult = { ran: boolean; opened: AlertRecord[]; resolved: AlertRecord[] };

export class AlertMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  /** A process that just started gives the workers one lease to show up before it says none is alive. */
  private readonly startedAt = Date.now();

  constructor(private readonly o: MonitorOptions) {}

  start() {
    this.timer = setInterval(() => void this.tick(), this.o.everySeconds * 1000);
    this.timer.unref();
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => {});
  }

  private tick() {
    if (this.running || this.stopped) return;
    this.running = this.round()
      .then((r) => {
        if (r.opened.length || r.resolved.length) this.o.onChange?.();
      })
      .catch((e) => this.o.log(`alert checks failed (retried next round): ${(e as Error).message}`))
      .finally(() => (this.running = undefined));
  }

  /** One round of every check, in one transaction, by whichever process takes the lock. */
  async round(): Promise<RoundResult> {
    const result: RoundResult = { ran: false, opened: [], resolved: [] };
    await this.o.sql.begin(async (tx) => {
      const sql = tx as unknown as Sql;
      if (!(await checks.takeChecksLock(sql))) return;
      result.ran = true;
      const opened = [...(await checks.openMissed(sql)), ...(await checks.openTooLong(sql))];
      const resolved = [...(await checks.resolveMissed(sql)), ...(await checks.resolveEndedTooLong(sql))];
      const fleet = await checks.fleetState(sql, this.o.leaseSeconds);
      if (fleet.aliveNow) resolved.push(...(await checks.resolveNoWorker(sql)));
      else if (!fleet.aliveWithinLease && fleet.workWaiting && Date.now() - this.startedAt >= this.o.leaseSeconds * 1000) {
        const a = await checks.openNoWorker(sql, `No worker has been alive for ${this.o.leaseSeconds} s while runs are due or queued: nothing runs.`);
        if (a) opened.push(a);
      }
      await announce(sql, opened.map((a) => a.id), 'opened');
      await announce(sql, resolved.map((a) => a.id), 'resolved');
      result.opened = opened;
      result.resolved = resolved;
    });
    return result;
  }
}
