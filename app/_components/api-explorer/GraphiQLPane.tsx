'use client';

// Monaco's editor, JSON and GraphQL workers as files of this build (new Worker(new URL(…))), which
// the console's CSP allows as same-origin scripts; must come before GraphiQL creates an editor.
import 'graphiql/setup-workers/webpack';
import 'graphiql/style.css';
import './api-explorer.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { useComputedColorScheme } from '@mantine/core';
import { GraphiQL } from 'graphiql';
import { useMemo } from 'react';

const FIRST_QUERY = `# The API as you: this explorer uses your session, so it sees what you see.
# Ctrl-Enter runs; Ctrl-Space completes; the book icon opens the schema's documentation.
# Subscriptions (e.g. executionUpdated) run over the WebSocket.

{
  viewer {
    email
  }
}
`;

/** GraphiQL against this server: HTTP with the session cookie (same origin), subscriptions over graphql-ws. */
export default function GraphiQLPane() {
  const scheme = useComputedColorScheme('light');
  const fetcher = useMemo(() => {
    const ws = window.location.protocol === 'https:' ? 'wss' : 'ws';
    return createGraphiQLFetcher({
      url: `${window.location.origin}/graphql`,
      subscriptionUrl: `${ws}://${window.location.host}/graphql`,
      // Plain JSON answers: the server has no @defer/@stream, and multipart requests gain nothing.
      enableIncrementalDelivery: false,
      fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
    });
  }, []);
  return (
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={FIRST_QUERY}
      forcedTheme={scheme}
      // The session is the credential: nobody should paste a token into a header stored in the browser.
      isHeadersEditorEnabled={false}
      shouldPersistHeaders={false}
    />
  );
}
