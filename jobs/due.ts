/**
 * Due occurrences, set-based. Agenda keeps one occurrence job per scheduled row and wakes a worker
 * when one falls due; that worker then drains every due occurrence in batches (its peers do the
 * same, SKIP LOCKED keeping them apart): each batch moves its rows on to their next run and opens
 * their executions in the queue, in one transaction. The runs themselves are claimed from the queue
 * like any other (jobs/runner.ts), so a fleet's 20,000 rows due at one instant start as fast as the
 * workers' slots take them, not at the pace of Agenda locking one job at a time.
 */
import type { Sql } from '../db/client';
import * as q from '../db/queries/occurrences';
import { findRowsByIds } from '../db/queries/rows';
import type { Config } from '../lib/config';
import { OCCURRENCE } from './agenda';
import { effectiveRule } from './effective-rule';
import { resolveValues } from './parameters';
import { NextRuns, nextRunOf } from './spread';
import type { CatalogView } from './types';

/** Occurrences taken per transaction. */
export const DUE_BATCH = 500;

export type DueDeps = {
  sql: Sql;
  config: Config;
  catalog: CatalogView;
  /** The jobs this process can run: another deployment's rows are left to its workers. */
  jobIds: string[];
  log: (msg: string) => void;
  /** Executions were opened (committed): claim them. */
  onOpened: () => void;
};

export type ConsumeResult = { taken: number; opened: number; paused: number; skipped: number };

export class DueOccurrences {
  private sweeping: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly d: DueDeps) {}

  stop() {
    this.stopped = true;
    return this.sweeping;
  }

  /**
   * Consumes occurrences in one transaction: `given` ones (an Agenda job this process runs), or up
   * to DUE_BATCH due ones taken out of Agenda's table. Retried when PostgreSQL picks it as a
   * deadlock's victim (nothing of it stays: the occurrences go back with the rollback).
   */
  async consume(given?: q.DueOccurrence[]): Promise<ConsumeResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.consumeOnce(given);
      } catch (e) {
        if ((e as { code?: string }).code !== '40P01' || attempt >= 3) throw e;
      }
    }
  }

  private async consumeOnce(given?: q.DueOccurrence[]): Promise<ConsumeResult> {
    const { catalog, config } = this.d;
    const result: ConsumeResult = { taken: 0, opened: 0, paused: 0, skipped: 0 };
    const skipped: { jobId: string; domain: string; at: Date }[] = [];
    await this.d.sql.begin(async (tx) => {
      const t = tx as unknown as Sql;
      const due = given ?? (await q.takeDueOccurrences(t, OCCURRENCE, this.d.jobIds, DUE_BATCH));
      result.taken = due.length;
      if (!due.length) return;
      const rows = new Map((await findRowsByIds(t, [...new Set(due.map((o) => o.rowId))])).map((r) => [r.id, r]));
      const now = new Date();
      const runs = new NextRuns(now);
      const items: { rowId: string; at: Date; next: Date | null }[] = [];
      for (const o of due) {
        const row = rows.get(o.rowId);
        // Stale (the plan moved on, the row left the catalog): the row's own occurrence is elsewhere.
        if (!row || !row.inCatalog || row.nextRunAt?.getTime() !== o.at.getTime()) continue;
        const rule = effectiveRule(row, catalog.get(row.jobId), config.DEFAULT_TIME_ZONE);
        // Several missed occurrences run once: the next one is counted from now.
        const next = !rule ? null : o.at > now ? nextRunOf(rule, row, o.at) : runs.of(rule, row);
        items.push({ rowId: row.id, at: o.at, next });
      }
      const consumed = await q.consumeOccurrences(t, items);
      const byRow = new Map(items.map((i) => [i.rowId, i]));
      const toOpen = [];
      for (const c of consumed) {
        if (c.paused) {
          result.paused++;
          continue;
        }
        const row = rows.get(c.rowId)!;
        const def = catalog.get(row.jobId);
        // A scheduled run takes the row's own defaults, else the job's.
        toOpen.push({ rowId: row.id, jobId: row.jobId, domain: row.domain, at: byRow.get(row.id)!.at, parameters: resolveValues(def?.parameters ?? [], [], row.parameterDefaults ?? []) });
      }
      const opened = await q.openScheduled(t, toOpen);
      result.opened = opened.length;
      const openedRows = new Set(opened.map((o) => o.rowId));
      for (const r of toOpen) if (!openedRows.has(r.rowId)) skipped.push({ jobId: r.jobId, domain: r.domain, at: r.at });
      result.skipped = skipped.length;
      await q.auditSkipped(t, skipped);
      // The next occurrence of every consumed row, paused ones included (they keep their schedule).
      const nexts = consumed.map((c) => ({ rowId: c.rowId, at: byRow.get(c.rowId)!.next })).filter((n): n is { rowId: string; at: Date } => n.at !== null);
      await q.addOccurrences(t, OCCURRENCE, nexts);
    });
    for (const s of skipped) this.d.log(`${s.jobId}@${s.domain}: occurrence ${s.at.toISOString()} skipped, a run is still in progress`);
    if (result.opened) this.d.onOpened();
    return result;
  }

  /** Drains every due occurrence, batch after batch; one sweep at a time per process, a call meanwhile runs it again. */
  sweep(): Promise<void> {
    if (this.sweeping) {
      this.again = true;
      return this.sweeping;
    }
    this.sweeping = (async () => {
      do {
        this.again = false;
        for (;;) {
          if (this.stopped) return;
          let r: ConsumeResult;
          try {
            r = await this.consume();
          } catch (e) {
            this.d.log(`taking due occurrences failed (retried on the next heartbeat): ${(e as Error).message}`);
            return;
          }
          if (r.taken < DUE_BATCH) break;
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }
}
