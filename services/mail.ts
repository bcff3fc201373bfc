import { isSystemAdmin, scopeOf, type Viewer } from './access';
import { findOutboxMessage, listOutbox as listRows, OUTBOX_STATUSES, retryOutbox, type OutboxStatus } from '../db/queries/outbox';
import { withScope } from '../db/scope';
import { badInput, forbidden, notFound } from '../lib/errors';
import type { Deps } from './deps';
import { pageSize } from './paging';

function mustBeSystemAdmin(v: Viewer) {
  if (!isSystemAdmin(v)) throw forbidden('Only system administrators can read the mail outbox.');
}

/** Reports of executions in the viewer's scope only: a supervisor of some domains never reads another tenant's mail. */
export async function listOutbox(deps: Deps, v: Viewer, a: { status?: string | null; first?: number | null; after?: string | null }) {
  mustBeSystemAdmin(v);
  if (a.status && !OUTBOX_STATUSES.includes(a.status as OutboxStatus)) throw badInput('status', 'status must be PENDING, SENT or FAILED.');
  const first = pageSize(a.first, 50, 200);
  // The cursor is the last id seen, in decimal.
  if (a.after && !/^\d{1,15}$/.test(a.after)) throw badInput('after', 'This cursor is not valid; use pageInfo.endCursor.');
  const scope = scopeOf(v);
  return withScope(deps.sql, scope, (tx) =>
    listRows(tx, scope, { status: (a.status ?? undefined) as OutboxStatus | undefined, first, afterId: a.after ? Number(a.after) : undefined }),
  );
}

export async function retryReport(deps: Deps, v: Viewer, id: string) {
  mustBeSystemAdmin(v);
  if (!/^\d{1,15}$/.test(id)) throw notFound('Report');
  const scope = scopeOf(v);
  const retried = await withScope(deps.sql, scope, (tx) => retryOutbox(tx, scope, Number(id)));
  if (!retried) throw notFound('Failed report');
  return retried;
}

/** Whether reports leave at all: without SMTP_URL they stay in the outbox, and the console says so. */
export function mailTransport(deps: Deps, v: Viewer) {
  mustBeSystemAdmin(v);
  return { configured: Boolean(deps.config.SMTP_URL) };
}
