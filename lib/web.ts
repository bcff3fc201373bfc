import http from 'node:http';
import zlib from 'node:zlib';
import type { Duplex } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import compression from 'compression';
import express from 'express';
import { GraphQLError, Kind, type DocumentNode, type ExecutionArgs, type OperationDefinitionNode } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatError } from '../graphql/errors';
import { introspectionPlugin } from '../graphql/introspection';
import { compiledQueries } from '../graphql/jit';
import { BODY_PARSE_FAILED, fastQueries } from './fast-queries';
import { findUnsafeArgument, inputStringsPlugin, unsafeArgumentError } from '../graphql/input-strings';
import { credentialsOf, makeLoaders, viewerFrom, type Context } from '../graphql/context';
import type { Viewer } from '../services/access';
import { buildSchema } from '../graphql/schema';
import { isSharedResult, sharedJsonReplacer, sharedJsonStats, sharedParts, subscribeShared } from '../graphql/shared-events';
import { LIMITS, limitRules, parseAndValidate } from '../graphql/limits';
import { credentialAlive } from '../services/auth';
import type { Deps } from '../services/deps';
import type { LiveHub } from '../services/live';
import { clientAddress } from './client-address';
import { mountSsoRoutes } from './sso-routes';
import type { Config } from './config';
import { localeOfHeaders } from './i18n/locale';
import { logContext, requestIdOf } from './logger';
import { metrics, opsHandler, setSubscriptionCount, type Readiness } from './ops';
import { securityHeaders } from './security-headers';
import { keepSocketsAlive, WS_KEEPALIVE_MS } from './ws-keepalive';

export type WebServer = { server: http.Server; close(): Promise<void> };

/** Caps that graphql-ws does not have by default. */
const WS_MAX_PAYLOAD_BYTES = 256 * 1024;
const WS_MAX_SUBSCRIPTIONS = 100;
const WS_RECHECK_MS = 5000;
const HTTP_DRAIN_MS = 5000;
/** A shared live result up to this size is copied into each subscriber's message rather than sent as fragments. */
const WHOLE_MESSAGE_BYTES = 16 * 1024;

/** query, mutation or subscription: the operation a document runs (its only one, or the one named). */
function operationType(document: DocumentNode, name: string | null | undefined) {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return (ops.find((d) => !name || d.name?.value === name) ?? ops[0])?.operation ?? 'query';
}

type WsExtra = { viewer?: Viewer; subscriptions?: number; release?: () => void };
type Upgraded = http.IncomingMessage & { jobdeckOriginOk?: boolean };


/** Cross-site WebSocket hijacking: a cookie only authenticates a socket opened by our own pages. */
function originAllowed(req: http.IncomingMessage, config: Config) {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser
  const allowed = new Set<string>();
  if (config.PUBLIC_URL) allowed.add(new URL(config.PUBLIC_URL).origin);
  if (req.headers.host) {
    allowed.add(`http://${req.headers.host}`);
    allowed.add(`https://${req.headers.host}`);
  }
  return allowed.has(origin);
}

export async function createWebServer(o: {
  deps: Deps;
  hub: LiveHub;
  config: Config;
  withConsole: boolean;
  log: (l: string) => void;
  /** Masked errors, with their correlation id as context. */
  logError: (line: string, context?: Record<string, unknown>) => void;
  readiness: () => Promise<Readiness>;
  /** How often sockets are pinged (see ws-keepalive.ts); tests shorten it. */
  wsKeepAliveMs?: number;
}): Promise<WebServer> {
  const { deps, hub, config, log } = o;
  const addressOf = clientAddress(config.TRUST_PROXY);
  const schema = buildSchema();
  const app = express();
  app.disable('x-powered-by');
  // No ETag: Express hashed every answer (SHA-1 of the body: 4 % of a 500-line log page's CPU) for a
  // header nothing uses: GraphQL answers are POSTed, never revalidated; the console's files carry their own.
  app.set('etag', false);
  // First, so that every answer carries them: API, health check, console pages (proxy.ts sets
  // their own policy), static files, error pages.
  app.use(securityHeaders);
  const production = config.NODE_ENV === 'production';
  const gateway = compiledQueries(schema);
  const compress = compression({ threshold: 1024, brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } } });
  const secureCookie = config.PUBLIC_URL?.startsWith('https:') ?? false;
  const contextOf = async (req: http.IncomingMessage, res: http.ServerResponse | express.Response): Promise<Context> => {
    const address = addressOf(req);
    const viewer = await viewerFrom(deps, credentialsOf(req.headers), address);
    return {
      deps,
      hub,
      viewer,
      address,
      userAgent: req.headers['user-agent'],
      locale: localeOfHeaders(req.headers),
      loaders: makeLoaders(deps, viewer),
      // Only Express's response sets cookies (login and logout are mutations: never on the fast path).
      setCookie: 'cookie' in res
        ? (name, value, maxAgeSeconds) => void res.cookie(name, value, { httpOnly: true, sameSite: 'lax', secure: secureCookie, path: '/', maxAge: maxAgeSeconds * 1000 })
        : undefined,
    };
  };
  // Queries Apollo has answered once are answered again without Express and Apollo (lib/fast-queries.ts).
  const fast = fastQueries({ schema, compile: gateway.compile, context: contextOf, compress: compress as never, onAnswered: () => metrics.operation('query') });
  const server = http.createServer((req, res) => void (fast.handle(req, res, app) || app(req, res)));
  const apollo = new ApolloServer<Context>({
    // The schema, with queries run compiled (graphql/jit.ts).
    gateway,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Automatic persisted queries: nothing of ours sends them, and a bogus hash reached formatError
    // as an unknown error. Off, any persistedQuery extension answers PERSISTED_QUERY_NOT_SUPPORTED.
    persistedQueries: false,
    // Answered for signed-in viewers only (introspectionPlugin), in production too.
    introspection: true,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    formatError: (f, e) => formatError(f, e, o.logError),
    validationRules: limitRules(),
    parseOptions: { maxTokens: LIMITS.maxTokens },
    // Cache hints, traces and usage reports are not used. The cache-control plugin's per-field hook
    // alone made Apollo wrap every resolver of the schema (shared with the WebSocket server) and
    // call it for every field of every answer: 500 log entries are 2,000 fields.
    plugins: [inputStringsPlugin, introspectionPlugin(schema), {
        requestDidStart: async () => ({
          didResolveOperation: async ({ operation }) => metrics.operation(operation?.operation ?? 'query'),
          executionDidStart: async ({ request, document, operation }) => void fast.remember(request.query, request.operationName, document, operation),
        }),
      }, ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginUsageReportingDisabled()],
  });
  await apollo.start();
  // Every line logged on behalf of a request says which (a caller's own X-Request-Id is kept when it is plain).
  app.use((req, res, next) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    logContext.run({ requestId }, next);
  });
  // /metrics, /healthz, /readyz: answered before sessions, GraphQL or the console are involved.
  const ops = opsHandler({ metricsToken: config.METRICS_TOKEN, readiness: o.readiness });
  app.use((req, res, next) => void ops(req, res).then((handled) => handled || next(), next));
  mountSsoRoutes(app, { deps, addressOf, secureCookie, log });
  app.use(
    '/graphql',
    // gzip or brotli as the client asks; answers under 1 KB go as they are (compressing costs more than it saves).
    compress,
    // 16 MB: a bulk selection of 100,000 refs is about 4.5 MB of JSON; past the cap nothing is parsed.
    // (A body the fast path read is not read again: express.json sees the request finished.)
    express.json({ limit: '16mb' }),
    (req: express.Request, _res: express.Response, next: express.NextFunction) =>
      next((req as { [BODY_PARSE_FAILED]?: boolean })[BODY_PARSE_FAILED] ? Object.assign(new Error('invalid JSON'), { status: 400, type: 'entity.parse.failed' }) : undefined),
    fast.rememberAccept,
    expressMiddleware(apollo, { context: ({ req, res }) => contextOf(req, res) }),
  );

  // express.json's own errors (413, malformed JSON) would fall to Express's HTML handler.
  app.use('/graphql', (err: { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (!err) return next();
    const status = err.status ?? 400;
    const message = status === 413 ? 'The request body is larger than 16 MB.' : 'The request body is not valid JSON.';
    res.status(status).json({ errors: [{ message, extensions: { code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }] });
  });

  let nextUpgrade: ((req: http.IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>) | undefined;
  let nextClose: (() => Promise<void>) | undefined;
  if (o.withConsole) {
    const { default: next } = await import('next');
    const dev = config.NODE_ENV === 'development';
    const nextApp = next({ dev, dir: process.cwd(), quiet: !dev });
    await nextApp.prepare();
    const handle = nextApp.getRequestHandler();
    app.all('/{*path}', (req, res) => void handle(req, res));
    nextUpgrade = dev ? nextApp.getUpgradeHandler() : undefined;
    nextClose = () => nextApp.close();
  } else {
    // Answered here, not by Express's final handler, which puts a policy of its own in place of ours.
    app.use((_req, res) => void res.status(404).type('text/plain').send('Not found.'));
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD_BYTES });
  const sockets = new Map<WebSocket, { viewer?: Viewer }>();
  setSubscriptionCount(() => [...sockets.values()].reduce((n, x) => n + ((x as WsExtra).subscriptions ?? 0), 0));
  const ws = useServer<Record<string, unknown>, WsExtra>(
    {
      schema,
      // Log events shared by many subscribers are resolved once per process, and written as JSON once.
      subscribe: subscribeShared,
      jsonMessageReplacer: sharedJsonReplacer,
      onConnect: async (ctx) => {
        const extra = ctx.extra;
        const cred = credentialsOf(extra.request.headers, ctx.connectionParams?.authorization);
        // The cookie counts only from our own origin; a token in connectionParams always counts.
        if (!(extra.request as Upgraded).jobdeckOriginOk) cred.sessionToken = undefined;
        const viewer = await viewerFrom(deps, cred, addressOf(extra.request));
        if (!viewer) return false; // graphql-ws closes with 4403 Forbidden
        // Closed while its credentials were checked: its close has already run, keep nothing for it.
        if (extra.socket.readyState !== extra.socket.OPEN) return false;
        extra.viewer = viewer;
        // Its page subscribes right after reading its rows: changes in between are kept for it.
        extra.release = hub.retainExecutions();
        sockets.set(extra.socket, extra);
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        if ((ctx.extra.subscriptions ?? 0) >= WS_MAX_SUBSCRIPTIONS)
          return [new GraphQLError(`At most ${WS_MAX_SUBSCRIPTIONS} subscriptions per connection.`, { extensions: { code: 'BAD_USER_INPUT' } })];
        // The same limits as HTTP, before any resolver runs.
        const checked = parseAndValidate(schema, payload.query, production);
        if ('errors' in checked) return checked.errors;
        const unsafe = findUnsafeArgument(checked.document, payload.variables);
        if (unsafe) return [unsafeArgumentError(unsafe)];
        ctx.extra.subscriptions = (ctx.extra.subscriptions ?? 0) + 1;
        metrics.operation(operationType(checked.document, payload.operationName));
        return {
          schema,
          document: checked.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: { deps, hub, viewer: ctx.extra.viewer, address: addressOf(ctx.extra.request), locale: localeOfHeaders(ctx.extra.request.headers), loaders: makeLoaders(deps, ctx.extra.viewer) } satisfies Context,
        };
      },
      onComplete: (ctx) => {
        ctx.extra.subscriptions = Math.max(0, (ctx.extra.subscriptions ?? 1) - 1);
      },
      onNext: (_ctx, _id, _payload, _args: ExecutionArgs, result) => {
        if (result.errors?.length) return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e, o.logError)) };
        // The shared result itself (graphql-ws would send a copy), so that its JSON is written once.
        return isSharedResult(result) ? result : undefined;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e, o.logError)),
    },
    wss,
    0, // graphql-ws's keep-alive ended sockets still reading a long queue: ours is below
  );
  const stopKeepAlive = keepSocketsAlive(wss, o.wsKeepAliveMs ?? WS_KEEPALIVE_MS);
  wss.on('connection', (socket) => {
    socket.on('close', () => {
      (sockets.get(socket) as WsExtra | undefined)?.release?.();
      sockets.delete(socket);
    });
    const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
    // A message carrying a shared result goes out as three fragments of one text message, sent in
    // the same synchronous call (nothing else can come between them); graphql-ws's callback on the last.
    // A small one goes whole: each fragment is a write of its own, and a one-line message to 1,000
    // viewers as three writes each took the fan-out's p50 from ~35 to ~60 ms.
    // Its time counts against the flood's fan-out budget (services/fanout-budget.ts).
    const sendShared = (parts: [string, Buffer, string], cb: unknown) => {
      if (parts[1].length <= WHOLE_MESSAGE_BYTES) {
        const whole = Buffer.concat([Buffer.from(parts[0]), parts[1], Buffer.from(parts[2])]);
        return cb ? send(whole, { binary: false }, cb) : send(whole, { binary: false });
      }
      sharedJsonStats.fragmented++;
      send(parts[0], { fin: false });
      send(parts[1], { binary: false, fin: false });
      return cb ? send(parts[2], { fin: true }, cb) : send(parts[2], { fin: true });
    };
    socket.send = ((data: unknown, ...rest: unknown[]) => {
      const started = performance.now();
      const parts = typeof data === 'string' ? sharedParts(data) : undefined;
      if (!parts) return send(data, ...rest);
      const [head, utf8, tail, madeMs] = parts;
      try {
        return sendShared([head, utf8, tail], rest.find((x) => typeof x === 'function'));
      } finally {
        // Each send costs at least what writing its JSON took the one time it was written: sharing
        // spares this process that work, not the network nor the viewers, who each read their copy
        // (charged only their own ~0.1 ms, a hundred sends of one chunk let a 400 ms flood send
        // 100 viewers several chunks each, which they parsed on the job's cores).
        hub.budget.spent(Math.max(performance.now() - started, madeMs));
      }
    }) as typeof socket.send;
  });

  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/graphql') {
      const originOk = originAllowed(req, config);
      (req as Upgraded).jobdeckOriginOk = originOk;
      wss.handleUpgrade(req, socket, head, (s) => wss.emit('connection', s, req));
    } else if (nextUpgrade) void nextUpgrade(req, socket, head);
    else socket.destroy();
  });

  // A revoked token or ended session ends its sockets, and with them their subscriptions.
  const recheck = setInterval(async () => {
    for (const [socket, extra] of sockets) {
      if (!extra.viewer) continue;
      const alive = await credentialAlive({ sql: deps.sql, config }, extra.viewer).catch(() => true);
      if (!alive) socket.close(CloseCode.Forbidden, 'Credentials revoked or expired');
    }
  }, WS_RECHECK_MS);
  recheck.unref();
  // A user disabled, deleted or given a new password: his sockets are checked at once, in every web process.
  const credentialsListener = await deps.sql.listen('jobdeck_credentials', (userId) => {
    for (const [socket, extra] of sockets) {
      if (extra.viewer?.userId !== userId) continue;
      void credentialAlive({ sql: deps.sql, config }, extra.viewer).then(
        (alive) => alive || socket.close(CloseCode.Forbidden, 'Credentials revoked or expired'),
        () => {},
      );
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });

  return {
    server,
    close: async () => {
      clearInterval(recheck);
      stopKeepAlive();
      await credentialsListener.unlisten().catch(() => {});
      for (const s of wss.clients) s.close(1001, 'Server shutting down');
      const step = async (name: string, f: () => unknown) => {
        const t0 = Date.now();
        await Promise.resolve(f()).catch(() => {});
        if (config.NODE_ENV === 'development') log(`  ${name}: ${Date.now() - t0} ms`);
      };
      await step('websocket', () => ws.dispose());
      // Stop accepting, let requests in flight finish (bounded), then cut what is left.
      await step('http', () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => {
            server.closeAllConnections();
            resolve();
          }, HTTP_DRAIN_MS).unref();
        }),
      );
      await step('apollo', () => apollo.stop());
      await step('next', () => nextClose?.());
      server.closeAllConnections();
    },
  };
}
