'use client';

import type { ApolloClient } from '@apollo/client';
import { connection } from './connection';
import { errorMessage, firstError } from './errors';
import { EXECUTION_LOG, EXECUTION_LOGS } from './operations';
import type { LogEntry } from './types';

const PAGE = 5000;
/** A subscriber that fell behind is cut off (RATE_LIMITED): it resubscribes from its last seq after this. */
const RESUBSCRIBE_MS = 250;

export type StreamState = 'loading' | 'live' | 'done' | 'not-found' | 'error';

/**
 * Pages through an execution's whole log, oldest first; `onPage` gets each page as it arrives and
 * keeps what it needs (the download turns each page into text at once, nothing holds the entries).
 */
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

export interface LiveLog {
  /** New lines, consecutive and in seq order, each seq once. */
  entries(list: LogEntry[]): void;
  /** The execution ended and every line was delivered. */
  done(): void;
  /** null: the error shown before is over (the socket came back). */
  error(message: string | null): void;
}

/**
 * Follows a running execution's log from `afterSeq` with the `executionLogBatch` subscription.
 * After a lost socket, or when the server cut this subscriber off for falling behind, it
 * resubscribes from the last seq received: no line is missed, none comes twice. Returns the stop.
 */
export function followLog(client: ApolloClient, executionId: string, afterSeq: number, on: LiveLog): () => void {
  let last = afterSeq;
  let stopped = false;
  let finished = false;
  let sub: { unsubscribe(): void } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const start = () => {
    if (stopped || finished) return;
    sub?.unsubscribe();
    let failed = false;
    const fail = (e: unknown) => {
      failed = true;
      if (firstError(e)?.code === 'RATE_LIMITED') {
        timer ??= setTimeout(() => {
          timer = undefined;
          start();
        }, RESUBSCRIBE_MS);
      } else {
        on.error(errorMessage(e)); // the socket coming back resubscribes (below)
      }
    };
    sub = client
      .subscribe({ query: EXECUTION_LOG, variables: { executionId, afterSeq: last }, fetchPolicy: 'no-cache' })
      .subscribe({
        next: (r) => {
          const batch = r.data?.executionLogBatch?.entries;
          if (batch?.length) {
            // A resubscription may replay what was already received.
            const fresh = batch[0]!.seq > last ? batch : batch.filter((e) => e.seq > last);
            if (fresh.length) {
              last = fresh[fresh.length - 1]!.seq;
              on.entries(fresh);
            }
          }
          if (r.error) fail(r.error);
        },
        error: fail,
        complete: () => {
          if (failed || stopped) return;
          finished = true;
          on.done();
        },
      });
  };

  const offLost = connection.onLost(() => {
    sub?.unsubscribe();
    sub = undefined;
  });
  const offBack = connection.onReconnected(() => {
    on.error(null);
    start();
  });
  start();

  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    sub?.unsubscribe();
    offLost();
    offBack();
  };
}
