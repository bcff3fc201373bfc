/**
 * Acting on a selection (API.md, "Fleet operations"): explicit rows, or a filter meaning every row
 * the viewer sees that matches it, as the jobs list does. updateJobs validates its input once and
 * writes every row in one transaction, set-based; executeSelection starts every row through
 * executeNow's path.
 */
import { insertAudit } from '../db/queries/audit';
import { rowsMatching, type SelectedRow } from '../db/queries/job-list';
import { findRowsByRefs, updateRows } from '../db/queries/rows';
import { withScope } from '../db/scope';
import { effectiveRule } from '../jobs/effective-rule';
import { validatePlan } from '../jobs/plan';
import { RuleRuns } from '../jobs/spread';
import { badInput } from '../lib/errors';
import { canSeeDomain, domainCondition, scopeOf, type Viewer } from './access';
import type { Deps } from './deps';
import { rowFilter, startRows, validateRecipients, type JobFilterArg, type RuleInputArg } from './jobs';
import { asksAssurance, auditAssurance, validateAssurance, writeAssurance, type AssuranceInput } from './expectations';
import { auditValues, defaultsFor, type ParameterInput } from './parameters';

/** Rows one request may name or act on. More are refused rather than cut: a selection is all of it or nothing. */
export const MAX_SELECTION = 100_000;

export type JobSelectionArg = { refs?: { jobId: string; domain: string }[] | null; filter?: JobFilterArg | null };

export type BulkUpdateInput = {
  plan?: { kind: 'AUTOMATIC' | 'SCHEDULED' | 'DISABLED'; rule?: RuleInputArg | null } | null;
  report?: { send: boolean; recipients: string[]; when?: 'ALWAYS' | 'WARNING_OR_FAILURE' | 'FAILURE' | null } | null;
  parameters?: ParameterInput[] | null;
} & AssuranceInput;

async function retryOnDeadlock<T>(f: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if ((e as { code?: string }).code !== '40P01' || attempt >= 3) throw e;
    }
  }
}

/** How the audit entry names a selection: the filter as given, or the number of refs. */
const describe = (select: JobSelectionArg) => (select.filter ? { filter: select.filter } : { refs: select.refs?.length ?? 0 });

/**
 * The rows a selection names that the viewer may see, each once. Exactly one of refs and filter;
 * refs are capped at MAX_SELECTION, and so is a filter when `capFilter` (executeSelection). A row
 * outside the viewer's scope is never selected, whatever the refs or the filter say: the scope is
 * in the WHERE clause and in row-level security.
 */
export async function selectRows(deps: Deps, v: Viewer, select: JobSelectionArg, capFilter: boolean): Promise<SelectedRow[]> {
  const hasRefs = select.refs !== undefined && select.refs !== null;
  const hasFilter = select.filter !== undefined && select.filter !== null;
  if (hasRefs === hasFilter)
    throw badInput('select', 'Give exactly one of select.refs (explicit rows) or select.filter (every row you see that matches it).');
  const known = (r: SelectedRow) => deps.catalog.get(r.jobId) !== undefined;
  if (hasRefs) {
    const refs = select.refs!;
    if (refs.length > MAX_SELECTION)
      throw badInput('select.refs', `At most ${MAX_SELECTION.toLocaleString('en-US')} rows at once (${refs.length.toLocaleString('en-US')} given); select by filter, or in parts.`);
    const asked = refs.filter((r) => r.jobId.length <= 200 && r.domain.length <= 253 && canSeeDomain(v, r.domain));
    if (!asked.length) return [];
    const found = await withScope(deps.sql, scopeOf(v), (tx) => findRowsByRefs(tx, asked));
    // findRowsByRefs answers each row once, however many times the refs name it.
    return found.filter((r) => r.inCatalog && known(r) && canSeeDomain(v, r.domain));
  }
  const f = rowFilter(deps, select.filter, 'select.filter');
  const limit = capFilter ? MAX_SELECTION + 1 : undefined;
  const rows = await withScope(deps.sql, scopeOf(v), (tx) =>
    rowsMatching(tx, tx`${domainCondition(tx, v, tx`r.domain`)}` as unknown as ReturnType<typeof tx>, f, limit));
  if (limit && rows.length >= limit)
    throw badInput('select.filter', `This filter matches more than ${MAX_SELECTION.toLocaleString('en-US')} rows; narrow it (a job, a domain, a status).`);
  return rows.filter(known);
}

/**
 * Changes plan, report and/or parameter defaults of every selected row: validated once, then one
 * transaction of set-based statements (the rows, their Agenda occurrences, one audit entry), all or
 * nothing. Each row's next run is its own (the spread offset of its job and domain).
 */
export async function updateJobs(deps: Deps, v: Viewer, select: JobSelectionArg, input: BulkUpdateInput) {
  if (!input.plan && !input.report && !input.parameters && !asksAssurance(input))
    throw badInput('input', 'Give a plan, a report, parameters, expectations, a snooze, a retry policy, or several of them.');
  const tz = deps.config.DEFAULT_TIME_ZONE;
  const plan = input.plan ? validatePlan(input.plan, 'input.plan', tz) : undefined;
  const recipients = input.report ? validateRecipients(input.report) : undefined;
  const assurance = validateAssurance(input);
  const rows = await selectRows(deps, v, select, false);
  if (!rows.length) return { matched: 0, updated: 0 };
  const defs = [...new Set(rows.map((r) => r.jobId))].map((id) => deps.catalog.get(id)!);
  // Checked against every job of the selection, before anything is written.
  const defaults = input.parameters ? defaultsFor(defs, input.parameters) : undefined;

  let nextRuns: (Date | null)[] | undefined;
  if (plan) {
    // One rule per job: its occurrences are computed once, and each row adds its own offset.
    const now = Date.now();
    const runsByJob = new Map<string, RuleRuns | null>();
    nextRuns = rows.map((row) => {
      let runs = runsByJob.get(row.jobId);
      if (runs === undefined) {
        const rule = effectiveRule({ planKind: plan.kind, rule: plan.rule }, deps.catalog.get(row.jobId), tz);
        runsByJob.set(row.jobId, (runs = rule ? new RuleRuns(rule, now) : null));
      }
      return runs ? runs.nextFor(row) : null;
    });
  }

  // All or nothing, so safe to run again when PostgreSQL picks it as a deadlock's victim: replacing
  // 20,000 Agenda occurrences can cross a worker's Agenda locking some of them.
  const updated = await retryOnDeadlock(() => deps.sql.begin(async (tx) => {
    const t = tx as unknown as typeof deps.sql;
    const changed = await updateRows(t, t`${domainCondition(t, v, t`r.domain`)}` as unknown as ReturnType<typeof t>, rows.map((r) => r.id), {
      plan: plan ? { planKind: plan.kind, rule: plan.rule, nextRunAts: nextRuns! } : undefined,
      report: input.report && recipients ? { send: input.report.send, recipients, when: input.report.when ?? 'ALWAYS' } : undefined,
      parameterDefaults: defaults,
    });
    if (plan) await deps.engine.scheduleRows(changed, t);
    // Expectations, snooze and retry policy of the same rows (those still in the catalog and in scope).
    await writeAssurance(t, changed.map((c) => c.id), assurance);
    await insertAudit(t, {
      actor: v.email,
      action: 'updateJobs',
      target: select.filter ? 'filter' : `${rows.length} rows`,
      details: {
        ...describe(select),
        matched: rows.length,
        updated: changed.length,
        plan: plan ?? undefined,
        report: input.report ? { ...input.report, recipients } : undefined,
        parameters: input.parameters ? auditValues(defs, input.parameters) : undefined,
        ...auditAssurance(assurance),
      },
      address: v.address,
    });
    return changed.length;
  }));
  return { matched: rows.length, updated };
}

/** Starts every selected row now; rows already running are counted, not errors. */
export async function executeSelection(deps: Deps, v: Viewer, select: JobSelectionArg, parameters: ParameterInput[] | null | undefined) {
  const rows = await selectRows(deps, v, select, true);
  const opened = await startRows(deps, v, rows, parameters, 'executeSelection');
  return { started: opened.length, alreadyRunning: rows.length - opened.length };
}
