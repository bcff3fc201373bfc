import type postgres from 'postgres';
import type { Sql } from './client';

export type DbScope = { global: boolean; all: boolean; domains: string[] };

const available = new WeakMap<Sql, Promise<boolean>>();

/** Whether the jobdeck_tenant role exists and this user may take it (see migration 0001). Asked once per pool. */
export function rowSecurityAvailable(sql: Sql) {
  let p = available.get(sql);
  if (!p) {
    p = sql<{ ok: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobdeck_tenant')
         AND pg_has_role(current_user, 'jobdeck_tenant', 'MEMBER') AS ok`.then(([r]) => !!r?.ok, () => false);
    available.set(sql, p);
  }
  return p;
}

/**
 * Runs viewer-scoped reads as jobdeck_tenant with the viewer's scope in jobdeck.scope, so that
 * PostgreSQL's row-level security filters them again, whatever the query says.
 */
export async function withScope<T>(sql: Sql, scope: DbScope, fn: (tx: Sql) => Promise<T>, opts: { statementTimeoutMs?: number } = {}): Promise<T> {
  // A viewer who sees every domain and global would be let through every policy: spare the transaction.
  const open = (scope.all && scope.global) || !(await rowSecurityAvailable(sql));
  const timeout = opts.statementTimeoutMs;
  if (open && !timeout) return fn(sql);
  const json = JSON.stringify({ g: scope.global, a: scope.all, d: scope.domains });
  return sql.begin(async (tx) => {
    // statement_timeout set locally bounds this transaction's statements only.
    if (open) await tx`SELECT set_config('statement_timeout', ${String(timeout)}, true)`;
    else if (timeout) await tx`SELECT set_config('jobdeck.scope', ${json}, true), set_config('role', 'jobdeck_tenant', true), set_config('statement_timeout', ${String(timeout)}, true)`;
    else await tx`SELECT set_config('jobdeck.scope', ${json}, true), set_config('role', 'jobdeck_tenant', true)`;
    return fn(tx as unknown as Sql);
  }) as Promise<T>;
}

/** SQL condition on a `domain` column restricting rows to a scope ("global" counts only when the scope has it). */
export function scopeCondition(sql: Sql | postgres.TransactionSql, scope: DbScope, column: postgres.Fragment) {
  if (scope.all) return scope.global ? sql`true` : sql`${column} <> 'global'`;
  const allowed = scope.global ? [...scope.domains, 'global'] : scope.domains;
  return sql`${column} = ANY(${allowed}::text[])`;
}
