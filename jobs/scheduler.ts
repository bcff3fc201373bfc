import type { Agenda } from 'agenda';
import type { Sql } from '../db/client';
import { replaceOccurrences, rowsNeedingNextRun, scheduledRows, setNextRun, setNextRuns, syncDomainsRows, syncRows } from '../db/queries/rows';
import type { Config } from '../lib/config';
import type { CatalogView, EngineClient } from './types';
import { OCCURRENCE, EXECUTION, type OccurrenceData } from './agenda';
import { effectiveRule } from './effective-rule';
import { NextRuns } from './spread';

/** Keeps Agenda's table in step with the plans: one pending occurrence job per active row. */
/** How long after executeNow its Agenda fallback job is due. */
const FALLBACK_DELAY_MS = 2000;

export class Scheduler implements EngineClient {
  constructor(
    private readonly agenda: Agenda,
    private readonly sql: Sql,
    private readonly catalog: CatalogView,
    private readonly config: Config,
  ) {}

  /**
   * One Agenda job for the executions of one executeNow: the fallback wake-up of the workers, due a
   * little later. A worker woken by the insert's NOTIFY has taken them by then, and the fallback's
   * own work (Agenda's insert, notification and lock on every worker) stays off the path of the run.
   */
  async queueExecutions(executionIds: number[], at?: Date) {
    await this.agenda.schedule(at ?? new Date(Date.now() + FALLBACK_DELAY_MS), EXECUTION, { executionIds });
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

  /**
   * syncDomain for many domains at once, set-based: one statement creates every row, next runs are
   * computed in memory, one statement stores them and one inserts their Agenda occurrences. 10,000
   * domains cost a handful of round trips instead of three per row.
   */
  async syncDomains(domains: string[]) {
    if (!domains.length) return;
    const perDomain = this.catalog.list().filter((j) => j.kind === 'PER_DOMAIN').map((j) => j.id);
    const rows = await syncDomainsRows(this.sql, perDomain, domains);
    // Rows of one job share their rule: its occurrences are computed once, each row adds its spread.
    const next = new NextRuns(new Date());
    const runs: { id: string; at: Date }[] = [];
    for (const row of rows) {
      const rule = effectiveRule(row, this.catalog.get(row.jobId), this.config.DEFAULT_TIME_ZONE);
      const at = rule ? next.of(rule, row) : null;
      if (at) runs.push({ id: row.id, at });
    }
    await this.sql.begin(async (tx) => {
      const t = tx as unknown as Sql;
      await setNextRuns(t, runs);
      await replaceOccurrences(t, OCCURRENCE, runs);
    });
  }

  /**
   * scheduleRow for many rows at once, set-based, in the caller's transaction when it gives one
   * (updateJobs): their pending occurrences are replaced by one each (none where `at` is null).
   */
  async scheduleRows(rows: { id: string; at: Date | null }[], tx?: Sql) {
    if (!rows.length) return;
    if (tx) await replaceOccurrences(tx, OCCURRENCE, rows);
    else await this.sql.begin((t) => replaceOccurrences(t as unknown as Sql, OCCURRENCE, rows));
  }

  /** Computes the next run of rows that have none yet but should. */
  async fillNextRuns() {
    const runs = new NextRuns(new Date());
    for (const row of await rowsNeedingNextRun(this.sql)) {
      const rule = effectiveRule(row, this.catalog.get(row.jobId), this.config.DEFAULT_TIME_ZONE);
      if (!rule) continue;
      const next = runs.of(rule, row);
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
    // Stale = its row has moved on. Decided in SQL, against the row as it is now, so a worker that
    // just consumed an occurrence and added the next one never has the new one deleted.
    await this.sql`
      DELETE FROM agenda_jobs a WHERE a.name = ${OCCURRENCE} AND a.locked_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM job_rows r WHERE r.id::text = a.data->>'rowId' AND r.in_catalog
                        AND r.next_run_at = (a.data->>'at')::timestamptz)`;
    const rows = await scheduledRows(this.sql);
    const pending = await this.sql<{ rowId: string; at: string }[]>`
      SELECT data->>'rowId' AS "rowId", data->>'at' AS at FROM agenda_jobs WHERE name = ${OCCURRENCE}`;
    const have = new Set(pending.map((p) => `${p.rowId}|${new Date(p.at).toISOString()}`));
    for (const r of rows) if (!have.has(`${r.id}|${r.nextRunAt.toISOString()}`)) await this.addOccurrence(r.id, r.nextRunAt);
  }
}
