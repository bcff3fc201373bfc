import { PostgresBackend } from '@agendajs/postgres-backend';
import { Agenda } from 'agenda';

/** Agenda job names. Their data carries ids only; the runner reads the rest when it runs. */
export const OCCURRENCE = 'jobdeck:occurrence';
export const EXECUTION = 'jobdeck:execution';

export type OccurrenceData = { rowId: string; at: string };
export type ExecutionData = { executionId: number };

/**
 * Agenda keeps its jobs in its own table (agenda_jobs) of the same PostgreSQL and wakes workers
 * through LISTEN/NOTIFY. Web-only processes use it to enqueue and never start processing.
 */
export function createAgenda(url: string, name: string, concurrency: number) {
  const backend = new PostgresBackend({ connectionString: url });
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
