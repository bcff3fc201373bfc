'use client';

import type { ObservableQuery } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { JobOrder } from './generated';
import { jobKey } from './jobs-url';
import { JOBS } from './operations';
import type { Connection, JobFilter, JobRow } from './types';

export const PAGE_SIZE = 50;
/** How long status changes are gathered before a filtered list is re-read. */
const LIVE_REFRESH_MS = 250;

interface PageState {
  data?: Connection<JobRow>;
  error?: unknown;
  loading: boolean;
}

// A page's keys, computed once per page result rather than once per row per render.
const pageKeys = new WeakMap<Connection<JobRow>, string[]>();
function keysOf(page: Connection<JobRow>) {
  let keys = pageKeys.get(page);
  if (!keys) {
    keys = page.nodes.map(jobKey);
    pageKeys.set(page, keys);
  }
  return keys;
}

type Watch = { obs: ObservableQuery<{ jobs: Connection<JobRow> }>; unsubscribe: () => void };

/**
 * The jobs list as a chain of cursor pages, each its own cached query. A change to one row (a live
 * status) re-reads only the page that holds it, not the 10,000 rows loaded so far, and unchanged rows
 * keep their object identity so memoised rows skip rendering.
 */
export function usePagedJobs(filter: JobFilter | null, orderBy: JobOrder | null = null) {
  const client = useApolloClient();
  const [pages, setPages] = useState<PageState[]>([]);
  const watches = useRef<Watch[]>([]);
  const filterKey = JSON.stringify(filter);
  const orderKey = JSON.stringify(orderBy);

  const addPage = useCallback(
    (after: string | null) => {
      const index = watches.current.length;
      const obs = client.watchQuery({
        query: JOBS,
        variables: { filter: JSON.parse(filterKey) as JobFilter | null, orderBy: JSON.parse(orderKey) as JobOrder | null, first: PAGE_SIZE, after },
        fetchPolicy: 'cache-and-network',
        nextFetchPolicy: 'cache-first',
      });
      setPages((p) => [...p.slice(0, index), { loading: true }]);
      // List data is not urgent: a storm of live updates is rendered in the background, interruptibly,
      // several pages' changes in one render.
      const sub = obs.subscribe((r) => startTransition(() => {
        setPages((p) => {
          const n = p.slice();
          const prev = n[index];
          // Partial data (a page still being read) is not shown; the complete page replaces it.
          const data = r.dataState === 'complete' ? r.data.jobs : prev?.data;
          n[index] = { data, error: r.error, loading: r.loading };
          return n;
        });
      }));
      watches.current.push({ obs, unsubscribe: () => sub.unsubscribe() });
    },
    [client, filterKey, orderKey],
  );

  useEffect(() => {
    addPage(null);
    return () => {
      for (const w of watches.current) w.unsubscribe();
      watches.current = [];
      setPages([]);
    };
  }, [addPage]);

  const { rows, index } = useMemo(() => {
    const byKey = new Map<string, JobRow>();
    const out: JobRow[] = [];
    for (const p of pages) {
      if (!p.data) continue;
      const keys = keysOf(p.data);
      p.data.nodes.forEach((r, i) => {
        const k = keys[i]!;
        // Pages are keyset pages: a row added meanwhile can appear in two of them.
        if (!byKey.has(k)) {
          byKey.set(k, r);
          out.push(r);
        }
      });
    }
    return { rows: out, index: byKey };
  }, [pages]);

  const first = pages[0];
  const last = pages[pages.length - 1];
  const hasNextPage = Boolean(last?.data?.pageInfo.hasNextPage);
  const loadingMore = pages.length > 1 && Boolean(last?.loading) && !last?.data;

  const loadMore = useCallback(() => {
    if (!last?.data?.pageInfo.hasNextPage || last.loading) return;
    addPage(last.data.pageInfo.endCursor);
  }, [last, addPage]);

  /**
   * Re-reads the loaded pages, a few at a time, first pages first. Every re-read goes through this one
   * queue: two re-reads of the same page never overlap, so an older answer cannot land after a newer
   * one and put back rows that have since left (or hide rows that came in). A request made while a
   * pass runs is served by one more pass after it. A `live` pass (see refreshLive) reads each page
   * twice as long as it was; a plain pass (after a (re)connect or a bulk action) keeps the lengths.
   */
  const rereads = useRef<{ running: boolean; next?: { live: boolean; done: (() => void)[] } }>({ running: false });
  const reread = useCallback((live: boolean) => {
    const r = rereads.current;
    const next = (r.next ??= { live: false, done: [] });
    next.live ||= live;
    const done = new Promise<void>((res) => next.done.push(res));
    const run = async () => {
      while (r.next) {
        const pass = r.next;
        r.next = undefined;
        r.running = true;
        const queue = watches.current.slice();
        const worker = async () => {
          for (let w = queue.shift(); w; w = queue.shift()) {
            const first = pass.live ? Math.max(w.obs.variables.first ?? PAGE_SIZE, PAGE_SIZE * 2) : undefined;
            await (first ? w.obs.refetch({ ...w.obs.variables, first }) : w.obs.refetch()).catch(() => undefined);
          }
        };
        await Promise.all([worker(), worker(), worker(), worker()]);
        r.running = false;
        for (const f of pass.done) f();
      }
    };
    if (!r.running) void run();
    return done;
  }, []);

  /** Re-reads every loaded page (after a lost socket, or a change made here). */
  const refreshAll = useCallback(() => reread(false), [reread]);

  /**
   * Re-reads the loaded pages after status changes, for a list whose membership or order depends on
   * status (a status filter, or a sort by last or next execution): rows that now match come in, rows
   * that no longer do go, and the count follows. Each page keeps its cursor, so it is read twice as
   * long as it was: rows that came in push the page's end into the next page (the overlap is
   * deduplicated above) instead of out of the list. Debounced: a storm is one re-read.
   */
  const live = useRef<{ timer?: ReturnType<typeof setTimeout> }>({});
  const refreshLive = useCallback(() => {
    const l = live.current;
    l.timer ??= setTimeout(() => {
      l.timer = undefined;
      void reread(true);
    }, LIVE_REFRESH_MS);
  }, [reread]);
  useEffect(() => () => clearTimeout(live.current.timer), []);

  const retry = useCallback(() => {
    watches.current.forEach((w, i) => {
      if (pages[i]?.error) void w.obs.refetch().catch(() => undefined);
    });
  }, [pages]);

  return {
    rows,
    /** Rows by "jobId@domain". */
    index,
    totalCount: first?.data?.totalCount,
    /** The first page has not answered yet (nothing to show). */
    loading: !first?.data && !first?.error,
    refreshing: Boolean(first?.loading && first.data),
    error: pages.find((p) => p.error)?.error,
    hasNextPage,
    loadingMore,
    loadMore,
    refreshAll,
    refreshLive,
    retry,
  };
}
