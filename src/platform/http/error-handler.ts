import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AppError, type ErrorKind, type FieldError, isAppError } from '../errors.js';
import { fieldErrors } from './validation.js';

/** The one place where the error family becomes HTTP. */
export const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

// Framework errors a client can cause, with the code we promise for each.
const FRAMEWORK_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large', message: 'request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'unsupported content type',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'request body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'invalid_json',
    message: 'request body is not valid JSON',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid_content_length',
    message: 'content-length does not match the body',
  },
};

function send(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: string,
  message: string,
  fields?: FieldError[],
) {
  return reply.status(status).send({
    meta: {
      success: false,
      message,
      code,
      request_id: request.id,
      ...(fields?.length ? { errors: fields } : {}),
    },
  });
}

function sendAppError(error: AppError, request: FastifyRequest, reply: FastifyReply) {
  if (error.details.retryAfterMs !== undefined) {
    reply.header('retry-after', Math.max(1, Math.ceil(error.details.retryAfterMs / 1000)));
  }
  const status = HTTP_STATUS[error.kind];
  // A request shed on purpose carries a Retry-After: the server working as designed under
  // load, where a stack logged per refusal would only add to the load being shed.
  if (status >= 500 && error.details.retryAfterMs === undefined)
    request.log.error({ err: error }, 'request failed');
  else if (status >= 500) request.log.info({ code: error.code }, 'request shed');
  return send(reply, request, status, error.code, error.message, error.details.fields);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isAppError(error)) return sendAppError(error, request, reply);
    if (error.validation) {
      const fields = fieldErrors(error.validation as never, error.validationContext);
      return send(reply, request, 400, 'validation_failed', fields[0]?.message ?? 'invalid request', fields);
    }
    const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
    if (known) return send(reply, request, known.status, known.code, known.message);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return send(reply, request, error.statusCode, 'bad_request', error.message);
    }
    // Anything else is our fault: log it whole, tell the client nothing about internals.
    request.log.error({ err: error }, 'unhandled error');
    return send(reply, request, 500, 'internal_error', 'internal server error');
  });

  app.setNotFoundHandler((request, reply) =>
    send(
      reply,
      request,
      404,
      'route_not_found',
      `no route for ${request.method} ${request.url.split('?')[0]}`,
    ),
  );
}
