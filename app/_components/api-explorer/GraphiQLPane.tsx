'use client';

// Monaco's editor, JSON and GraphQL workers as files of this build (new Worker(new URL(…))), which
// the console's CSP allows as same-origin scripts; must come before GraphiQL creates an editor.
import 'graphiql/setup-workers/webpack';
import 'graphiql/style.css';
import './api-explorer.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { useComputedColorScheme } from '@mantine/core';
import { GraphiQL } from 'graphiql';
import { useTranslations } from 'next-intl';
import { useMemo } from 'react';

// The first query's comment lines are in the console's language (apiExplorer.firstQuery); the query is not.
const FIRST_QUERY = `{
  viewer {
    email
  }
}
`;
const COMMENT_LINES = ['asYou', 'keys', 'subscriptions'] as const;

/** GraphiQL against this server: HTTP with the session cookie (same origin), subscriptions over graphql-ws. */
export default function GraphiQLPane() {
  const scheme = useComputedColorScheme('light');
  const t = useTranslations('apiExplorer');
  const defaultQuery = useMemo(() => `${COMMENT_LINES.map((k) => `# ${t(`firstQuery.${k}`)}`).join('\n')}\n\n${FIRST_QUERY}`, [t]);
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
      defaultQuery={defaultQuery}
      forcedTheme={scheme}
      // The session is the credential: nobody should paste a token into a header stored in the browser.
      isHeadersEditorEnabled={false}
      shouldPersistHeaders={false}
    />
  );
}
