import type { Sql } from '../db/client';
import { insertAudit } from '../db/queries/audit';
import { existingDomains } from '../db/queries/domains';
import { ALL, deletePause, insertPause, listPauses, lockMissedRows, settleMissed, type PauseRecord } from '../db/queries/pauses';
import { withScope } from '../db/scope';
import { resolveValues } from '../jobs/parameters';
import { badInput, forbidden, notFound } from '../lib/errors';
import { canSeeDomain, domainCondition, isSuperAdmin, scopeOf, type Viewer } from './access';
import { domainNameSchema } from './auth';
import type { Deps } from './deps';

export type MissedPolicy = 'RUN_ONCE' | 'SKIP';

export type SchedulerState = { paused: boolean; since: Date | null; by: string | null; reason: string | null; pausedDomains: string[] };

/** Longest reason, in characters: it is shown in one banner line on every page. */
export const MAX_REASON_CHARS = 500;
/** One statement per this many executions opened by a resume (a fleet of 100,000 rows is 20 of them). */
const SETTLE_CHUNK = 5000;

/**
 * Scheduling as the viewer sees it. `paused` is true when all scheduling is, or when every domain of
 * a viewer without global rows (a domain administrator) is paused on its own; since/by/reason are
 * those of his domain's pause when it has one, else of the pause of everything. A system
 * administrator of some domains also has the global rows, which only the pause of everything
 * stops. pausedDomains: the domains of his scope paused on their own.
 */
export async function schedulerState(deps: Pick<Deps, 'sql'>, v: Viewer): Promise<SchedulerState> {
  const pauses = await withScope(deps.sql, scopeOf(v), (tx) => listPauses(tx, domainCondition(tx, v)));
  return stateOf(v, pauses);
}

function stateOf(v: Viewer, pauses: PauseRecord[]): SchedulerState {
  const all = pauses.find((p) => p.domain === ALL);
  // Row security and the condition already keep others' domains out; this keeps the answer honest
  // should either ever change.
  const domains = pauses.filter((p) => p.domain !== ALL && p.domain !== 'global' && canSeeDomain(v, p.domain));
  const s = scopeOf(v);
  const own = !s.global && !s.all && s.domains.length > 0 ? s.domains.map((d) => domains.find((p) => p.domain === d)) : [];
  // A domain administrator reads about his own domain first: its pause is the one his resume ends.
  const whole = (own.length && own.every(Boolean) ? own[0] : undefined) ?? all;
  return {
    paused: !!whole,
    since: whole?.since ?? null,
    by: whole?.by ?? null,
    reason: whole?.reason ?? null,
    pausedDomains: domains.map((p) => p.domain),
  };
}

/**
 * Which pause `domain` names: ALL for none (system administrators of all domains only), else a
 * domain of the viewer's scope. One outside it answers NOT_FOUND, exactly like one that does not
 * exist (whose existence is checked by the statement that writes).
 */
function pauseKey(v: Viewer, domain: string | null | undefined, verb: 'pause' | 'resume') {
  if (domain === null || domain === undefined) {
    if (!isSuperAdmin(v)) throw forbidden(`Only a system administrator of all domains can ${verb} all scheduling; name one of your domains instead.`);
    return ALL;
  }
  const name = domain.trim().toLowerCase();
  if (domain.length > 1000 || !domainNameSchema.safeParse(name).success || !canSeeDomain(v, name)) throw notFound(`Domain ${domain}`);
  return name;
}

function cleanReason(reason: string | null | undefined) {
  const r = reason?.trim();
  if (!r) return null;
  if (r.length > MAX_REASON_CHARS) throw badInput('reason', `Say why in at most ${MAX_REASON_CHARS} characters (this one has ${r.length}).`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(r)) throw badInput('reason', 'Write the reason on one line, without control characters.');
  return r;
}

/** Pauses all scheduling (domain null) or one domain's: its scheduled occurrences do not start until resumed. */
export async function pauseScheduling(deps: Pick<Deps, 'sql'>, v: Viewer, domain: string | null | undefined, reason: string | null | undefined) {
  const key = pauseKey(v, domain, 'pause');
  const why = cleanReason(reason);
  await deps.sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    const p = await insertPause(t, key, v.email, why);
    if (!p) throw notFound(`Domain ${domain}`);
    await insertAudit(t, {
      actor: v.email, action: 'pauseScheduling', target: key === ALL ? 'all domains' : key, domain: key === ALL ? undefined : key, address: v.address,
      details: { reason: why, since: p.since.toISOString() },
    });
  });
  return schedulerState(deps, v);
}

/**
 * Ends a pause and settles the occurrences missed meanwhile by the rows nothing pauses any more:
 * RUN_ONCE opens one SCHEDULE execution per such row for its first missed occurrence (late, since it
 * was due then), SKIP only forgets them (each row goes on with its next occurrence, already
 * scheduled). Resuming all leaves the domains paused on their own paused (their rows keep their
 * missed occurrence for their own resume), and resuming a domain while all is paused only removes
 * its own pause. One transaction; the executions are opened set-based.
 */
export async function resumeScheduling(deps: Deps, v: Viewer, domain: string | null | undefined, missed: MissedPolicy | null | undefined) {
  const key = pauseKey(v, domain, 'resume');
  const policy = missed ?? 'RUN_ONCE';
  if (policy !== 'RUN_ONCE' && policy !== 'SKIP') throw badInput('missed', 'missed is RUN_ONCE or SKIP.');
  const opened = await deps.sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    if (key !== ALL && !(await existingDomains(t, [key])).has(key)) throw notFound(`Domain ${domain}`);
    // The pause goes first: from here on, a worker consuming an occurrence of these rows waits for
    // this transaction (it reads the pauses FOR SHARE) and then runs it normally.
    const was = await deletePause(t, key);
    const rows = await lockMissedRows(t, key);
    const run = policy === 'RUN_ONCE'
      ? rows.filter((r) => r.runnable && deps.catalog.get(r.jobId)).map((r) => ({
          rowId: r.id, jobId: r.jobId, domain: r.domain, occurrenceAt: r.missedAt,
          // As the occurrence would have run: the row's own defaults, else the job's.
          parameters: resolveValues(deps.catalog.get(r.jobId)!.parameters ?? [], [], r.parameterDefaults ?? []),
        }))
      : [];
    const runOf = new Map(run.map((x) => [x.rowId, x]));
    const ids: number[] = [];
    for (let i = 0; i < rows.length; i += SETTLE_CHUNK) {
      const chunk = rows.slice(i, i + SETTLE_CHUNK);
      const opened = await settleMissed(t, chunk.map((r) => r.id), chunk.flatMap((r) => runOf.get(r.id) ?? []));
      ids.push(...opened.map((e) => e.id));
    }
    await insertAudit(t, {
      actor: v.email, action: 'resumeScheduling', target: key === ALL ? 'all domains' : key, domain: key === ALL ? undefined : key, address: v.address,
      details: { missed: policy, wasPaused: !!was, pausedSince: was?.since.toISOString(), rowsMissed: rows.length, started: ids.length, alreadyRunning: run.length - ids.length },
    });
    return ids;
  });
  // The statement woke the workers (jobdeck_queued); Agenda's job is the fallback for one that missed it.
  if (opened.length) setImmediate(() => void deps.engine.queueExecutions(opened).catch(() => {}));
  return schedulerState(deps, v);
}
