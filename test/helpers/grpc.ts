import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { loadContracts, PROTO_DIR } from '../../src/platform/grpc/contracts.js';

export interface GrpcOutcome<T> {
  response?: T;
  error?: grpc.ServiceError;
  /** From grpc-status-details-bin, decoded independently of the server's code. */
  reason?: string;
  fields?: { field: string; reason: string }[];
  /** google.rpc.RetryInfo's delay, when the status carries one. */
  retryDelayMs?: number;
}

// keepCase: field names as the .proto writes them (type_url, field_violations).
const rpc = new protobuf.Root().loadSync(
  [`${PROTO_DIR}/google/rpc/status.proto`, `${PROTO_DIR}/google/rpc/error_details.proto`],
  { keepCase: true },
);

type Details = Pick<GrpcOutcome<unknown>, 'reason' | 'fields' | 'retryDelayMs'>;

function decodeDetails(error: grpc.ServiceError): Details {
  const raw = error.metadata?.get('grpc-status-details-bin')[0];
  if (!Buffer.isBuffer(raw)) return {};
  const status = rpc.lookupType('google.rpc.Status');
  const decoded = status.toObject(status.decode(raw)) as {
    details?: { type_url: string; value: Uint8Array }[];
  };
  const result: Details = {};
  for (const detail of decoded.details ?? []) {
    const type = rpc.lookupType(detail.type_url.split('/').pop()!);
    const value = type.toObject(type.decode(detail.value), { arrays: true, longs: Number }) as Record<
      string,
      unknown
    >;
    if (detail.type_url.endsWith('ErrorInfo')) result.reason = value.reason as string;
    if (detail.type_url.endsWith('BadRequest'))
      result.fields = (value.field_violations as { field: string; reason: string }[]).map(
        ({ field, reason }) => ({
          field,
          reason,
        }),
      );
    if (detail.type_url.endsWith('RetryInfo')) {
      const delay = value.retry_delay as { seconds?: number; nanos?: number } | undefined;
      result.retryDelayMs = (delay?.seconds ?? 0) * 1000 + Math.round((delay?.nanos ?? 0) / 1e6);
    }
  }
  return result;
}

/** Real gRPC clients of a running app's three services. */
export function grpcClients(address: string) {
  const { users, catalog, payments } = loadContracts();
  const credentials = grpc.credentials.createInsecure();
  return {
    users: new users.mamlaka.users.v1.UserService(address, credentials),
    catalog: new catalog.mamlaka.catalog.v1.CatalogService(address, credentials),
    payments: new payments.mamlaka.payments.v1.PaymentService(address, credentials),
    close() {
      this.users.close();
      this.catalog.close();
      this.payments.close();
    },
  };
}

/** One unary call, never rejecting: the outcome says whether it worked and, if not, why. */
export function call<T>(
  client: grpc.Client,
  method: string,
  request: object,
  options: { token?: string; deadlineMs?: number; metadata?: Record<string, string> } = {},
): Promise<GrpcOutcome<T>> {
  const metadata = new grpc.Metadata();
  if (options.token) metadata.set('authorization', `Bearer ${options.token}`);
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  type Unary = (
    this: grpc.Client,
    request: object,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response: T) => void,
  ) => void;
  const fn = (client as unknown as Record<string, Unary>)[method]!;
  return new Promise((resolve) => {
    fn.call(
      client,
      request,
      metadata,
      { deadline: Date.now() + (options.deadlineMs ?? 10_000) },
      (error: grpc.ServiceError | null, response: T) =>
        resolve(error ? { error, ...decodeDetails(error) } : { response }),
    );
  });
}
