/**
 * The one error family. Domain code throws these with a stable machine `code`; the HTTP
 * and gRPC edges map the `kind` to a status once (see http/error-handler.ts). Nothing in
 * a module knows about HTTP statuses.
 */
export type ErrorKind =
  | 'invalid' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'unprocessable' // 422
  | 'rate_limited' // 429
  | 'unavailable' // 503
  | 'internal'; // 500

export interface FieldError {
  field: string;
  message: string;
  code: string;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details: { fields?: FieldError[]; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalid = (code: string, message: string, fields?: FieldError[]) =>
  new AppError('invalid', code, message, fields ? { fields } : {});

/** A 400 naming one field: the common case for rules a schema cannot express. */
export const invalidField = (field: string, code: string, message: string) =>
  new AppError('invalid', 'validation_failed', message, { fields: [{ field, code, message }] });

export const unauthenticated = (code: string, message: string) =>
  new AppError('unauthenticated', code, message);
export const forbidden = (code: string, message: string) => new AppError('forbidden', code, message);
export const notFound = (what: string) => new AppError('not_found', `${what}_not_found`, `${what} not found`);
export const conflict = (code: string, message: string) => new AppError('conflict', code, message);
export const unprocessable = (code: string, message: string) => new AppError('unprocessable', code, message);
export const rateLimited = (retryAfterMs: number) =>
  new AppError('rate_limited', 'rate_limited', 'too many requests, try again later', { retryAfterMs });
export const unavailable = (code: string, message: string) => new AppError('unavailable', code, message);

/** The floor of a busy refusal's Retry-After: clients should not come back within the same second. */
const MIN_RETRY_AFTER_MS = 1_000;

/** 503 with a Retry-After of `waitMs` (at least a second): too busy to take this request now. */
export const busy = (code: string, message: string, waitMs: number) =>
  new AppError('unavailable', code, message, {
    retryAfterMs: Math.max(MIN_RETRY_AFTER_MS, Math.ceil(waitMs)),
  });

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
