/**
 * Alerts as viewers read them: in their scope (a fleet alert, without a domain, is seen by whoever
 * sees "global"), newest first, acknowledged by hand, followed live (alertChanged).
 */
import DataLoader from 'dataloader';
import { ALERT_KINDS, acknowledgeAlert as ackAlert, countOpenAlerts, findAlerts, listAlerts as listRows, type AlertKind, type AlertRecord } from '../db/queries/alerts';
import { findRowsByIds, type RowRecord } from '../db/queries/rows';
import { withScope } from '../db/scope';
import { badInput, notFound } from '../lib/errors';
import { canSeeDomain, scopeOf, type Viewer } from './access';
import { alertHubFor } from './alert-live';
import type { Deps, Loaders } from './deps';
import { pageSize } from './paging';

export type AlertFilterArg = { open?: boolean | null; kinds?: string[] | null; domain?: string | null; jobId?: string | null };

const ID = /^\d{1,15}$/;
const canSeeAlert = (v: Viewer, a: Pick<AlertRecord, 'domain'>) => canSeeDomain(v, a.domain ?? 'global');

export async function listAlerts(deps: Deps, v: Viewer, filter: AlertFilterArg | null | undefined, first: number | null | undefined, after: string | null | undefined) {
  const n = pageSize(first, 50, 200);
  if (after && !ID.test(after)) throw badInput('after', 'This cursor is not valid; use pageInfo.endCursor from a previous page.');
  const kinds = filter?.kinds ?? undefined;
  if (kinds?.some((k) => !ALERT_KINDS.includes(k as AlertKind))) throw badInput('filter.kinds', `Kinds are ${ALERT_KINDS.join(', ')}.`);
  const domain = filter?.domain?.trim().toLowerCase() || undefined;
  if (domain && domain.length > 253) throw badInput('filter.domain', 'This is not a domain name.');
  const jobId = filter?.jobId?.trim() || undefined;
  if (jobId && jobId.length > 200) throw badInput('filter.jobId', 'A job id has at most 200 characters.');
  const empty = { nodes: [] as AlertRecord[], totalCount: 0, pageInfo: { endCursor: null, hasNextPage: false } };
  // A domain outside the scope answers like one without alerts.
  if (domain && !canSeeDomain(v, domain)) return empty;
  const scope = scopeOf(v);
  const { rows, totalCount } = await withScope(deps.sql, scope, (tx) =>
    listRows(tx, scope, { open: filter?.open ?? undefined, kinds: kinds as AlertKind[] | undefined, domain, jobId, first: n, afterId: after ? Number(after) : undefined }),
  );
  const nodes = rows.slice(0, n);
  const last = nodes[nodes.length - 1];
  return { nodes, totalCount, pageInfo: { endCursor: last ? String(last.id) : null, hasNextPage: rows.length > n } };
}

export async function acknowledgeAlert(deps: Deps, v: Viewer, id: string) {
  if (!ID.test(id)) throw notFound('Alert');
  const scope = scopeOf(v);
  const a = await withScope(deps.sql, scope, (tx) => ackAlert(tx, scope, Number(id), v.email));
  if (!a) throw notFound('Alert');
  return a;
}

/** Open alerts in the viewer's scope (the dashboard's tile). */
export async function openAlertCount(deps: Deps, v: Viewer, domain?: string) {
  const scope = scopeOf(v);
  return withScope(deps.sql, scope, (tx) => countOpenAlerts(tx, scope, domain));
}

/** Alerts as they open, are acknowledged and resolve, in the viewer's scope (checked for every event). */
export async function subscribeAlerts(deps: Deps, v: Viewer) {
  const hub = await alertHubFor(deps.sql);
  return hub.subscribe((a) => canSeeAlert(v, a));
}

type AlertLoaders = { row: DataLoader<string, RowRecord | undefined>; alert: DataLoader<number, AlertRecord | undefined> };
const perRequest = new WeakMap<Loaders, AlertLoaders>();

function loadersOf(deps: Deps, v: Viewer, loaders: Loaders): AlertLoaders {
  let l = perRequest.get(loaders);
  if (!l) {
    const scope = scopeOf(v);
    l = {
      row: new DataLoader(async (ids) => {
        const rows = await withScope(deps.sql, scope, (tx) => findRowsByIds(tx, [...ids]));
        const byId = new Map(rows.filter((r) => r.inCatalog && deps.catalog.get(r.jobId) && canSeeDomain(v, r.domain)).map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id));
      }),
      alert: new DataLoader(async (ids) => {
        const rows = await withScope(deps.sql, scope, (tx) => findAlerts(tx, scope, [...ids]));
        const byId = new Map(rows.map((a) => [a.id, a]));
        return ids.map((id) => byId.get(id));
      }),
    };
    perRequest.set(loaders, l);
  }
  return l;
}

/** The row an alert is about, when the viewer may see it (batched per request). */
export async function rowOf(deps: Deps, v: Viewer, loaders: Loaders, a: AlertRecord) {
  return a.rowId ? ((await loadersOf(deps, v, loaders).row.load(a.rowId)) ?? null) : null;
}

export async function alertById(deps: Deps, v: Viewer, loaders: Loaders, id: number) {
  return (await loadersOf(deps, v, loaders).alert.load(id)) ?? null;
}
