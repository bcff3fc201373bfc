/**
 * The report outbox: one row per execution, written in the transaction that ends it, delivered
 * later by sender.ts. Reading is bounded: only the head and tail of a log are ever loaded.
 */
import { isPlainAddress } from '../../lib/email';
import type postgres from 'postgres';
import type { ParameterDeclaration } from '../types';
import { REPORT_LINE_MAX_CHARS, renderReport, type ReportData, type ReportLogEntry, type ReportStatus } from './template';

type AnySql = postgres.Sql | postgres.TransactionSql;

export type ReportWhen = 'ALWAYS' | 'WARNING_OR_FAILURE' | 'FAILURE';

export type EnqueueOptions = {
  publicUrl?: string;
  maxLines: number;
  /** The report's language (REPORT_LOCALE); English when absent. */
  locale?: string;
  descriptionOf(jobId: string): string;
  /** The job's parameter declarations (which values are secret); undefined: every value is masked. */
  parametersOf?(jobId: string): readonly ParameterDeclaration[] | undefined;
  /** Told why a report could not be queued; enqueueReport itself never throws. */
  log?: (message: string) => void;
};

/** Which ended statuses a row's "report when" choice sends. */
export function reportWanted(when: ReportWhen, status: ReportStatus): boolean {
  if (status === 'IN_PROGRESS') return false;
  if (when === 'ALWAYS') return true;
  if (when === 'WARNING_OR_FAILURE') return status === 'WARNING' || status === 'FAILURE' || status === 'INTERRUPTED';
  return status === 'FAILURE' || status === 'INTERRUPTED';
}

export { isPlainAddress };

/** `<execution-42@console.example>`: the same execution always yields the same Message-ID. */
export function reportMessageId(executionId: number, publicUrl?: string): string {
  let host = 'jobdeck.local';
  if (publicUrl) {
    try {
      const h = new URL(publicUrl).hostname;
      if (/^[A-Za-z0-9.-]+$/.test(h)) host = h.toLowerCase();
    } catch {
      /* keep the default: config validated PUBLIC_URL, this is only belt and braces */
    }
  }
  return `<execution-${executionId}@${host}>`;
}

/** What a report is rendered from: the execution (as ReportData names it) and its row's report settings. */
type ReportSource = Pick<ReportData, 'jobId' | 'domain' | 'status' | 'trigger' | 'triggeredBy' | 'startedAt' | 'endedAt' | 'warningCount' | 'errorCount'> & {
  id: number;
  droppedLines: number;
  parameters: { name: string; value: string }[];
  reportSend: boolean;
  recipients: string[];
  reportWhen: ReportWhen;
};

/**
 * Queues the report of an ended execution when its row asks for one. Call it inside the
 * transaction that ends the execution. Returns true when a report was queued by this call (false:
 * not wanted, no valid recipient, already queued, or it failed). Never throws: a failure is undone
 * to a savepoint so the caller's transaction, and so the execution's status, goes on untouched.
 */
export async function enqueueReport(tx: AnySql, executionId: number, opts: EnqueueOptions): Promise<boolean> {
  try {
    if ('savepoint' in tx) return await tx.savepoint((sp) => enqueueIn(sp, executionId, opts));
    return await enqueueIn(tx, executionId, opts);
  } catch (err) {
    opts.log?.(`report of execution ${executionId} not queued: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

async function enqueueIn(sql: AnySql, executionId: number, opts: EnqueueOptions): Promise<boolean> {
  const [e] = await sql<ReportSource[]>`
    SELECT e.id::int AS id, e.job_id AS "jobId", e.domain, e.status, e.trigger, e.triggered_by AS "triggeredBy",
      e.started_at AS "startedAt", e.ended_at AS "endedAt", e.warning_count AS "warningCount",
      e.error_count AS "errorCount", e.dropped_lines AS "droppedLines", e.parameters, r.report_send AS "reportSend",
      r.report_recipients AS recipients, r.report_when AS "reportWhen"
    FROM executions e JOIN job_rows r ON r.id = e.row_id
    WHERE e.id = ${executionId}`;
  if (!e || !e.reportSend || !reportWanted(e.reportWhen, e.status)) return false;
  const recipients = [...new Set(e.recipients.filter(isPlainAddress))];
  const refused = e.recipients.filter((r) => !isPlainAddress(r));
  if (refused.length) opts.log?.(`report of execution ${executionId}: ignored invalid recipients ${JSON.stringify(refused)}`);
  if (recipients.length === 0) return false;

  const maxLines = Math.max(1, Math.floor(opts.maxLines));
  const headCount = Math.ceil(maxLines / 2);
  const tailCount = Math.floor(maxLines / 2);
  // left(): a stored line may be 16 KB; the report shows at most REPORT_LINE_MAX_CHARS of it.
  const head = await sql<ReportLogEntry[]>`
    SELECT seq, at, level, left(message, ${REPORT_LINE_MAX_CHARS + 1}) AS message FROM log_entries
    WHERE execution_id = ${executionId} ORDER BY seq LIMIT ${headCount}`;
  let tail: ReportLogEntry[] = [];
  let totalLines = head.length;
  // Only a log longer than the head is counted and tailed: short logs cost one query.
  if (head.length === headCount) {
    const lastHeadSeq = head[head.length - 1]!.seq;
    const [count] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM log_entries WHERE execution_id = ${executionId}`;
    totalLines = count?.n ?? head.length;
    if (tailCount > 0 && totalLines > head.length) {
      const rows = await sql<ReportLogEntry[]>`
        SELECT seq, at, level, left(message, ${REPORT_LINE_MAX_CHARS + 1}) AS message FROM log_entries
        WHERE execution_id = ${executionId} AND seq > ${lastHeadSeq} ORDER BY seq DESC LIMIT ${tailCount}`;
      tail = [...rows].reverse();
    }
  }

  let description = '';
  try {
    description = opts.descriptionOf(e.jobId) ?? '';
  } catch {
    /* a job that left the catalog has no description; the report goes out without one */
  }
  // A secret value never reaches a report: only the names of secret parameters are shown.
  const declared = opts.parametersOf?.(e.jobId);
  const parameters = (e.parameters ?? []).map((v) => {
    const p = declared?.find((d) => d.name === v.name);
    return { name: v.name, value: p && !p.secret ? v.value : null };
  });
  const rendered = renderReport({
    executionId: e.id,
    jobId: e.jobId,
    description,
    domain: e.domain,
    status: e.status,
    trigger: e.trigger,
    triggeredBy: e.triggeredBy,
    startedAt: e.startedAt,
    endedAt: e.endedAt,
    warningCount: e.warningCount,
    errorCount: e.errorCount,
    droppedLines: e.droppedLines,
    parameters,
    head: [...head],
    tail,
    totalLines,
    maxLines,
    publicUrl: opts.publicUrl,
    locale: opts.locale,
  });
  const inserted = await sql`
    INSERT INTO outbox (execution_id, message_id, recipients, subject, text, html)
    VALUES (${executionId}, ${reportMessageId(executionId, opts.publicUrl)}, ${recipients}::text[],
      ${rendered.subject}, ${rendered.text}, ${rendered.html})
    ON CONFLICT (execution_id) DO NOTHING
    RETURNING id`;
  return inserted.length === 1;
}
