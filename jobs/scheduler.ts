import type { Agenda } from 'agenda';
import type { Sql } from '../db/client';
import { rowsNeedingNextRun, scheduledRows, setNextRun, setNextRuns, syncDomainsRows, syncRows } from '../db/queries/rows';
import type { Config } from '../lib/config';
import type { CatalogView, EngineClient } from './types';
import { OCCURRENCE, EXECUTION, type OccurrenceData } from './agenda';
import { effectiveRule } from './effective-rule';
import { nextOccurrence } from './plan';

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
  async queueExecutions(executionIds: number[]) {
    await this.agenda.schedule(new Date(Date.now() + FALLBACK_DELAY_MS), EXECUTION, { executionIds });
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
    const now = new Date();
    // Rows of one job share their rule: computed once per distinct rule (no per-row offset exists yet).
    const byRule = new Map<string, Date | null>();
    const runs: { id: string; at: Date }[] = [];
    for (const row of rows) {
      const rule = effectiveRule(row, this.catalog.get(row.jobId), this.config.DEFAULT_TIME_ZONE);
      if (!rule) continue;
      const key = JSON.stringify(rule);
      if (!byRule.has(key)) byRule.set(key, nextOccurrence(rule, now));
      const at = byRule.get(key);
      if (at) runs.push({ id: row.id, at });
    }
    await this.sql.begin(async (tx) => {
      const t = tx as unknown as Sql;
      await setNextRuns(t, runs);
      const ids = runs.map((r) => r.id);
      // What scheduleRow does one row at a time: at most one pending occurrence per row.
      await t`DELETE FROM agenda_jobs WHERE name = ${OCCURRENCE} AND locked_at IS NULL AND data->>'rowId' = ANY(${ids}::text[])`;
      await t`
        INSERT INTO agenda_jobs (name, priority, next_run_at, type, data)
        SELECT ${OCCURRENCE}, 0, v.iso::timestamptz, 'normal', jsonb_build_object('rowId', v.id, 'at', v.iso)
        FROM unnest(${ids}::text[], ${runs.map((r) => r.at.toISOString())}::text[]) AS v(id, iso)`;
    });
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
