import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda } from 'agenda';

/** Agenda job names. Their data carries ids only; the runner reads the rest when it runs. */
export const OCCURRENCE = 'jobdeck:occurrence';
export const EXECUTION = 'jobdeck:execution';

export type OccurrenceData = { rowId: string; at: string };
/** Executions opened by one executeNow (executionId: one, as queued before batches). */
export type ExecutionData = { executionIds?: number[]; executionId?: number };

/**
 * Agenda keeps its jobs in its own table (agenda_jobs) of the same PostgreSQL and wakes workers
 * through LISTEN/NOTIFY. Web-only processes use it to enqueue and never start processing.
 */
export function createAgenda(url: string, name: string, concurrency: number) {
  // The table exists already: db/migrate.ts creates it under the migration lock.
  const backend = new PostgresBackend({ connectionString: url, ensureSchema: false });
  // node-postgres emits 'error' on its pool when an idle connection is cut (database restarted,
  // pg_terminate_backend); without a listener that is an uncaught exception that ends the process.
  // The pool drops that connection and opens a new one on the next query.
  (backend.repository as unknown as { getPool(): NodeJS.EventEmitter }).getPool().on('error', () => {});
  // Its LISTEN client re-emits connection errors on the channel (and reconnects by itself).
  (backend.notificationChannel as unknown as NodeJS.EventEmitter | undefined)?.on('error', () => {});
  const agenda = new Agenda({
    backend,
    name,
    processEvery: '5 seconds',
    maxConcurrency: concurrency * 2,
    defaultConcurrency: concurrency,
    lockLimit: concurrency * 2,
    defaultLockLimit: concurrency,
    // Longer than any heartbeat gap; Jobdeck's execution row, not this lock, guards against a second run.
    defaultLockLifetime: 10 * 60_000,
    removeOnComplete: true,
  });
  return { agenda, backend };
}
