import { isSystemAdmin, type Viewer } from '../graphql/access';
import { findOutboxMessage, listOutbox as listRows, retryOutbox } from '../jobs/report/outbox';
import { badInput, forbidden, notFound } from '../lib/errors';
import type { Deps } from './deps';
import { pageSize } from './paging';

const STATUSES = ['PENDING', 'SENT', 'FAILED'];

function mustBeSystemAdmin(v: Viewer) {
  if (!isSystemAdmin(v)) throw forbidden('Only system administrators can read the mail outbox.');
}

export async function listOutbox(deps: Deps, v: Viewer, a: { status?: string | null; first?: number | null; after?: string | null }) {
  mustBeSystemAdmin(v);
  if (a.status && !STATUSES.includes(a.status)) throw badInput('status', 'status must be PENDING, SENT or FAILED.');
  const first = pageSize(a.first, 50, 200);
  if (a.after && !/^\d{1,15}$/.test(a.after)) throw badInput('after', 'This cursor is not valid; use pageInfo.endCursor.');
  return listRows(deps.sql, { status: (a.status ?? undefined) as never, first, after: a.after ?? undefined });
}

export async function retryReport(deps: Deps, v: Viewer, id: string) {
  mustBeSystemAdmin(v);
  if (!/^\d{1,15}$/.test(id)) throw notFound('Report');
  const ok = await retryOutbox(deps.sql, Number(id));
  if (!ok) throw notFound('Failed report');
  return (await findOutboxMessage(deps.sql, Number(id)))!;
}
