import type { Agenda } from 'agenda';
import type { Sql } from '../db/client';
import { rowsNeedingNextRun, scheduledRows, setNextRun, syncRows } from '../db/queries/rows';
import type { Config } from '../lib/config';
import type { CatalogView, EngineClient } from '../services/deps';
import { OCCURRENCE, EXECUTION, type OccurrenceData } from './agenda';
import { effectiveRule } from './effective-rule';
import { nextOccurrence } from './plan';

/** Keeps Agenda's table in step with the plans: one pending occurrence job per active row. */
export class Scheduler implements EngineClient {
  constructor(
    private readonly agenda: Agenda,
    private readonly sql: Sql,
    private readonly catalog: CatalogView,
    private readonly config: Config,
  ) {}

  async queueExecution(executionId: number) {
    await this.agenda.now(EXECUTION, { executionId });
  }

  async scheduleRow(rowId: string, at: Date | null) {
    await this.agenda.cancel({ name: OCCURRENCE, data: { rowId } });
    if (at) await this.addOccurrence(rowId, at);
  }

  /** Adds the next occurrence without touching the one being run (Agenda removes that one when it completes). */
  async addOccurrence(rowId: string, at: Date) {
    const data: OccurrenceData = { rowId, at: at.toISOString() };
    await this.agenda.schedule(at, OCCURRENCE, data);
  }

  async syncDomain(domain: string) {
    await syncRows(this.sql, this.catalog.list(), domain);
    await this.fillNextRuns();
  }

  /** Computes the next run of rows that have none yet but should. */
  async fillNextRuns() {
    const now = new Date();
    for (const row of await rowsNeedingNextRun(this.sql)) {
      const rule = effectiveRule(row, this.catalog.get(row.jobId), this.config.DEFAULT_TIME_ZONE);
      if (!rule) continue;
      const next = nextOccurrence(rule, now);
      await setNextRun(this.sql, row.id, next);
      if (next) await this.scheduleRow(row.id, next);
    }
  }

  /**
   * Brings rows and Agenda back in step after a start, a crash or a deployment that changed the
   * catalog: missing occurrence jobs are created (a past one runs at once: a missed occurrence),
   * stale ones are removed.
   */
  async reconcile() {
    await syncRows(this.sql, this.catalog.list());
    await this.fillNextRuns();
    const rows = await scheduledRows(this.sql);
    const pending = await this.sql<{ id: string; rowId: string; at: string }[]>`
      SELECT id::text, data->>'rowId' AS "rowId", data->>'at' AS at FROM agenda_jobs
      WHERE name = ${OCCURRENCE} AND locked_at IS NULL`;
    const want = new Map(rows.map((r) => [r.id, r.nextRunAt.toISOString()]));
    const have = new Set<string>();
    const stale: string[] = [];
    for (const p of pending) {
      if (want.get(p.rowId) === p.at) have.add(p.rowId);
      else stale.push(p.id);
    }
    if (stale.length) await this.sql`DELETE FROM agenda_jobs WHERE id = ANY(${stale}::uuid[]) AND locked_at IS NULL`;
    for (const r of rows) if (!have.has(r.id)) await this.addOccurrence(r.id, r.nextRunAt);
  }
}
