import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError } from '../lib/errors';

/** Codes produced by GraphQL itself that describe the request, not the server: safe to show. */
const CLIENT_CODES = new Set(['UNAUTHENTICATED', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE', 'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);

/**
 * The one place errors leave the server. Known codes keep their message and field; everything
 * else becomes a generic message with a correlation id that the server log carries in full.
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: (msg: string, context?: Record<string, unknown>) => void = console.error,
): GraphQLFormattedError {
  let original = unwrapResolverError(error);
  // Errors thrown by a subscription's stream reach us wrapped without a path; look down the chain.
  for (let e: unknown = error, i = 0; e && i < 5; e = (e as { originalError?: unknown }).originalError, i++) {
    if (e instanceof AppError) {
      original = e;
      break;
    }
  }
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof AppError) {
    return { ...base, message: original.message, extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_CODES.has(code) && !(original instanceof Error && !(original instanceof GraphQLError))) {
    const field = formatted.extensions?.field;
    return { ...base, extensions: { code, ...(typeof field === 'string' ? { field } : {}) } };
  }
  if (original instanceof GraphQLError && !original.originalError && !code) {
    // Validation-style errors raised without a code (e.g. by graphql-js during execution of the request shape).
    return { ...base, extensions: { code: 'BAD_USER_INPUT' } };
  }
  const correlationId = randomUUID();
  const detail = original instanceof Error ? (original.stack ?? original.message) : String(original);
  log(`[${correlationId}] ${detail}`, { correlationId });
  return { message: `Internal server error (reference ${correlationId}).`, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId } };
}
