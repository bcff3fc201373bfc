'use client';

import type { ObservableQuery } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { jobKey } from './jobs-url';
import { JOBS } from './operations';
import type { Connection, JobFilter, JobRow } from './types';

export const PAGE_SIZE = 50;

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
export function usePagedJobs(filter: JobFilter | null) {
  const client = useApolloClient();
  const [pages, setPages] = useState<PageState[]>([]);
  const watches = useRef<Watch[]>([]);
  const filterKey = JSON.stringify(filter);

  const addPage = useCallback(
    (after: string | null) => {
      const index = watches.current.length;
      const obs = client.watchQuery({
        query: JOBS,
        variables: { filter: JSON.parse(filterKey) as JobFilter | null, first: PAGE_SIZE, after },
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
    [client, filterKey],
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

  /** Re-reads every loaded page (after a lost socket), a few at a time, first pages first. */
  const refreshAll = useCallback(async () => {
    const queue = watches.current.slice();
    const worker = async () => {
      for (let w = queue.shift(); w; w = queue.shift()) await w.obs.refetch().catch(() => undefined);
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  }, []);

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
    retry,
  };
}
