import type { Sql } from '../client';
import { EXEC_COLUMNS, type ExecutionRecord } from './executions';

export type WorkerRecord = {
  id: string;
  host: string;
  pid: number;
  slots: number;
  startedAt: Date;
  heartbeatAt: Date;
  stoppedAt: Date | null;
  alive: boolean;
  running: number;
  runningExecutions: ExecutionRecord[];
};

export async function registerWorker(sql: Sql, w: { id: string; host: string; pid: number; slots: number }) {
  await sql`
    INSERT INTO workers (id, host, pid, slots) VALUES (${w.id}, ${w.host}, ${w.pid}, ${w.slots})
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL`;
  // Workers gone for more than a day are forgotten.
  await sql`DELETE FROM workers WHERE heartbeat_at < now() - interval '24 hours'`;
}

export async function heartbeatWorker(sql: Sql, id: string) {
  await sql`UPDATE workers SET heartbeat_at = now() WHERE id = ${id}`;
}

export async function stopWorker(sql: Sql, id: string) {
  await sql`UPDATE workers SET stopped_at = now() WHERE id = ${id}`;
}

/** Workers seen in the last 24 hours, alive first (heartbeat within the lease, database clock). */
export async function listWorkers(sql: Sql, leaseSeconds: number) {
  return sql<Omit<WorkerRecord, 'running' | 'runningExecutions'>[]>`
    SELECT w.id, w.host, w.pid, w.slots, w.started_at AS "startedAt", w.heartbeat_at AS "heartbeatAt", w.stopped_at AS "stoppedAt",
           (w.stopped_at IS NULL AND w.heartbeat_at > now() - make_interval(secs => ${leaseSeconds})) AS alive
    FROM workers w
    WHERE w.heartbeat_at > now() - interval '24 hours'
    ORDER BY alive DESC, w.started_at DESC`;
}

/** The runs in progress of these workers within `scope` (a condition on e.domain), oldest first. */
export async function runningOf(sql: Sql, workerIds: string[], scope: ReturnType<Sql>) {
  if (!workerIds.length) return [];
  return sql<ExecutionRecord[]>`
    SELECT ${EXEC_COLUMNS(sql)} FROM executions e
    WHERE e.status = 'IN_PROGRESS' AND e.owner = ANY(${workerIds}::text[]) AND ${scope}
    ORDER BY e.id`;
}

export async function aliveWorkers(sql: Sql, leaseSeconds: number) {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM workers WHERE stopped_at IS NULL AND heartbeat_at > now() - make_interval(secs => ${leaseSeconds})`;
  return row!.n;
}
