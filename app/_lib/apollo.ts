import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type FieldPolicy, type Reference } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { NEVER } from 'rxjs';
import { AUTH_CLOSE_CODES, connection } from './connection';

type Page = { nodes: Reference[]; totalCount?: number; pageInfo: { endCursor: string | null; hasNextPage: boolean } };

/** Cursor pages of one list (per keyArgs) appended in order; a read without `after` starts over. */
function cursorPages(keyArgs: string[]): FieldPolicy<Page> {
  return {
    keyArgs,
    merge(existing, incoming, { args }) {
      if (!args?.after || !existing) return incoming;
      return { ...incoming, nodes: [...existing.nodes, ...incoming.nodes] };
    },
  };
}

export function makeCache() {
  return new InMemoryCache({
    typePolicies: {
      // jobs: every page is its own entry (see paged-jobs.ts), so no merge policy.
      Query: { fields: { outbox: cursorPages(['status']) } },
      Job: {
        keyFields: ['jobId', 'domain'],
        fields: { executions: cursorPages(['statuses', 'triggers', 'startedAfter', 'startedBefore']) },
      },
      Plan: { merge: true },
      ReportSettings: { merge: true },
      Rule: { merge: false },
      User: { keyFields: ['id'] },
      Resource: { keyFields: ['name'] },
    },
  });
}

let wsClient: Client | undefined;

function wsLink() {
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`;
  wsClient = createClient({
    url,
    lazy: true,
    retryAttempts: Infinity,
    // An ended session is refused again on every retry; the banner asks the user to sign in instead.
    shouldRetry: (e) => !AUTH_CLOSE_CODES.has((e as { code?: number } | undefined)?.code ?? 0),
    // The default backoff doubles without bound; an operator waiting for the server wants it back in seconds.
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** retries, 5000) + Math.random() * 500)),
    on: {
      connecting: () => connection.connecting(),
      connected: (_socket, _payload, wasRetry) => connection.connected(wasRetry),
      closed: (event) => connection.closed((event as { code?: number } | undefined)?.code),
    },
  });
  return new GraphQLWsLink(wsClient);
}

/** Drops the socket so the next subscription opens one with the current session cookie. */
export function restartLiveConnection() {
  connection.reset();
  wsClient?.terminate();
}

/**
 * An answer saying the session is gone shows the "signed out" banner (ConnectionBanner) rather
 * than leaving for /login: the user sees why, and the page they were on is kept for afterwards.
 */
function signedOutLink() {
  return new ErrorLink(({ error, operation }) => {
    if (operation.operationName === 'Login' || !CombinedGraphQLErrors.is(error)) return;
    if (!error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return;
    if (window.location.pathname.startsWith('/login')) return;
    connection.signedOut();
  });
}

/**
 * Subscriptions (re)started after the session ended wait quietly instead of opening a socket that
 * the server refuses: live-jobs.ts restarts an ended subscription, which would retry forever.
 */
function liveLink() {
  const ws = wsLink();
  return ApolloLink.split(() => connection.get() === 'signedOut', new ApolloLink(() => NEVER), ws);
}

export function makeClient() {
  const http = new HttpLink({ uri: '/graphql', credentials: 'same-origin' });
  // During the build's prerender there is no window: pages render their loading state and fetch
  // nothing (no server-side data fetching); the browser builds the real links.
  const link =
    typeof window === 'undefined'
      ? http
      : ApolloLink.from([
          signedOutLink(),
          ApolloLink.split((op) => op.operationType === OperationTypeNode.SUBSCRIPTION, liveLink(), http),
        ]);
  return new ApolloClient({ link, cache: makeCache() });
}
