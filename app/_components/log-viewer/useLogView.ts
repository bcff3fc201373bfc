'use client';

import { useApolloClient } from '@apollo/client/react';
import { useEffect, useMemo, useReducer, useState } from 'react';
import { connection } from '../../_lib/connection';
import { errorMessage } from '../../_lib/errors';
import { followLog, type StreamState } from '../../_lib/log-stream';
import { FilterRows, NO_ROWS, SeqRows, type FetchWindow, type LogFilter, type LogRows } from './log-pages';
import { LOG_HEAD, LOG_WINDOW } from './operations';

/** Live lines come in bursts: the list is drawn again at most this often for them. */
const LIVE_DRAW_MS = 60;

/**
 * One execution's log as the viewer shows it: its length first (LOG_HEAD), then only the windows
 * on screen, read as they come into view; while the run goes on, the live subscription from the
 * length read at the start (the windows cover the lines up to it, the subscription the rest: no
 * gap, and a line has one place, so no duplicate). With a filter, the server's filtered pages.
 */
export function useLogView(executionId: string, filter: LogFilter | null) {
  const client = useApolloClient();
  const [version, draw] = useReducer((n: number) => n + 1, 0);
  const [state, setState] = useState<StreamState>('loading');
  const [error, setError] = useState<string | null>(null);

  const fetchWindow = useMemo<FetchWindow>(
    () => async (afterSeq, first, f) => {
      const { data } = await client.query({
        query: LOG_WINDOW,
        variables: { id: executionId, afterSeq, first, levels: f?.levels ?? null, text: f?.text ?? null },
        fetchPolicy: 'no-cache',
      });
      return data?.execution?.logs ?? null;
    },
    [client, executionId],
  );
  const events = useMemo(
    () => ({ changed: draw, error: (e: unknown) => setError(errorMessage(e)), gone: () => setState('not-found') }),
    [],
  );
  const lines = useMemo(() => new SeqRows(fetchWindow, events), [fetchWindow, events]);

  useEffect(() => {
    let stopped = false;
    let stopLive: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      timer ??= setTimeout(() => {
        timer = undefined;
        draw();
      }, LIVE_DRAW_MS);
    };
    lines.open();
    setState('loading');
    setError(null);
    client
      .query({ query: LOG_HEAD, variables: { id: executionId }, fetchPolicy: 'network-only' })
      .then(({ data }) => {
        if (stopped) return;
        const exec = data?.execution;
        if (!exec) return setState('not-found');
        lines.total = Math.max(lines.total, exec.lastSeq);
        draw();
        if (exec.status !== 'IN_PROGRESS') return setState('done');
        setState('live');
        stopLive = followLog(client, executionId, exec.lastSeq, {
          entries: (list) => {
            lines.append(list);
            later();
          },
          done: () => {
            if (timer) clearTimeout(timer);
            timer = undefined;
            draw();
            setState('done');
          },
          error: setError,
        });
      })
      .catch((e: unknown) => {
        if (stopped) return;
        setError(errorMessage(e));
        setState('error');
      });
    const offBack = connection.onReconnected(() => lines.retry());
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      stopLive?.();
      offBack();
      lines.close();
    };
  }, [client, executionId, lines]);

  const filterKey = filter ? JSON.stringify(filter) : '';
  const matches = useMemo(
    () => (!filter ? null : filter.levels?.length === 0 ? NO_ROWS : new FilterRows(fetchWindow, events, filter, () => lines.total)),
    // the filter by value, not by object
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [filterKey, fetchWindow, events, lines],
  );
  useEffect(() => {
    if (!matches) return;
    matches.open();
    const offBack = connection.onReconnected(() => matches.retry());
    return () => {
      offBack();
      matches.close();
    };
  }, [matches]);

  const rows: LogRows = matches ?? lines;
  return { rows, filtered: matches !== null, total: lines.total, progress: lines.progress, state, error, version };
}
