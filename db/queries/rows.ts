import type { RuleJson } from '../schema/jobs';
import type { Sql } from '../client';

export type RowRecord = {
  id: string;
  jobId: string;
  domain: string;
  kind: 'GLOBAL' | 'PER_DOMAIN';
  planKind: 'AUTOMATIC' | 'SCHEDULED' | 'DISABLED';
  rule: RuleJson | null;
  reportSend: boolean;
  reportRecipients: string[];
  reportWhen: 'ALWAYS' | 'WARNING_OR_FAILURE' | 'FAILURE';
  nextRunAt: Date | null;
  lastExecutionId: number | null;
  inCatalog: boolean;
  /** The row's own default parameter values. */
  parameterDefaults: { name: string; value: string }[];
};

export const ROW_COLUMNS = (sql: Sql, r = sql`r`) => sql`
  ${r}.id, ${r}.job_id AS "jobId", ${r}.domain, ${r}.kind, ${r}.plan_kind AS "planKind", ${r}.rule,
  ${r}.report_send AS "reportSend", ${r}.report_recipients AS "reportRecipients", ${r}.report_when AS "reportWhen",
  ${r}.next_run_at AS "nextRunAt", ${r}.last_execution_id::int AS "lastExecutionId", ${r}.in_catalog AS "inCatalog",
  ${r}.parameter_defaults AS "parameterDefaults"`;

export async function findRow(sql: Sql, jobId: string, domain: string) {
  const [row] = await sql<RowRecord[]>`SELECT ${ROW_COLUMNS(sql)} FROM job_rows r WHERE job_id = ${jobId} AND domain = ${domain}`;
  return row;
}

/** The rows of many (job, domain) pairs in one query (pairs without a row are simply absent). */
export async function findRowsByRefs(sql: Sql, refs: { jobId: string; domain: string }[]) {
  if (!refs.length) return [];
  return sql<RowRecord[]>`
    SELECT ${ROW_COLUMNS(sql)} FROM job_rows r
    WHERE (job_id, domain) IN (SELECT * FROM unnest(${refs.map((x) => x.jobId)}::text[], ${refs.map((x) => x.domain)}::text[]))`;
}

export async function findRowById(sql: Sql, id: string) {
  const [row] = await sql<RowRecord[]>`SELECT ${ROW_COLUMNS(sql)} FROM job_rows r WHERE id = ${id}`;
  return row;
}

export async function findRowsByIds(sql: Sql, ids: string[]) {
  return sql<RowRecord[]>`SELECT ${ROW_COLUMNS(sql)} FROM job_rows r WHERE id = ANY(${ids}::uuid[])`;
}

/**
 * Makes job_rows match the catalog: one row per GLOBAL job, one per (PER_DOMAIN job, domain);
 * rows of jobs that left the catalog are hidden, never deleted (their history stays).
 * Returns the ids of rows that are new or came back (their next run must be computed).
 */
export async function syncRows(sql: Sql, jobs: { id: string; kind: 'GLOBAL' | 'PER_DOMAIN' }[], onlyDomain?: string) {
  const global = jobs.filter((j) => j.kind === 'GLOBAL').map((j) => j.id);
  const perDomain = jobs.filter((j) => j.kind === 'PER_DOMAIN').map((j) => j.id);
  const changed = await sql<{ id: string }[]>`
    WITH wanted AS (
      SELECT g AS job_id, 'global' AS domain, 'GLOBAL' AS kind FROM unnest(${global}::text[]) g
      WHERE ${onlyDomain === undefined}
      UNION ALL
      SELECT p, d.name, 'PER_DOMAIN' FROM unnest(${perDomain}::text[]) p
      CROSS JOIN domains d WHERE ${onlyDomain ?? null}::text IS NULL OR d.name = ${onlyDomain ?? null}
    )
    INSERT INTO job_rows (job_id, domain, kind)
    SELECT job_id, domain, kind FROM wanted
    ON CONFLICT (job_id, domain) DO UPDATE SET in_catalog = true, kind = excluded.kind, updated_at = now()
      WHERE job_rows.in_catalog = false OR job_rows.kind <> excluded.kind
    RETURNING id`;
  if (onlyDomain === undefined) {
    const all = jobs.map((j) => j.id);
    await sql`UPDATE job_rows SET in_catalog = false, next_run_at = NULL, updated_at = now()
              WHERE in_catalog AND job_id <> ALL(${all}::text[])`;
  }
  return changed.map((r) => r.id);
}

/** Rows whose stored next run needs computing: new rows, or rows whose plan yields a rule but no date. */
export async function rowsNeedingNextRun(sql: Sql) {
  return sql<RowRecord[]>`
    SELECT ${ROW_COLUMNS(sql)} FROM job_rows r
    WHERE in_catalog AND next_run_at IS NULL AND plan_kind <> 'DISABLED'`;
}

export async function updatePlan(
  sql: Sql,
  id: string,
  p: { planKind: RowRecord['planKind']; rule: RuleJson | null; nextRunAt: Date | null },
) {
  const [row] = await sql<RowRecord[]>`
    UPDATE job_rows r SET plan_kind = ${p.planKind}, rule = ${p.rule === null ? null : sql.json(p.rule as never)},
      next_run_at = ${p.nextRunAt}, updated_at = now()
    WHERE id = ${id} RETURNING ${ROW_COLUMNS(sql)}`;
  return row;
}

export async function updateReport(
  sql: Sql,
  id: string,
  r: { send: boolean; recipients: string[]; when: RowRecord['reportWhen'] },
) {
  const [row] = await sql<RowRecord[]>`
    UPDATE job_rows r SET report_send = ${r.send}, report_recipients = ${r.recipients}::text[], report_when = ${r.when}, updated_at = now()
    WHERE id = ${id} RETURNING ${ROW_COLUMNS(sql)}`;
  return row;
}

/**
 * Replaces rows' own default parameter values (secret ones in full: services mask them when served),
 * except the current values named in `keep` (secrets a client cannot read back, so cannot resend).
 */
export async function updateParameterDefaults(sql: Sql, ids: string[], defaults: { name: string; value: string }[], keep: string[] = []) {
  return sql<RowRecord[]>`
    UPDATE job_rows r SET updated_at = now(), parameter_defaults = ${sql.json(defaults)}::jsonb || (
      SELECT coalesce(jsonb_agg(x), '[]'::jsonb) FROM jsonb_array_elements(r.parameter_defaults) x WHERE x->>'name' = ANY(${keep}::text[]))
    WHERE id = ANY(${ids}::uuid[]) RETURNING ${ROW_COLUMNS(sql)}`;
}

export async function setNextRun(sql: Sql, id: string, nextRunAt: Date | null) {
  await sql`UPDATE job_rows SET next_run_at = ${nextRunAt} WHERE id = ${id}`;
}

/** Active rows with a next run: what Agenda must hold. */
export async function scheduledRows(sql: Sql) {
  return sql<{ id: string; nextRunAt: Date }[]>`
    SELECT id, next_run_at AS "nextRunAt" FROM job_rows WHERE in_catalog AND next_run_at IS NOT NULL`;
}

/**
 * The rows of new domains, set-based: one (PER_DOMAIN job, domain) row per pair in one statement,
 * whatever the number of domains (syncRows with onlyDomain is the one-domain form). Answers the rows
 * of those domains that still need their next run computed, new ones included.
 */
export async function syncDomainsRows(sql: Sql, perDomainJobIds: string[], domains: string[]) {
  if (!domains.length) return [];
  if (perDomainJobIds.length) {
    await sql`
      INSERT INTO job_rows (job_id, domain, kind)
      SELECT p, d, 'PER_DOMAIN' FROM unnest(${perDomainJobIds}::text[]) p CROSS JOIN unnest(${domains}::text[]) d
      ON CONFLICT (job_id, domain) DO UPDATE SET in_catalog = true, kind = excluded.kind, updated_at = now()
        WHERE job_rows.in_catalog = false OR job_rows.kind <> excluded.kind`;
  }
  return sql<RowRecord[]>`
    SELECT ${ROW_COLUMNS(sql)} FROM job_rows r
    WHERE domain = ANY(${domains}::text[]) AND in_catalog AND next_run_at IS NULL AND plan_kind <> 'DISABLED'`;
}

/** Stores many rows' next runs in one statement. */
export async function setNextRuns(sql: Sql, runs: { id: string; at: Date }[]) {
  if (!runs.length) return;
  await sql`
    UPDATE job_rows r SET next_run_at = v.at
    FROM unnest(${runs.map((x) => x.id)}::uuid[], ${runs.map((x) => x.at.toISOString())}::timestamptz[]) AS v(id, at)
    WHERE r.id = v.id`;
}

/**
 * Makes Agenda hold exactly one pending occurrence job (`name`) per row: the given time, or none
 * where it is null. Two statements whatever the number of rows (syncDomains, updateJobs); a
 * running occurrence (locked) is left to finish, as scheduleRow does. Call it in a transaction.
 */
export async function replaceOccurrences(tx: Sql, name: string, rows: { id: string; at: Date | null }[]) {
  if (!rows.length) return;
  const ids = rows.map((r) => r.id);
  // agenda_jobs has no index on data->>'rowId'. `= ANY(ids)` with the ids as a constant is one scan
  // probing a hash of them (60 ms for 20,000 rows among 40,000 jobs), but a generic plan of the
  // prepared statement tests each job against the array one element at a time (minutes), and a
  // join with unnest was planned as a merge join sorting every job on disk, or as a nested loop.
  // Custom plans only, for this transaction.
  await tx`SELECT set_config('plan_cache_mode', 'force_custom_plan', true)`;
  await tx`
    DELETE FROM agenda_jobs a
    WHERE a.name = ${name} AND a.locked_at IS NULL AND a.data->>'rowId' = ANY(${ids}::text[])`;
  const due = rows.filter((r): r is { id: string; at: Date } => r.at !== null);
  if (!due.length) return;
  await tx`
    INSERT INTO agenda_jobs (name, priority, next_run_at, type, data)
    SELECT ${name}, 0, v.iso::timestamptz, 'normal', jsonb_build_object('rowId', v.id, 'at', v.iso)
    FROM unnest(${due.map((r) => r.id)}::text[], ${due.map((r) => r.at.toISOString())}::text[]) AS v(id, iso)`;
}

/** What updateRows changes: each part given is set on every row (the plan with each row's own next run). */
export type RowsChange = {
  plan?: { planKind: RowRecord['planKind']; rule: RuleJson | null; nextRunAts: (Date | null)[] };
  report?: { send: boolean; recipients: string[]; when: RowRecord['reportWhen'] };
  /** New defaults, and the names of secret ones whose current value is kept (see updateParameterDefaults). */
  parameterDefaults?: { values: { name: string; value: string }[]; keep: string[] };
};

/**
 * updateJobs' write: plan, report and/or parameter defaults of many rows in one statement, each
 * row with its own next run (ids[i] gets plan.nextRunAts[i]). Only rows still in the catalog and in
 * `scope` (a condition on r.domain) change; answers them with the next run each got.
 */
export async function updateRows(sql: Sql, scope: ReturnType<typeof sql>, ids: string[], c: RowsChange) {
  if (!ids.length) return [];
  const ats = c.plan ? c.plan.nextRunAts.map((d) => d?.toISOString() ?? null) : ids.map(() => null);
  const plan = c.plan
    ? sql`plan_kind = ${c.plan.planKind}, rule = ${c.plan.rule === null ? null : sql.json(c.plan.rule as never)}, next_run_at = v.at::timestamptz,`
    : sql``;
  const report = c.report
    ? sql`report_send = ${c.report.send}, report_recipients = ${c.report.recipients}::text[], report_when = ${c.report.when},`
    : sql``;
  const params = c.parameterDefaults
    ? sql`parameter_defaults = ${JSON.stringify(c.parameterDefaults.values)}::jsonb || (
        SELECT coalesce(jsonb_agg(x), '[]'::jsonb) FROM jsonb_array_elements(r.parameter_defaults) x WHERE x->>'name' = ANY(${c.parameterDefaults.keep}::text[])),`
    : sql``;
  return sql<{ id: string; at: Date | null }[]>`
    UPDATE job_rows r SET ${plan} ${report} ${params} updated_at = now()
    FROM unnest(${ids}::uuid[], ${ats}::text[]) AS v(id, at)
    WHERE r.id = v.id AND r.in_catalog AND ${scope}
    RETURNING r.id, r.next_run_at AS at`;
}
