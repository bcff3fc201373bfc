/**
 * POST /graphql for a query this process has already answered through Apollo Server: run its
 * compiled form at once, without Express's router, the JSON body middleware and Apollo's request
 * pipeline (issue #19). On this 2-core VM they were most of a small answer's time: `{ __typename }`
 * took 1.9–2.2 ms through them and 0.6 ms here; a one-row jobs page 3.3–3.6 ms and 1.5 ms.
 *
 * The answer must be the one Apollo gives, so this path takes only what it knows Apollo would
 * answer the same way, and hands everything else to the app (Express, then Apollo), unchanged:
 * - the document (query text and operation name) was parsed, validated with every limit rule and
 *   run as a query by Apollo in this process (`remember`, from a plugin); never one that may
 *   introspect (answered to signed-in viewers only) or a mutation or subscription;
 * - the Accept header (or its absence) was answered by Apollo with status 200 before, and the
 *   content type Apollo chose for it is the one used (`rememberAccept`);
 * - the body is `application/json` (UTF-8), not encoded, at most 1 MB, parsed with body-parser's
 *   rules (strict: an object or array; empty is `{}`); a body that does not parse is handed on
 *   marked, and the app answers it as before (400, "not valid JSON");
 * - the variables are ones graphql-js accepts and carry no refused string (input-strings);
 * - the answer has no error: one with errors is dropped and the request handed to Apollo, which
 *   runs it again and formats its errors (queries read; nothing is written twice but a credential's
 *   last use).
 * What it keeps from the app: the security headers, the request id (and the log context that
 * carries it), the context every resolver gets, compression of answers of 1 KB or more, and the
 * operation count of /metrics.
 */
import type http from 'node:http';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import type { CompiledQuery } from 'graphql-jit';
import type { Context } from '../graphql/context';
import { findUnsafeArgument } from '../graphql/input-strings';
import { MAY_INTROSPECT } from '../graphql/introspection';
import { logContext, requestIdOf } from './logger';
import { API_CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security-headers';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;
type Known = { compiled: CompiledQuery; operation: OperationDefinitionNode; document: DocumentNode };

const MAX_BODY_BYTES = 1 << 20;
const MAX_DOCUMENTS = 1000;
const MAX_ACCEPTS = 100;
const JSON_TYPE = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;

/** Set on a request whose body did not parse here: the app answers it as its JSON middleware would have. */
export const BODY_PARSE_FAILED = Symbol('jobdeck.bodyParseFailed');

export const fastQueryStats = { answered: 0, handedOn: 0 };

export function fastQueries(o: {
  schema: GraphQLSchema;
  compile: (document: DocumentNode, operationName: string | undefined) => CompiledQuery | null;
  context: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<Context>;
  compress: Handler;
  onAnswered: () => void;
}) {
  const known = new Map<string, Known>();
  const accepts = new Map<string, string>();
  const keyOf = (query: string, operationName: string | null | undefined) => `${operationName ?? ''}\n${query}`;

  /** From an Apollo plugin, once a query's document has passed validation and its operation is resolved. */
  const remember = (query: string | undefined, operationName: string | null | undefined, document: DocumentNode, operation: OperationDefinitionNode | undefined) => {
    if (!query || !operation || operation.operation !== 'query' || known.size >= MAX_DOCUMENTS || MAY_INTROSPECT.test(query)) return;
    const key = keyOf(query, operationName);
    if (known.has(key)) return;
    const compiled = o.compile(document, operationName ?? undefined);
    if (compiled) known.set(key, { compiled, operation, document });
  };

  /** Express middleware before Apollo's: the content type Apollo chose for this Accept header, once it answered 200. */
  const rememberAccept: Handler = (req, res, next) => {
    const accept = req.headers.accept ?? '';
    if (!accepts.has(accept) && accepts.size < MAX_ACCEPTS)
      res.once('finish', () => {
        const type = res.getHeader('content-type');
        if (res.statusCode === 200 && typeof type === 'string' && !res.getHeader('content-encoding')) accepts.set(accept, type);
      });
    next();
  };

  /** Whether it takes the request (then it answers it, or hands it to `app` itself once its body is read). */
  const handle = (req: http.IncomingMessage, res: http.ServerResponse, app: (req: http.IncomingMessage, res: http.ServerResponse) => void) => {
    if (req.method !== 'POST' || req.url !== '/graphql' || !known.size) return false;
    const type = req.headers['content-type'];
    const length = Number(req.headers['content-length']);
    const contentType = accepts.get(req.headers.accept ?? '');
    if (!contentType || !type || !JSON_TYPE.test(type) || req.headers['content-encoding'] || !(length >= 0 && length <= MAX_BODY_BYTES)) return false;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('error', () => res.destroy());
    req.once('end', () => {
      const parsed = parseBody(Buffer.concat(chunks).toString('utf8'));
      const handOn = () => {
        fastQueryStats.handedOn++;
        app(req, res);
      };
      if (parsed === BODY_PARSE_FAILED) {
        (req as { [BODY_PARSE_FAILED]?: boolean })[BODY_PARSE_FAILED] = true;
        return handOn();
      }
      (req as { body?: unknown }).body = parsed;
      const k = fastRequest(parsed) ? known.get(keyOf(parsed.query, parsed.operationName)) : undefined;
      if (!k) return handOn();
      const variables = (parsed as { variables?: Record<string, unknown> | null }).variables ?? {};
      if (getVariableValues(o.schema, k.operation.variableDefinitions ?? [], variables).errors || findUnsafeArgument(k.document, variables)) return handOn();
      const requestId = requestIdOf(req);
      logContext.run({ requestId }, () => {
        void answer(req, res, k, variables, contentType, requestId).then((done) => done || handOn(), handOn);
      });
    });
    return true;
  };

  const answer = async (req: http.IncomingMessage, res: http.ServerResponse, k: Known, variables: Record<string, unknown>, contentType: string, requestId: string) => {
    const result = await k.compiled.query(undefined, await o.context(req, res), variables);
    if (result.errors?.length || !('data' in result)) return false;
    const body = `${JSON.stringify({ data: result.data, extensions: result.extensions })}\n`;
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    res.setHeader('Content-Security-Policy', API_CONTENT_SECURITY_POLICY);
    res.setHeader('x-request-id', requestId);
    o.onAnswered();
    fastQueryStats.answered++;
    o.compress(req, res, () => {
      res.statusCode = 200;
      res.setHeader('content-type', contentType);
      res.setHeader('content-length', Buffer.byteLength(body));
      res.end(body);
    });
    return true;
  };

  return { remember, rememberAccept, handle };
}

/** body-parser's json() in strict mode: empty is {}, else an object or array, else the parse failed. */
function parseBody(text: string): unknown {
  if (text.length === 0) return {};
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') return BODY_PARSE_FAILED;
  try {
    return JSON.parse(text);
  } catch {
    return BODY_PARSE_FAILED;
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** What Apollo runs as a plain POST: a query text, variables an object (or none), no extensions. */
function fastRequest(b: unknown): b is { query: string; operationName?: string | null } {
  if (!isRecord(b) || typeof b.query !== 'string' || 'extensions' in b) return false;
  // "" is not "no name" to graphql-js (it looks for an operation named ""): Apollo's to answer.
  if (b.operationName !== undefined && b.operationName !== null && (typeof b.operationName !== 'string' || b.operationName === '')) return false;
  return b.variables === undefined || b.variables === null || isRecord(b.variables);
}
