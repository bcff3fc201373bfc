'use client';

import type { DocumentNode, OperationVariables, TypedDocumentNode } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import { useCallback, useRef, useState } from 'react';

/**
 * A query re-read from the server each time `read()` is called (a change was pushed), one read at a
 * time: a call while a read is on its way makes one more read once it is back, so the last answer
 * is never older than the last call. Not the watched query's `refetch()`: Apollo joins a request to
 * an identical one already on its way (query deduplication), whose answer was made before the
 * change that asked for it — the header's alert badge stayed at 1 when a second alert opened while
 * the re-read for an acknowledgement was still out (seen once in CI). `latest` is the newest answer,
 * undefined until the first comes back (show the watched query's data until then).
 */
export function useFreshRead<TData, TVariables extends OperationVariables>(query: TypedDocumentNode<TData, TVariables> | DocumentNode, variables?: TVariables) {
  const client = useApolloClient();
  const [latest, setLatest] = useState<TData>();
  const state = useRef({ busy: false, again: false, variables });
  state.current.variables = variables;
  const read = useCallback(() => {
    const s = state.current;
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    void client
      .query<TData, TVariables>({ query, variables: s.variables as TVariables, fetchPolicy: 'network-only', context: { queryDeduplication: false } })
      .then((r) => r.data !== undefined && setLatest(r.data), () => undefined)
      .finally(() => {
        s.busy = false;
        if (s.again) {
          s.again = false;
          read();
        }
      });
  }, [client, query]);
  return [latest, read] as const;
}
