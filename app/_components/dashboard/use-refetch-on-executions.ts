'use client';

import { useApolloClient } from '@apollo/client/react';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { connection } from '../../_lib/connection';
import { EXECUTION_UPDATED } from '../../_lib/operations';

/**
 * Calls `refetch` after executions change (`executionUpdated`, every execution the viewer may see),
 * at most once per `windowMs`: the first change opens the window, every change inside it is
 * folded into the same read. A storm of thousands of runs costs one read a second, and a steady
 * trickle still shows within a second (a plain debounce would wait for the storm to stop).
 * After a lost socket comes back, changes pushed meanwhile were missed: read again then too.
 */
export function useRefetchOnExecutions(refetch: () => void, windowMs = 1000) {
  const client = useApolloClient();
  const latest = useRef(refetch);
  useLayoutEffect(() => {
    latest.current = refetch;
  });

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let again: ReturnType<typeof setTimeout> | undefined;
    let sub: { unsubscribe(): void } | undefined;
    const fire = () => {
      timer = undefined;
      latest.current();
    };
    // Not useSubscription: that re-renders the page for every message. An error or an end from
    // the server (a restart) ends the subscription, so it is started again a little later.
    const start = () => {
      sub = client.subscribe({ query: EXECUTION_UPDATED, fetchPolicy: 'no-cache' }).subscribe({
        next: () => void (timer ??= setTimeout(fire, windowMs)),
        error: () => (again = setTimeout(start, 3000)),
        complete: () => (again = setTimeout(start, 3000)),
      });
    };
    start();
    return () => {
      sub?.unsubscribe();
      clearTimeout(timer);
      clearTimeout(again);
    };
  }, [client, windowMs]);

  useEffect(() => connection.onReconnected(() => latest.current()), []);
}
