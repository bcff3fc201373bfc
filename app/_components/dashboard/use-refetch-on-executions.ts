'use client';

import { useApolloClient } from '@apollo/client/react';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { connection } from '../../_lib/connection';
import { followExecutions } from '../../_lib/live-jobs';

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
    const fire = () => {
      timer = undefined;
      latest.current();
    };
    const stop = followExecutions(client, () => void (timer ??= setTimeout(fire, windowMs)));
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [client, windowMs]);

  useEffect(() => connection.onReconnected(() => latest.current()), []);
}
