import { status as Status, Metadata, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import type { Logger } from 'pino';
import { AppError, type ErrorKind, type FieldError, isAppError } from '../errors.js';
import { PROTO_DIR } from './contracts.js';

/** The one place where the error family becomes gRPC (http/error-handler.ts is its twin). */
export const GRPC_STATUS: Record<ErrorKind, Status> = {
  invalid: Status.INVALID_ARGUMENT,
  unauthenticated: Status.UNAUTHENTICATED,
  forbidden: Status.PERMISSION_DENIED,
  not_found: Status.NOT_FOUND,
  conflict: Status.ALREADY_EXISTS,
  unprocessable: Status.FAILED_PRECONDITION,
  rate_limited: Status.RESOURCE_EXHAUSTED,
  unavailable: Status.UNAVAILABLE,
  internal: Status.INTERNAL,
};

const KIND_OF_STATUS = new Map<Status, ErrorKind>(
  Object.entries(GRPC_STATUS).map(([kind, code]) => [code, kind as ErrorKind]),
);

const DOMAIN = 'mamlaka';
const DETAILS_KEY = 'grpc-status-details-bin';

// google.rpc.Status and its details, as googleapis defines them, so that any gRPC client
// (grpcurl, buf curl, the official libraries) can read the error code and field errors.
// keepCase: field names as the .proto writes them (type_url, field_violations).
const rpc = new protobuf.Root().loadSync(
  [`${PROTO_DIR}/google/rpc/status.proto`, `${PROTO_DIR}/google/rpc/error_details.proto`],
  { keepCase: true },
);
const RpcStatus = rpc.lookupType('google.rpc.Status');
const ErrorInfo = rpc.lookupType('google.rpc.ErrorInfo');
const BadRequest = rpc.lookupType('google.rpc.BadRequest');
const RetryInfo = rpc.lookupType('google.rpc.RetryInfo');
const typeUrl = (type: protobuf.Type) => `type.googleapis.com/${type.fullName.replace(/^\./, '')}`;
const packAny = (type: protobuf.Type, value: object) => ({
  type_url: typeUrl(type),
  value: type.encode(type.fromObject(value)).finish(),
});

/**
 * An error as a gRPC status: the kind gives the code, the machine code travels as an
 * ErrorInfo reason, field errors as a BadRequest, a retry delay as RetryInfo. Anything
 * that is not one of ours is logged whole and answered INTERNAL with no detail.
 */
export function toServiceError(error: unknown, logger: Logger, context: object = {}): Partial<ServiceError> {
  if (!isAppError(error)) {
    logger.error({ ...context, err: error }, 'unhandled error in a gRPC call');
    return { code: Status.INTERNAL, details: 'internal server error' };
  }
  // A call that arrived after its deadline is, in gRPC's own terms, DEADLINE_EXCEEDED: the
  // same status the caller's channel gives when its timer fires first.
  if (error.code === 'deadline_exceeded') return { code: Status.DEADLINE_EXCEEDED, details: error.message };
  const code = GRPC_STATUS[error.kind];
  // As on the HTTP edge: a call shed on purpose (with a retry delay) is not logged as a failure.
  if ((code === Status.INTERNAL || code === Status.UNAVAILABLE) && error.details.retryAfterMs === undefined)
    logger.error({ ...context, err: error }, 'gRPC call failed');
  const details = [packAny(ErrorInfo, { reason: error.code, domain: DOMAIN })];
  if (error.details.fields?.length) {
    details.push(
      packAny(BadRequest, {
        field_violations: error.details.fields.map((field) => ({
          field: field.field,
          description: field.message,
          reason: field.code,
        })),
      }),
    );
  }
  if (error.details.retryAfterMs !== undefined) {
    const ms = error.details.retryAfterMs;
    details.push(
      packAny(RetryInfo, { retry_delay: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 } }),
    );
  }
  const metadata = new Metadata();
  metadata.set(
    DETAILS_KEY,
    Buffer.from(RpcStatus.encode(RpcStatus.fromObject({ code, message: error.message, details })).finish()),
  );
  return { code, details: error.message, metadata };
}

/**
 * The inverse, for the gateway's gRPC clients: a status from one of our services becomes
 * the AppError it was, so the REST edge answers exactly as if the call had been in process.
 */
export function fromServiceError(error: ServiceError): AppError {
  const kind =
    error.code === Status.DEADLINE_EXCEEDED || error.code === Status.CANCELLED
      ? 'unavailable'
      : (KIND_OF_STATUS.get(error.code) ?? (error.code === Status.UNAVAILABLE ? 'unavailable' : 'internal'));
  const raw = error.metadata?.get(DETAILS_KEY)[0];
  let code = kind === 'unavailable' ? 'service_unavailable' : 'internal_error';
  const fields: FieldError[] = [];
  let retryAfterMs: number | undefined;
  if (Buffer.isBuffer(raw)) {
    const decoded = RpcStatus.toObject(RpcStatus.decode(raw), { longs: Number }) as {
      details?: { type_url: string; value: Uint8Array }[];
    };
    for (const detail of decoded.details ?? []) {
      if (detail.type_url === typeUrl(ErrorInfo)) {
        code = (ErrorInfo.toObject(ErrorInfo.decode(detail.value)) as { reason: string }).reason;
      } else if (detail.type_url === typeUrl(BadRequest)) {
        const request = BadRequest.toObject(BadRequest.decode(detail.value), { arrays: true }) as {
          field_violations: { field: string; description: string; reason: string }[];
        };
        for (const violation of request.field_violations)
          fields.push({ field: violation.field, message: violation.description, code: violation.reason });
      } else if (detail.type_url === typeUrl(RetryInfo)) {
        const retry = RetryInfo.toObject(RetryInfo.decode(detail.value), { longs: Number }) as {
          retry_delay?: { seconds?: number; nanos?: number };
        };
        retryAfterMs =
          (retry.retry_delay?.seconds ?? 0) * 1000 + Math.round((retry.retry_delay?.nanos ?? 0) / 1e6);
      }
    }
  }
  const message = kind === 'internal' ? 'internal server error' : error.details || 'service call failed';
  return new AppError(kind, code, message, {
    ...(fields.length ? { fields } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}
