import { insertAudit } from '../db/queries/audit';
import { openExecutions } from '../db/queries/executions';
import { listRows, unreadFor, type RowOrder, type RowOrderField, type RowSortKey } from '../db/queries/job-list';
import { findRow, findRowsByRefs, updatePlan, updateReport, type RowRecord } from '../db/queries/rows';
import type { Viewer } from './access';
import { canSeeDomain, domainCondition, scopeOf } from './access';
import { withScope } from '../db/scope';
import { effectiveRule, automaticRuleOf } from '../jobs/effective-rule';
import { nextOccurrence, nextOccurrences, summarizePlan, summarizeRule, validatePlan, validateRule } from '../jobs/plan';
import type { Rule } from '../jobs/types';
import { AppError, badInput, notFound } from '../lib/errors';
import { emailSchema } from './auth';
import type { Deps, Loaders } from './deps';
import { decodeCursor, encodeCursor, pageSize } from './paging';

export type JobView = RowRecord & { hasUnreadLogs?: boolean };

function visibleRow(deps: Deps, v: Viewer, row: RowRecord | undefined) {
  return row && row.inCatalog && deps.catalog.get(row.jobId) && canSeeDomain(v, row.domain) ? row : undefined;
}

/** Whether a (job, domain) pair is worth asking the database for: sane lengths, in the viewer's scope. */
function askable(v: Viewer, ref: { jobId: string; domain: string }) {
  return ref.jobId.length <= 200 && ref.domain.length <= 253 && canSeeDomain(v, ref.domain);
}

export async function getJob(deps: Deps, v: Viewer, jobId: string, domain: string) {
  if (!askable(v, { jobId, domain })) return null;
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

const ORDER_FIELDS: readonly string[] = ['JOB', 'DOMAIN', 'LAST_EXECUTION', 'NEXT_RUN'] satisfies RowOrderField[];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// What a sort key's first part looks like per order, as PostgreSQL prints it (see listRows): a
// forged cursor is refused here rather than failing a cast in the query.
const KEY_SHAPE: Record<RowOrderField, (a: string, b: string) => boolean> = {
  JOB: () => true,
  DOMAIN: () => true,
  LAST_EXECUTION: (a, b) => /^-?\d{1,19}$/.test(a) && UUID.test(b),
  NEXT_RUN: (a, b) => /^(-?infinity|\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d){0,2})$/.test(a) && UUID.test(b),
};

export type JobOrderArg = { field: string; direction?: string | null } | null | undefined;

function parseOrder(o: JobOrderArg): RowOrder {
  if (!o) return { field: 'JOB', desc: false };
  if (!ORDER_FIELDS.includes(o.field)) throw badInput('orderBy.field', `Sort by one of ${ORDER_FIELDS.join(', ')}.`);
  const dir = o.direction ?? 'ASC';
  if (dir !== 'ASC' && dir !== 'DESC') throw badInput('orderBy.direction', 'direction is ASC or DESC.');
  return { field: o.field as RowOrderField, desc: dir === 'DESC' };
}

/**
 * The default order keeps the cursor it always had ([jobId, domain]); the others name their order,
 * so a cursor from one order is refused by another instead of cutting the list at a wrong place.
 */
const orderTag = (o: RowOrder) => `${o.field}:${o.desc ? 'DESC' : 'ASC'}`;
const isDefault = (o: RowOrder) => o.field === 'JOB' && !o.desc;
function encodeRowCursor(o: RowOrder, key: RowSortKey) {
  return encodeCursor(isDefault(o) ? key : [orderTag(o), ...key]);
}
function decodeRowCursor(o: RowOrder, after: string): RowSortKey {
  const strings = (c: unknown): c is string[] => Array.isArray(c) && c.every((x) => typeof x === 'string');
  const c = decodeCursor<string[]>(after, 'after', (c) =>
    strings(c) && (isDefault(o) ? c.length === 2 : c.length === 3 && c[0] === orderTag(o) && KEY_SHAPE[o.field](c[1]!, c[2]!)));
  return (isDefault(o) ? c : c.slice(1)) as RowSortKey;
}

export async function listJobs(
  deps: Deps,
  v: Viewer,
  loaders: Loaders,
  filter: { statuses?: string[] | null; neverRun?: boolean | null; text?: string | null; domain?: string | null; kind?: 'GLOBAL' | 'PER_DOMAIN' | null } | null | undefined,
  first: number | null | undefined,
  after: string | null | undefined,
  orderBy?: JobOrderArg,
) {
  const n = pageSize(first, 50, 500);
  const order = parseOrder(orderBy);
  const cursor = after ? decodeRowCursor(order, after) : undefined;
  const text = filter?.text?.trim() || undefined;
  if (text && text.length > 200) throw badInput('filter.text', 'Search text is limited to 200 characters.');
  const descriptionMatches = text
    ? deps.catalog.list().filter((j) => j.description.toLowerCase().includes(text.toLowerCase())).map((j) => j.id)
    : undefined;
  // Rows of jobs no longer in the catalog are left out by job_rows.in_catalog (kept by the catalog
  // sync at start). Passing this process's job ids as well cost every row a walk of the whole
  // catalog: with 1,000 jobs, `jobs { totalCount }` took 17.8 ms instead of 3.3 ms.
  // The same scope twice: in the WHERE clause, and by row-level security under jobdeck_tenant.
  const { nodes, totalCount, lastExecutions } = await withScope(deps.sql, scopeOf(v), async (tx) => {
    const listed = await listRows(
      tx,
      tx`${domainCondition(tx, v, tx`r.domain`)}` as unknown as ReturnType<typeof tx>,
      v.userId,
      {
        statuses: filter?.statuses ?? undefined,
        neverRun: filter?.neverRun ?? undefined,
        text,
        descriptionMatches,
        domain: filter?.domain ?? undefined,
        kind: filter?.kind ?? undefined,
      },
      { first: n, after: cursor, order },
    );
    return listed;
  });
  const page = nodes.slice(0, n);
  for (const e of lastExecutions) loaders.execution.prime(e.id, e);
  const last = page[page.length - 1];
  return {
    nodes: page,
    totalCount,
    pageInfo: { hasNextPage: nodes.length > n, endCursor: last ? encodeRowCursor(order, last.sortKey) : null },
  };
}

/** hasUnreadLogs for rows that were not loaded through the list (which computes it in the same query). */
export async function hasUnread(deps: Deps, v: Viewer, row: JobView) {
  if (row.hasUnreadLogs !== undefined) return row.hasUnreadLogs;
  return (await unreadFor(deps.sql, v.userId, [row.id])).get(row.id) ?? false;
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

type RuleInputArg = { kind: Rule['kind']; every?: number | null; days?: string[] | null; times?: string[] | null; cron?: string | null; timeZone?: string | null };

export function previewRule(deps: Deps, rule: RuleInputArg, count: number | null | undefined, locale?: string) {
  const n = count ?? 5;
  if (!Number.isInteger(n) || n < 1 || n > 20) throw badInput('count', 'count must be between 1 and 20.');
  const r = validateRule(rule, 'rule', deps.config.DEFAULT_TIME_ZONE);
  return { summary: summarizeRule(r, locale), next: nextOccurrences(r, new Date(), n) };
}

function validateRecipients(input: { send: boolean; recipients: string[] }) {
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
  },
) {
  const row = await getJob(deps, v, jobId, domain);
  if (!row) throw notFound(`Job ${jobId} in ${domain}`);
  if (!input.plan && !input.report) throw badInput('input', 'Give a plan, a report, or both.');
  // Validate everything before writing anything: a bad report must not leave a half-changed plan.
  const plan = input.plan ? validatePlan(input.plan, 'input.plan', deps.config.DEFAULT_TIME_ZONE) : undefined;
  const recipients = input.report ? validateRecipients(input.report) : undefined;
  const def = deps.catalog.get(row.jobId)!;
  const updated = await deps.sql.begin(async (tx) => {
    const t = tx as unknown as typeof deps.sql;
    let r: RowRecord | undefined = row;
    if (plan) {
      const rule = effectiveRule({ planKind: plan.kind, rule: plan.rule }, def, deps.config.DEFAULT_TIME_ZONE);
      r = await updatePlan(t, row.id, { planKind: plan.kind, rule: plan.rule, nextRunAt: rule ? nextOccurrence(rule, new Date()) : null });
    }
    if (input.report && recipients) {
      r = await updateReport(t, row.id, { send: input.report.send, recipients, when: input.report.when ?? 'ALWAYS' });
    }
    await insertAudit(t, {
      actor: v.email,
      action: 'updateJob',
      target: `${jobId}@${domain}`,
      domain,
      details: { plan: plan ?? undefined, report: input.report ? { ...input.report, recipients } : undefined },
      address: v.address,
    });
    return r!;
  });
  if (plan) await deps.engine.scheduleRow(updated.id, updated.nextRunAt);
  return updated;
}

export type ExecuteResult = { job: { jobId: string; domain: string }; execution: unknown; reason: string | null };

export async function executeNow(deps: Deps, v: Viewer, refs: { jobId: string; domain: string }[]) {
  if (refs.length === 0) throw badInput('jobs', 'Select at least one job.');
  if (refs.length > 500) throw badInput('jobs', 'At most 500 jobs at once.');
  // Set-based: one read of the rows, one statement that opens every execution (a "select all →
  // Execute now" of 500 rows is two round trips, not 1,000).
  const rows = await visibleRows(deps, v, refs);
  // The same row twice: the first asks, the others answer ALREADY_RUNNING once it is opened.
  const asking = new Map<string, RowRecord>();
  for (const row of rows) if (row) asking.set(row.id, row);
  const opened = await openExecutions(
    deps.sql,
    [...asking.values()].map((row) => ({ rowId: row.id, jobId: row.jobId, domain: row.domain })),
    { trigger: v.via === 'token' ? 'API' : 'MANUAL', triggeredBy: v.email },
    { actor: v.email, address: v.address ?? null },
  );
  const execOf = new Map(opened.map((e) => [e.rowId, e]));
  const answered = new Set<string>();
  const results: ExecuteResult[] = refs.map((ref, i) => {
    const row = rows[i];
    if (!row) return { job: ref, execution: null, reason: 'NOT_FOUND' };
    const exec = answered.has(row.id) ? undefined : execOf.get(row.id);
    answered.add(row.id);
    return exec ? { job: ref, execution: exec, reason: null } : { job: ref, execution: null, reason: 'ALREADY_RUNNING' };
  });
  // The insert woke the workers (jobdeck_queued). One Agenda job for the lot is only the fallback
  // for workers that missed that NOTIFY, so the answer does not wait for it; if it is lost too, a
  // worker's heartbeat finds the runs, or the sweep ends them as INTERRUPTED ("no worker took this run").
  // It is queued after this answer is on its way (setImmediate), not before.
  if (opened.length) setImmediate(() => void deps.engine.queueExecutions(opened.map((e) => e.id)).catch(() => {}));
  return results;
}

export function assertFound<T>(x: T | null | undefined, what: string): T {
  if (x === null || x === undefined) throw notFound(what);
  return x;
}
export { AppError };
