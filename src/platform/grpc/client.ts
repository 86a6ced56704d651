import * as grpc from '@grpc/grpc-js';
import type { Actor } from '../auth/policy.js';
import { fromServiceError } from './errors.js';

export interface ClientOptions {
  /** Longest a call may take before it fails with DEADLINE_EXCEEDED (answered 503 at the edge). */
  deadlineMs: number;
}

type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: Response) => void,
) => grpc.ClientUnaryCall;

/**
 * One unary call from the gateway to a service: the caller's access token forwarded in the
 * metadata, a deadline on every call, and a failed status turned back into the AppError the
 * service threw, so the REST edge cannot tell a remote service from an in-process one.
 */
export function callUnary<Request, Response>(
  method: UnaryMethod<Request, Response>,
  client: grpc.Client,
  request: Request,
  actor: Actor | undefined,
  options: ClientOptions,
): Promise<Response> {
  const metadata = new grpc.Metadata();
  if (actor?.credential) metadata.set('authorization', `Bearer ${actor.credential}`);
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

/** A channel to a service address (`host:port`), plaintext inside the cluster, kept alive. */
export const channelOptions: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.max_receive_message_length': 8 * 1024 * 1024,
  'grpc.max_send_message_length': 8 * 1024 * 1024,
};
export const insecure = () => grpc.credentials.createInsecure();
