'use client';

import type { ApolloClient, Reference } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { connection } from './connection';
import { EXECUTION_FRAGMENT, EXECUTION_UPDATED, JOB_ROWS } from './operations';
import type { ExecutionSummary, JobRef } from './types';

const FLUSH_MS = 120;
// The server parses at most 2000 tokens per document; 40 aliased rows stay well under.
const ROWS_PER_REQUEST = 200;

/**
 * Points the row's lastExecution at `exec` when it is the newest one, and sets `running`.
 * `exec` must already be in the cache (a mutation result, or written by the caller).
 */
/**
 * Calls `onExecution` with every execution the viewer may see as it changes (`executionUpdated`).
 * Not useSubscription: that re-renders the page for every message, and a storm has thousands.
 * graphql-ws resubscribes by itself after a lost socket; an error or an end from the server (a
 * restart, say) ends the subscription, so it is started again a little later. Returns the stop.
 */
export function followExecutions(client: ApolloClient, onExecution: (exec: ExecutionSummary) => void) {
  let sub: { unsubscribe(): void } | undefined;
  let again: ReturnType<typeof setTimeout> | undefined;
  const start = () => {
    sub = client.subscribe({ query: EXECUTION_UPDATED, fetchPolicy: 'no-cache' }).subscribe({
      next(r) {
        const exec = r.data?.executionUpdated;
        if (exec) onExecution(exec);
      },
      error: () => (again = setTimeout(start, 3000)),
      complete: () => (again = setTimeout(start, 3000)),
    });
  };
  start();
  return () => {
    sub?.unsubscribe();
    clearTimeout(again);
  };
}

export function applyExecution(client: ApolloClient, exec: ExecutionSummary) {
  const id = client.cache.identify({ __typename: 'Job', jobId: exec.jobId, domain: exec.domain });
  if (!id) return;
  client.cache.modify({
    id,
    fields: {
      lastExecution(current: Reference | null, { readField, toReference }) {
        const ref = toReference({ __typename: 'Execution', id: exec.id });
        if (!ref) return current;
        if (!current) return ref;
        if (readField<string>('id', current) === exec.id) return current;
        const currentStart = readField<string>('startedAt', current);
        return !currentStart || currentStart <= exec.startedAt ? ref : current;
      },
    },
  });
  // A second pass, so that `running` reads the lastExecution written just above.
  client.cache.modify({
    id,
    fields: {
      running(current: boolean, { readField }) {
        const last = readField<Reference | null>('lastExecution');
        const lastId = last ? readField<string>('id', last) : undefined;
        return lastId === exec.id ? exec.status === 'IN_PROGRESS' : current;
      },
    },
  });
}

/**
 * Re-reads rows (nextRunAt and hasUnreadLogs move when an execution ends), many per request. Never
 * joined to an identical read already on its way (Apollo's query deduplication): that one's answer
 * may predate the end that asked for this one (see fresh-read.ts).
 */
export function refetchRows(client: ApolloClient, refs: JobRef[]) {
  for (let i = 0; i < refs.length; i += ROWS_PER_REQUEST) {
    const chunk = refs.slice(i, i + ROWS_PER_REQUEST);
    void client.query({ query: JOB_ROWS, variables: { refs: chunk }, fetchPolicy: 'network-only', context: { queryDeduplication: false } }).catch(() => undefined);
  }
}

export function refetchRow(client: ApolloClient, jobId: string, domain: string) {
  refetchRows(client, [{ jobId, domain }]);
}

/**
 * Keeps the cached rows live from `executionUpdated` (every execution the viewer may see), with no
 * polling. Updates are applied in batches: when hundreds of executions start at once, the cache
 * broadcasts once per batch instead of once per message. `onReconnect` runs after the socket connects
 * or comes back, since changes pushed before were lost; `onStatusChange` after a batch in which an execution
 * started or changed status (a filtered list re-reads its pages then).
 */
export function useLiveJobs(onReconnect: () => void, onStatusChange?: () => void) {
  const client = useApolloClient();
  // Read at flush time: a new filter must not restart the subscription.
  const statusChanged = useRef(onStatusChange);
  useLayoutEffect(() => {
    statusChanged.current = onStatusChange;
  });

  useEffect(() => {
    const queue = new Map<string, ExecutionSummary>();
    // The status this page last heard for each execution. Not the cache's: another query (the alert
    // badge's, a row's re-read) may have written the new status there first, and the list would
    // then never re-read for it (a failed run missing from a "Failure" list, seen in CI).
    const heard = new Map<string, string>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const execs = [...queue.values()];
      queue.clear();
      const ended: JobRef[] = [];
      let changed = false;
      client.cache.batch({
        update(cache) {
          for (const e of execs) {
            // A new execution or a new status can move a row into or out of a filtered list; a progress tick cannot.
            if (heard.get(e.id) !== e.status) changed = true;
            heard.delete(e.id);
            heard.set(e.id, e.status);
            if (heard.size > 10_000) heard.delete(heard.keys().next().value!);
            // The cache keys objects by __typename, which the generated result types leave out.
            cache.writeFragment({ fragment: EXECUTION_FRAGMENT, data: { ...e, __typename: 'Execution' } as typeof e });
            applyExecution(client, e);
            if (e.status !== 'IN_PROGRESS') ended.push({ jobId: e.jobId, domain: e.domain });
          }
        },
      });
      if (ended.length) refetchRows(client, ended);
      if (changed) statusChanged.current?.();
    };
    const stop = followExecutions(client, (exec) => {
      queue.set(exec.id, exec); // only the latest state of each execution matters
      timer ??= setTimeout(flush, FLUSH_MS);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [client]);

  // Every connect, the first one too: an execution that ended while the page's first read was in
  // flight and the socket still connecting was pushed to nobody.
  useEffect(() => connection.onConnected(onReconnect), [onReconnect]);
}
