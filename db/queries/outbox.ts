/**
 * The report outbox as viewers read it. Every statement takes the viewer's scope: a report is
 * visible exactly when its execution's domain is (and migration 0007 checks it again by RLS).
 */
import type postgres from 'postgres';
import { scopeCondition, type DbScope } from '../scope';

type AnySql = postgres.Sql | postgres.TransactionSql;

export type OutboxStatus = 'PENDING' | 'SENT' | 'FAILED';
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['PENDING', 'SENT', 'FAILED'];

export type OutboxMessage = {
  id: number;
  executionId: number;
  messageId: string;
  recipients: string[];
  subject: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  nextAttemptAt: Date;
  text: string;
  html: string;
};

const COLUMNS = (sql: AnySql) => sql`
  o.id::int AS id, o.execution_id::int AS "executionId", o.message_id AS "messageId", o.recipients, o.subject, o.status,
  o.attempts, o.last_error AS "lastError", o.created_at AS "createdAt", o.sent_at AS "sentAt",
  o.next_attempt_at AS "nextAttemptAt", o.text, o.html`;

const inScope = (sql: AnySql, scope: DbScope) =>
  sql`EXISTS (SELECT 1 FROM executions e WHERE e.id = o.execution_id AND ${scopeCondition(sql, scope, sql`e.domain`)})`;

/** Newest first; `afterId` is the last id of the previous page (ids only grow, so the page edge is stable). */
export async function listOutbox(
  sql: AnySql,
  scope: DbScope,
  f: { status?: OutboxStatus; first: number; afterId?: number },
): Promise<{ nodes: OutboxMessage[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } }> {
  const rows = await sql<OutboxMessage[]>`
    SELECT ${COLUMNS(sql)} FROM outbox o
    WHERE ${inScope(sql, scope)} ${f.status ? sql`AND o.status = ${f.status}::outbox_status` : sql``}
      ${f.afterId !== undefined ? sql`AND o.id < ${f.afterId}` : sql``}
    ORDER BY o.id DESC LIMIT ${f.first + 1}`;
  const nodes = rows.slice(0, f.first);
  const last = nodes[nodes.length - 1];
  return { nodes, pageInfo: { endCursor: last ? String(last.id) : null, hasNextPage: rows.length > f.first } };
}

export async function findOutboxMessage(sql: AnySql, scope: DbScope, id: number): Promise<OutboxMessage | undefined> {
  const [row] = await sql<OutboxMessage[]>`SELECT ${COLUMNS(sql)} FROM outbox o WHERE o.id = ${id} AND ${inScope(sql, scope)}`;
  return row;
}

/**
 * A FAILED report in scope goes back to PENDING, due now, with a fresh attempt budget; returns it.
 * undefined when there is no such report in scope or it is not FAILED (PENDING and SENT stay as they are).
 */
export async function retryOutbox(sql: AnySql, scope: DbScope, id: number): Promise<OutboxMessage | undefined> {
  const [row] = await sql<OutboxMessage[]>`
    UPDATE outbox o SET status = 'PENDING', attempts = 0, next_attempt_at = now(), locked_until = NULL
    WHERE o.id = ${id} AND o.status = 'FAILED' AND ${inScope(sql, scope)}
    RETURNING ${COLUMNS(sql)}`;
  return row;
}
