'use client';

import type { ApolloClient } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import { useEffect, useRef, useState } from 'react';
import { connection } from './connection';
import { errorMessage } from './errors';
import { EXECUTION_LOG, EXECUTION_LOGS } from './operations';
import type { LogEntry } from './types';

const PAGE = 5000;
const FLUSH_MS = 60;

export type StreamState = 'loading' | 'live' | 'done' | 'not-found' | 'error';

/** Pages through an execution's whole log, oldest first; `onPage` gets each page as it arrives. */
export async function readAllLogs(client: ApolloClient, executionId: string, afterSeq: number, onPage: (entries: LogEntry[]) => void) {
  let after = afterSeq;
  for (;;) {
    const { data } = await client.query({
      query: EXECUTION_LOGS,
      variables: { id: executionId, afterSeq: after, first: PAGE },
      fetchPolicy: 'no-cache',
    });
    const exec = data?.execution;
    if (!exec) return null;
    const entries = exec.logs.entries;
    if (entries.length) {
      onPage(entries);
      after = entries[entries.length - 1]!.seq;
    }
    if (!exec.logs.hasMore || entries.length === 0) return { status: exec.status, lastSeq: after };
  }
}

/**
 * The log of one execution: the backlog read in pages, then, while it runs, the `executionLog`
 * subscription from the last seq held. Entries are kept in a mutable array (100,000 lines must not
 * be copied per line); `version` changes whenever it grows. Duplicates are dropped by seq, and after
 * a lost socket the subscription restarts from the last seq rather than from the beginning.
 */
export function useLogStream(executionId: string) {
  const client = useApolloClient();
  const entries = useRef<LogEntry[]>([]);
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<StreamState>('loading');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    entries.current = [];
    setVersion((v) => v + 1);
    setState('loading');
    setError(null);
    let lastSeq = 0;
    let stopped = false;
    let finished = false;
    let backlogDone = false;
    let pending: LogEntry[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let sub: { unsubscribe(): void } | undefined;

    const flush = () => {
      timer = undefined;
      if (stopped || pending.length === 0) return;
      for (const e of pending) entries.current.push(e);
      pending = [];
      setVersion((v) => v + 1);
    };
    const add = (list: LogEntry[]) => {
      for (const e of list) {
        if (e.seq <= lastSeq) continue; // backlog and live overlap, and a resubscription replays
        lastSeq = e.seq;
        pending.push(e);
      }
      timer ??= setTimeout(flush, FLUSH_MS);
    };

    const follow = () => {
      if (stopped || finished) return;
      sub?.unsubscribe();
      setState('live');
      sub = client
        .subscribe({ query: EXECUTION_LOG, variables: { executionId, afterSeq: lastSeq }, fetchPolicy: 'no-cache' })
        .subscribe({
          next: (r) => {
            if (r.data?.executionLogBatch) add(r.data.executionLogBatch.entries);
            if (r.error) setError(errorMessage(r.error));
          },
          error: (e: unknown) => setError(errorMessage(e)), // the socket coming back resubscribes (below)
          complete: () => {
            finished = true;
            flush();
            setState('done');
          },
        });
    };

    const offLost = connection.onLost(() => {
      sub?.unsubscribe();
      sub = undefined;
    });
    const offBack = connection.onReconnected(() => {
      setError(null);
      if (backlogDone && !finished) follow();
    });

    readAllLogs(client, executionId, 0, add)
      .then((r) => {
        if (stopped) return;
        backlogDone = true;
        flush();
        if (!r) {
          setState('not-found');
        } else if (r.status === 'IN_PROGRESS') {
          follow();
        } else {
          finished = true;
          setState('done');
        }
      })
      .catch((e: unknown) => {
        if (stopped) return;
        setError(errorMessage(e));
        setState('error');
      });

    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      sub?.unsubscribe();
      offLost();
      offBack();
    };
  }, [client, executionId]);

  return { entries: entries.current, version, state, error };
}
