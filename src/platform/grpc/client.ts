import * as grpc from '@grpc/grpc-js';
import type { Actor } from '../auth/policy.js';
import { FORWARDED_FOR } from './client-address.js';
import { fromServiceError } from './errors.js';
import { currentTraceparent, inSpan, SpanKind, tracingOn } from '../tracing/tracing.js';

export interface ClientOptions {
  /** Longest a call may take before it fails with DEADLINE_EXCEEDED (answered 503 at the edge). */
  deadlineMs: number;
  /** How to reach the service: plain text when absent; TLS or mutual TLS (platform/tls/tls.options.ts). */
  credentials?: grpc.ChannelCredentials;
}

/**
 * Asks a service to read past its own cache, as HTTP's `Cache-Control: no-cache` does: for
 * a caller that caches the answer itself (the split gateway), whose copy must not be one
 * the service had kept.
 */
export const NO_CACHE = { key: 'cache-control', value: 'no-cache' } as const;

/** Whether the call asked for a read past the service's cache (NO_CACHE). */
export const wantsFresh = (metadata: grpc.Metadata): boolean =>
  metadata.get(NO_CACHE.key)[0] === NO_CACHE.value;

type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: Response) => void,
) => grpc.ClientUnaryCall;

/**
 * One unary call from the gateway to a service: the caller's access token and, where the
 * service keeps a budget per client address (failed password checks), the client's
 * address forwarded in the metadata; a deadline on every call; and a failed status turned
 * back into the AppError the service threw, so the REST edge cannot tell a remote service
 * from an in-process one.
 */
export function callUnary<Request, Response>(
  method: UnaryMethod<Request, Response>,
  client: grpc.Client,
  request: Request,
  actor: Actor | undefined,
  options: ClientOptions,
  clientIp?: string,
  noCache = false,
): Promise<Response> {
  const metadata = new grpc.Metadata();
  if (actor?.credential) metadata.set('authorization', `Bearer ${actor.credential}`);
  if (clientIp !== undefined) metadata.set(FORWARDED_FOR, clientIp);
  if (noCache) metadata.set(NO_CACHE.key, NO_CACHE.value);
  if (!tracingOn) return send(method, client, request, metadata, options);
  const path = (method as { path?: string }).path ?? 'unknown';
  return inSpan(
    path.replace(/^\//, ''),
    { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc', 'rpc.method': path } },
    async () => {
      // The service continues this trace (server.ts reads the same header).
      const traceparent = currentTraceparent();
      if (traceparent) metadata.set('traceparent', traceparent);
      return send(method, client, request, metadata, options);
    },
  );
}

function send<Request, Response>(
  method: UnaryMethod<Request, Response>,
  client: grpc.Client,
  request: Request,
  metadata: grpc.Metadata,
  options: ClientOptions,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    method.call(
      client,
      request,
      metadata,
      { deadline: Date.now() + options.deadlineMs },
      (error, response) => (error ? reject(fromServiceError(error)) : resolve(response as Response)),
    );
  });
}

/**
 * The gRPC target for a configured address: a list of instances becomes one channel that
 * spreads calls round-robin and skips an instance that is down.
 */
export function targetOf(address: string): string {
  if (!address.includes(',')) return address;
  return `ipv4:${address
    .split(',')
    .map((part) => part.trim())
    .join(',')}`;
}

/** A channel to a service, kept alive, balanced over its instances. */
export const channelOptions: grpc.ChannelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.max_receive_message_length': 8 * 1024 * 1024,
  'grpc.max_send_message_length': 8 * 1024 * 1024,
  // As on the server (server.ts): nobody reads channelz, so no call pays for its trackers.
  'grpc.enable_channelz': 0,
};
/** The credentials a client was given, plain text when none. */
export const credentialsOf = (options: ClientOptions) =>
  options.credentials ?? grpc.credentials.createInsecure();

/**
 * What every gateway-side client of a service shares: one balanced channel, a deadline on
 * every call, the caller's token forwarded, errors turned back into AppErrors.
 */
export abstract class ServiceClient<Client extends grpc.Client> {
  constructor(
    protected readonly client: Client,
    private readonly options: ClientOptions,
  ) {}

  close(): void {
    this.client.close();
  }

  protected call<Response>(
    method: unknown,
    request: object,
    actor: Actor | undefined,
    clientIp?: string,
    noCache = false,
  ): Promise<Response> {
    return callUnary(
      method as never,
      this.client,
      request,
      actor,
      this.options,
      clientIp,
      noCache,
    ) as Promise<Response>;
  }
}
