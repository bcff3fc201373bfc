import type { Sql } from '../db/client';
import * as q from '../db/queries/executions';
import type { Config } from '../lib/config';
import { LogWriter, type LiveSink } from './log-writer';
import { runEndsOf } from './run-ends';
import type { ResourceBroker } from './resources';
import { maskSecrets, secretValues, typedParams } from './parameters';
import type { JobContext, JobDefinition, JobServices } from './types';
import { logContext } from '../lib/logger';
import { metrics } from '../lib/ops';

export type AbortReason = 'cancel' | 'timeout' | 'shutdown' | 'lease-lost';
export type RunHandle = { claimed: boolean; abort(reason: AbortReason): void; done: Promise<void> };

type RunDeps = {
  sql: Sql;
  config: Config;
  services: JobServices;
  owner: string;
  /** This process's live log hub, if it serves subscribers. */
  live?: LiveSink;
  onFinished: (tx: Sql, executionId: number) => Promise<void>;
  afterFinished?: (executionId: number) => void;
  register(h: RunHandle): void;
  unregister(): void;
  /** Claims the job's locks (resources with a capacity) and waits for them; see jobs/resources.ts. */
  resources: Pick<ResourceBroker, 'acquire'>;
};

/** Runs one claimed execution to its final status. Never throws: a run's failure is its status. */
/** Runs one execution; every line the process logs meanwhile names the execution, its job and domain. */
export function executeRun(d: RunDeps, e: q.ExecutionRecord, def: JobDefinition | undefined, firstLine?: string) {
  return logContext.run({ executionId: e.id, job: e.jobId, domain: e.domain }, () => runExecution(d, e, def, firstLine));
}

async function runExecution(d: RunDeps, e: q.ExecutionRecord, def: JobDefinition | undefined, firstLine?: string) {
  const startedMs = Date.now();
  const ac = new AbortController();
  const writer = new LogWriter(d.sql, e.id, e.lastSeq, {
    maxLines: d.config.LOG_MAX_LINES,
    maxLineChars: d.config.LOG_MAX_LINE_CHARS,
    owner: d.owner,
    live: d.live,
    secrets: secretValues(def?.parameters, e.parameters ?? []),
  });
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  let cancelledBy: string | null = null;
  const handle: RunHandle = {
    claimed: true,
    done,
    abort: (reason) => {
      if (!ac.signal.aborted) ac.abort(reason);
    },
  };
  d.register(handle);
  const timeoutMs = (def?.timeoutSeconds ?? 3600) * 1000;
  const timer = setTimeout(() => handle.abort('timeout'), timeoutMs);
  let error: unknown;
  try {
    if (!def) throw new Error(`Job ${e.jobId} is no longer in the catalog.`);
    if (firstLine) writer.write('INFO', firstLine);
    const release = await d.resources.acquire(e.id, def.locks ?? [], ac.signal, (line) => writer.write('INFO', line));
    try {
      const ctx: JobContext = {
        domain: e.domain,
        executionId: e.id,
        log: {
          info: (m) => writer.write('INFO', String(m)),
          warn: (m) => writer.write('WARNING', String(m)),
          error: (m) => writer.write('ERROR', String(m)),
        },
        progress: (p) => {
          if (!Number.isFinite(p)) return;
          const v = Math.max(0, Math.min(100, Math.round(p)));
          writer.progress(v);
          writer.write('PROGRESS', `${v}%`);
        },
        signal: ac.signal,
        services: d.services,
        pressure: () => writer.pressure(),
        // A value that no longer fits (the catalog changed since the run opened) fails the run, saying which.
        params: typedParams(def.parameters ?? [], e.parameters ?? []),
      };
      const running = Promise.resolve().then(() => def.run(ctx));
      // A job that ignores its signal is given the grace period, then left behind.
      const abandoned = new Promise<never>((_, reject) =>
        ac.signal.addEventListener('abort', () => setTimeout(() => reject(ac.signal.reason), d.config.KILL_GRACE_SECONDS * 1000 + 1000).unref(), { once: true }),
      );
      await Promise.race([running, abandoned]);
    } finally {
      await release();
    }
  } catch (err) {
    error = err;
  } finally {
    clearTimeout(timer);
  }
  const reason = ac.signal.aborted ? (ac.signal.reason as AbortReason) : undefined;
  let status: Exclude<q.ExecStatus, 'IN_PROGRESS'>;
  let errorText: string | null = null;
  if (reason === 'cancel') {
    const [row] = await d.sql<{ by: string | null }[]>`SELECT cancel_requested_by AS by FROM executions WHERE id = ${e.id}`.catch(() => []);
    cancelledBy = row?.by ?? null;
    writer.write('INFO', `Cancelled by ${cancelledBy ?? 'an administrator'}.`, true);
    status = 'CANCELLED';
  } else if (reason === 'timeout') {
    errorText = `Timed out after ${timeoutMs / 1000} s.`;
    writer.write('ERROR', errorText, true);
    status = 'FAILURE';
  } else if (reason === 'shutdown' || reason === 'lease-lost') {
    errorText = reason === 'shutdown' ? 'The worker was shut down before the run finished.' : 'This worker lost its lease on the run.';
    writer.write('ERROR', `Interrupted: ${errorText}`, true);
    status = 'INTERRUPTED';
  } else if (error !== undefined) {
    // Stored on the execution too (executions.error), not only in the masked log.
    errorText = maskSecrets(error instanceof Error ? error.message : String(error), secretValues(def?.parameters, e.parameters ?? []));
    writer.write('ERROR', `Failed: ${errorText}`, true);
    status = 'FAILURE';
  } else {
    status = writer.errors > 0 ? 'FAILURE' : writer.warnings > 0 ? 'WARNING' : 'SUCCESS';
  }
  if (writer.droppedLines > 0) writer.write('WARNING', `${writer.droppedLines} log lines were dropped past the limit of ${d.config.LOG_MAX_LINES} per execution.`, true);
  writer.close();
  try {
    // The last lines and the end in one statement, when the run ends quietly (no report, no alert).
    // With the runs of this worker that end meanwhile (jobs/run-ends.ts).
    if (await writer.flushAndEnd((batch, delta) => runEndsOf(d.sql).end({ executionId: e.id, owner: d.owner, batch, delta, status, error: errorText }))) {
      metrics.executionEnded(e.jobId, status, (Date.now() - startedMs) / 1000);
      return;
    }
    // Retried through a short database outage; past that, the sweeper marks the run INTERRUPTED.
    for (let attempt = 0; ; attempt++) {
      try {
        if (await q.finishWithoutReport(d.sql, e.id, d.owner, status, errorText)) {
          metrics.executionEnded(e.jobId, status, (Date.now() - startedMs) / 1000);
          break;
        }
        const finished = await d.sql.begin(async (tx) => {
          const f = await q.finishExecution(tx as unknown as Sql, e.id, d.owner, status, errorText);
          // The report is queued in the same transaction: it exists if and only if the run ended.
          if (f) await d.onFinished(tx as unknown as Sql, e.id);
          return f;
        });
        await d.sql`SELECT pg_notify('jobdeck_exec', ${String(e.id)})`;
        if (finished) {
          metrics.executionEnded(e.jobId, status, (Date.now() - startedMs) / 1000);
          d.afterFinished?.(e.id);
        }
        break;
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 250 * 2 ** Math.min(attempt, 5)));
      }
    }
  } catch {
    // Unreachable database: the run stays IN_PROGRESS without heartbeat until a sweeper interrupts it.
  } finally {
    d.unregister();
    resolveDone();
  }
}
