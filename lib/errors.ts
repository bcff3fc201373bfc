/** Codes a client can act on; anything else is masked as INTERNAL_SERVER_ERROR at the edge. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'ALREADY_RUNNING'
  | 'RATE_LIMITED'
  | 'CONFLICT'
  /** testChannel: the receiver or mail server did not take the test message (the message says what it answered). */
  | 'DELIVERY_FAILED';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badInput = (field: string, message: string) => new AppError('BAD_USER_INPUT', message, field);
/** `what` may hold client input: it is cut so an error never echoes a huge argument back. */
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what.length > 120 ? `${what.slice(0, 120)}…` : what} was not found.`);
export const unauthenticated = () =>
  new AppError('UNAUTHENTICATED', 'Sign in first, or send an API token as "Authorization: Bearer <token>".');
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);
