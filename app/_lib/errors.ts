import { CombinedGraphQLErrors } from '@apollo/client/errors';

export interface ApiError {
  code: string | undefined;
  field: string | undefined;
  message: string;
}

/** The GraphQL errors of a failed operation as { code, field, message }; network failures become one entry. */
export function apiErrors(error: unknown): ApiError[] {
  if (!error) return [];
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.map((e) => ({
      code: typeof e.extensions?.code === 'string' ? e.extensions.code : undefined,
      field: typeof e.extensions?.field === 'string' ? e.extensions.field : undefined,
      message: e.message,
    }));
  }
  const message = error instanceof Error ? error.message : String(error);
  return [{ code: 'NETWORK', field: undefined, message: `The server could not be reached (${message}). Check your connection and try again.` }];
}

export function firstError(error: unknown): ApiError | undefined {
  return apiErrors(error)[0];
}

export function errorMessage(error: unknown): string {
  return apiErrors(error).map((e) => e.message).join(' ') || 'Something went wrong.';
}

/** Errors whose extensions.field starts with `prefix`, keyed by the rest of the path (e.g. "[1]"). */
export function fieldErrors(error: unknown, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of apiErrors(error)) {
    if (e.code === 'BAD_USER_INPUT' && e.field?.startsWith(prefix)) out.set(e.field.slice(prefix.length), e.message);
  }
  return out;
}
