import { insertAudit } from '../db/queries/audit';
import { BRIEF_EXEC_KEYS, openExecutions, type BriefExecution, type ExecutionRecord } from '../db/queries/executions';
import { unreadFor } from '../db/queries/job-list';
import { findRow, findRowsByRefs, updateParameterDefaults, updatePlan, updateReport, type RowRecord } from '../db/queries/rows';
import type { Viewer } from './access';
import { canSeeDomain, domainCondition, scopeOf } from './access';
import { withScope } from '../db/scope';
import { effectiveRule, automaticRuleOf } from '../jobs/effective-rule';
import { nextOccurrences, summarizePlan, summarizeRule, validatePlan, validateRule } from '../jobs/plan';
import { nextRunOf, nextRunsOf } from '../jobs/spread';
import type { Rule } from '../jobs/types';
import { AppError, badInput, notFound } from '../lib/errors';
import { emailSchema } from './auth';
import type { Deps, Loaders } from './deps';
import { decodeCursor, encodeCursor, pageSize } from './paging';
import { auditValues, defaultsFor, runValuesFor, type ParameterInput } from './parameters';
import { prefetchRowExecutions, type RowExecutionArgs } from './executions';
import { asksAssurance, auditAssurance, validateAssurance, writeAssurance, type AssuranceInput } from './expectations';

/**
 * A row as the API serves it; a listed row brings its read state and last execution along (no
 * promise per field): in full, or brief (`listJobs(…, { brief: true })`) when the query asks no
 * more of it than `briefExecutionFields`.
 */
export type JobView = RowRecord & { hasUnreadLogs?: boolean; lastExecution?: ExecutionRecord | BriefExecution };

/** Whether a list whose rows' last executions are asked these fields (GraphQL names) can read them brief. */
export function briefExecutionFields(asked: Iterable<string>) {
  for (const f of asked) if (f !== '__typename' && !BRIEF_EXEC_KEYS.has(f)) return false;
  return true;
}

function visibleRow(deps: Deps, v: Viewer, row: RowRecord | undefined) {
  return row && row.inCatalog && deps.catalog.get(row.jobId) && canSeeDomain(v, row.domain) ? row : undefined;
}

/** Whether a (job, domain) pair is worth asking the database for: sane lengths, in the viewer's scope. */
function askable(v: Viewer, ref: { jobId: string; domain: string }) {
  return ref.jobId.length <= 200 && ref.domain.length <= 253 && canSeeDomain(v, ref.domain);
}

export async function getJob(deps: Deps, v: Viewer, jobId: string, domain: string, prefetch?: { loaders: Loaders; executions: RowExecutionArgs[] }) {
  if (!askable(v, { jobId, domain })) return null;
  // The executions pages the query asks of this row are read beside it (see prefetchRowExecutions).
  for (const args of prefetch?.executions ?? []) prefetchRowExecutions(deps, v, prefetch!.loaders, { jobId, domain }, args);
  return visibleRow(deps, v, await withScope(deps.sql, scopeOf(v), (tx) => findRow(tx, jobId, domain))) ?? null;
}

/** The visible row of each ref, in the order asked (null where none): one query, whatever their number. */
async function visibleRows(deps: Deps, v: Viewer, refs: { jobId: string; domain: string }[]) {
  const asked = refs.filter((r) => askable(v, r));
  const found = asked.length ? await withScope(deps.sql, scopeOf(v), (tx) => findRowsByRefs(tx, asked)) : [];
  const rowOf = new Map<string, RowRecord>();
  for (const row of found) if (visibleRow(deps, v, row)) rowOf.set(`${row.jobId}\n${row.domain}`, row);
  return refs.map((r) => rowOf.get(`${r.jobId}\n${r.domain}`) ?? null);
}

export async function getJobs(deps: Deps, v: Viewer, refs: { jobId: string; domain: string }[]) {
  if (refs.length > 200) throw badInput('refs', 'At most 200 rows at once.');
  return visibleRows(deps, v, refs);
}

export { listJobs, rowFilter, type JobFilterArg, type JobOrderArg } from './job-list';

/** hasUnreadLogs for rows that were not loaded through the list (which computes it in the same query). */
// Not async: a listed row answers at once, and a row whose fields all answer at once is completed
// by graphql-js without a promise (50 rows × 2 promises were a tenth of a jobs page).
export function hasUnread(deps: Deps, v: Viewer, row: JobView): boolean | Promise<boolean> {
  if (row.hasUnreadLogs !== undefined) return row.hasUnreadLogs;
  return unreadFor(deps.sql, v.userId, [row.id]).then((m) => m.get(row.id) ?? false);
}

/**
 * A row's last execution: the one read with a listed row, else through the request's loader. A
 * brief one is served as a record: the list read it brief only for a query asking no more of it.
 */
export function lastExecutionOf(loaders: Loaders, row: JobView): ExecutionRecord | BriefExecution | undefined | null | Promise<ExecutionRecord | undefined> {
  if (!row.lastExecutionId) return null;
  return row.lastExecution ?? loaders.execution.load(Number(row.lastExecutionId));
}

/** The job's own default recurrence (what AUTOMATIC means for this row), or null when it has none. */
export function automaticRuleFor(deps: Deps, row: RowRecord) {
  const def = deps.catalog.get(row.jobId);
  return def ? automaticRuleOf(def, deps.config.DEFAULT_TIME_ZONE) : null;
}

/** A rule in words ("Every 4 hours", "At 01:00 on Mon, Wed"). */
export const ruleSummary = (rule: Rule, locale?: string) => summarizeRule(rule, locale);

export function planOf(deps: Deps, row: RowRecord, locale?: string) {
  const def = deps.catalog.get(row.jobId);
  const auto = def ? automaticRuleOf(def, deps.config.DEFAULT_TIME_ZONE) : null;
  const rule = row.planKind === 'SCHEDULED' ? row.rule : row.planKind === 'AUTOMATIC' ? auto : null;
  return { kind: row.planKind, rule, summary: summarizePlan(row.planKind, row.rule, auto, locale) };
}

export type RuleInputArg = {
  kind: Rule['kind'];
  every?: number | null;
  days?: string[] | null;
  times?: string[] | null;
  cron?: string | null;
  timeZone?: string | null;
  spreadMinutes?: number | null;
};

/** A rule's summary and next occurrences; with `job`, that row's own times (its spread offset applied). */
export async function previewRule(
  deps: Deps,
  v: Viewer,
  rule: RuleInputArg,
  count: number | null | undefined,
  locale?: string,
  job?: { jobId: string; domain: string } | null,
) {
  const n = count ?? 5;
  if (!Number.isInteger(n) || n < 1 || n > 20) throw badInput('count', 'count must be between 1 and 20.');
  const r = validateRule(rule, 'rule', deps.config.DEFAULT_TIME_ZONE);
  const now = new Date();
  if (!job) return { summary: summarizeRule(r, locale), next: nextOccurrences(r, now, n) };
  const row = await getJob(deps, v, job.jobId, job.domain);
  if (!row) throw notFound(`Job ${job.jobId} in ${job.domain}`);
  return { summary: summarizeRule(r, locale), next: nextRunsOf(r, row, now, n) };
}

export function validateRecipients(input: { send: boolean; recipients: string[] }) {
  if (input.recipients.length > 50) throw badInput('input.report.recipients', 'At most 50 recipients.');
  const out: string[] = [];
  input.recipients.forEach((raw, i) => {
    const a = raw.trim();
    if (!emailSchema.safeParse(a).success)
      throw badInput(`input.report.recipients[${i}]`, `${JSON.stringify(raw.slice(0, 80))} is not a plain address like name@example.com.`);
    if (!out.includes(a.toLowerCase())) out.push(a.toLowerCase());
  });
  if (input.send && out.length === 0) throw badInput('input.report.recipients', 'Sending a report needs at least one recipient.');
  return out;
}

export async function updateJob(
  deps: Deps,
  v: Viewer,
  jobId: string,
  domain: string,
  input: {
    plan?: { kind: 'AUTOMATIC' | 'SCHEDULED' | 'DISABLED'; rule?: RuleInputArg | null } | null;
    report?: { send: boolean; recipients: string[]; when?: 'ALWAYS' | 'WARNING_OR_FAILURE' | 'FAILURE' | null } | null;
    parameters?: ParameterInput[] | null;
  } & AssuranceInput,
) {
  const row = await getJob(deps, v, jobId, domain);
  if (!row) throw notFound(`Job ${jobId} in ${domain}`);
  if (!input.plan && !input.report && !input.parameters && !asksAssurance(input))
    throw badInput('input', 'Give a plan, a report, parameters, expectations, a snooze, or several of them.');
  // Validate everything before writing anything: a bad report must not leave a half-changed plan.
  const plan = input.plan ? validatePlan(input.plan, 'input.plan', deps.config.DEFAULT_TIME_ZONE) : undefined;
  const recipients = input.report ? validateRecipients(input.report) : undefined;
  const def = deps.catalog.get(row.jobId)!;
  const defaults = input.parameters ? defaultsFor([def], input.parameters) : undefined;
  const assurance = validateAssurance(input);
  const updated = await deps.sql.begin(async (tx) => {
    const t = tx as unknown as typeof deps.sql;
    let r: RowRecord | undefined = row;
    if (plan) {
      const rule = effectiveRule({ planKind: plan.kind, rule: plan.rule }, def, deps.config.DEFAULT_TIME_ZONE);
      r = await updatePlan(t, row.id, { planKind: plan.kind, rule: plan.rule, nextRunAt: rule ? nextRunOf(rule, row, new Date()) : null });
    }
    if (input.report && recipients) {
      r = await updateReport(t, row.id, { send: input.report.send, recipients, when: input.report.when ?? 'ALWAYS' });
    }
    if (defaults) [r] = await updateParameterDefaults(t, [row.id], defaults.values, defaults.keep);
    await writeAssurance(t, [row.id], assurance);
    await insertAudit(t, {
      actor: v.email,
      action: 'updateJob',
      target: `${jobId}@${domain}`,
      domain,
      details: {
        plan: plan ?? undefined,
        report: input.report ? { ...input.report, recipients } : undefined,
        parameters: input.parameters ? auditValues([def], input.parameters) : undefined,
        ...auditAssurance(assurance),
      },
      address: v.address,
    });
    return r!;
  });
  if (plan) await deps.engine.scheduleRow(updated.id, updated.nextRunAt);
  return updated;
}

export type ExecuteResult = { job: { jobId: string; domain: string }; execution: unknown; reason: string | null };

export async function executeNow(deps: Deps, v: Viewer, refs: { jobId: string; domain: string }[], parameters?: ParameterInput[] | null) {
  if (refs.length === 0) throw badInput('jobs', 'Select at least one job.');
  if (refs.length > 500) throw badInput('jobs', 'At most 500 jobs at once.');
  // Set-based: one read of the rows, one statement that opens every execution (a "select all →
  // Execute now" of 500 rows is two round trips, not 1,000).
  const rows = await visibleRows(deps, v, refs);
  // The same row twice: the first asks, the others answer ALREADY_RUNNING once it is opened.
  const asking = new Map<string, RowRecord>();
  for (const row of rows) if (row) asking.set(row.id, row);
  const opened = await startRows(deps, v, [...asking.values()], parameters, 'executeNow');
  const execOf = new Map(opened.map((e) => [e.rowId, e]));
  const answered = new Set<string>();
  const results: ExecuteResult[] = refs.map((ref, i) => {
    const row = rows[i];
    if (!row) return { job: ref, execution: null, reason: 'NOT_FOUND' };
    const exec = answered.has(row.id) ? undefined : execOf.get(row.id);
    answered.add(row.id);
    return exec ? { job: ref, execution: exec, reason: null } : { job: ref, execution: null, reason: 'ALREADY_RUNNING' };
  });
  return results;
}

/** Rows opened by one statement: executeSelection of 100,000 rows is 20 bounded statements. */
const OPEN_CHUNK = 5_000;

export type StartableRow = Pick<RowRecord, 'id' | 'jobId' | 'domain' | 'parameterDefaults'>;

/**
 * The one path that starts rows now (executeNow, executeSelection). Parameter values are checked
 * against the rows' jobs before anything opens (a bad value opens no run at all); then one
 * statement per OPEN_CHUNK rows opens an execution of each row that is not running already (the
 * partial unique index decides). Answers the executions opened.
 */
export async function startRows(
  deps: Deps,
  v: Viewer,
  rows: StartableRow[],
  parameters: ParameterInput[] | null | undefined,
  action: 'executeNow' | 'executeSelection',
) {
  const defs = [...new Set(rows.map((r) => r.jobId))].map((id) => deps.catalog.get(id)!);
  const valuesOf = runValuesFor(defs, parameters, rows);
  const audited = auditValues(defs, parameters);
  const opened: ExecutionRecord[] = [];
  for (let i = 0; i < rows.length; i += OPEN_CHUNK) {
    const chunk = await openExecutions(
      deps.sql,
      rows.slice(i, i + OPEN_CHUNK).map((row) => ({ rowId: row.id, jobId: row.jobId, domain: row.domain, parameters: valuesOf(row) })),
      { trigger: v.via === 'token' ? 'API' : 'MANUAL', triggeredBy: v.email },
      { actor: v.email, address: v.address ?? null, parameters: audited, action },
    );
    opened.push(...chunk);
    // The insert woke the workers (jobdeck_queued). One Agenda job per statement is only the fallback
    // for workers that missed that NOTIFY, so the answer does not wait for it; if it is lost too, a
    // worker's heartbeat finds the runs, or the sweep ends them as INTERRUPTED ("no worker took this run").
    // It is queued after this answer is on its way (setImmediate), not before.
    if (chunk.length) setImmediate(() => void deps.engine.queueExecutions(chunk.map((e) => e.id)).catch(() => {}));
  }
  return opened;
}

export function assertFound<T>(x: T | null | undefined, what: string): T {
  if (x === null || x === undefined) throw notFound(what);
  return x;
}
export { AppError };
