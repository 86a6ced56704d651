import * as grpc from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import type { Actor } from '../auth/policy.js';
import type { AccessTokens } from '../auth/tokens.js';
import { unavailable } from '../errors.js';
import { actorFromMetadata } from './auth.js';
import { toServiceError } from './errors.js';

/** What an RPC handler gets besides its request: the caller and the call's deadline. */
export interface CallContext {
  actor: Actor | undefined;
  /** When the client stops waiting; work that cannot finish by then is not started. */
  deadline: Date | undefined;
  metadata: grpc.Metadata;
}

export type UnaryHandler<Request, Response> = (request: Request, context: CallContext) => Promise<Response>;

// Bigger messages are refused by grpc-js before a handler runs (images are the big ones).
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * A gRPC server with what every Mamlaka service shares: the access token from metadata,
 * errors mapped once (errors.ts), deadlines honoured, standard
 * health checking (grpc.health.v1) and server reflection, so grpcurl-style tools work.
 */
export class GrpcServer {
  readonly server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly services: string[] = [];

  constructor(
    private readonly deps: { tokens: AccessTokens; logger: Logger },
    definitions: PackageDefinition,
  ) {
    this.health.addToServer(this.server);
    new ReflectionService(definitions).addToServer(this.server);
  }

  /** Adds a service: `name` is its full name (mamlaka.users.v1.UserService) for health checks. */
  add(
    name: string,
    definition: grpc.ServiceDefinition,
    implementation: grpc.UntypedServiceImplementation,
  ): void {
    this.server.addService(definition, implementation);
    this.services.push(name);
  }

  /**
   * Wraps a handler: authentication, deadline, error mapping, logging. Rate limits stay at
   * the REST edge (the gateway), which every client call passes; a service behind it is
   * not exposed to the internet.
   */
  unary<Request, Response>(
    method: string,
    handler: UnaryHandler<Request, Response>,
  ): grpc.handleUnaryCall<Request, Response> {
    const { tokens, logger } = this.deps;
    return (call, callback) => {
      const started = performance.now();
      const run = async (): Promise<Response> => {
        const deadline = deadlineOf(call.getDeadline());
        if (deadline && deadline.getTime() <= Date.now())
          throw unavailable('deadline_exceeded', 'the deadline has passed');
        const actor = await actorFromMetadata(call.metadata, tokens);
        return handler(call.request, { actor, deadline, metadata: call.metadata });
      };
      run().then(
        (response) => {
          logger.debug({ method, ms: Math.round(performance.now() - started) }, 'rpc');
          // A call the client gave up on (deadline, cancel) has nobody to answer.
          if (!call.cancelled) callback(null, response);
        },
        (error: unknown) => {
          if (!call.cancelled) callback(toServiceError(error, logger, { method }));
        },
      );
    };
  }

  async listen(host: string, port: number): Promise<number> {
    const bound = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) =>
        error ? reject(error) : resolve(actual),
      ),
    );
    this.health.setStatus('', 'SERVING');
    for (const name of this.services) this.health.setStatus(name, 'SERVING');
    return bound;
  }

  /** Stops taking calls, lets calls in progress finish (up to `graceMs`), then closes. */
  async close(graceMs = 10_000): Promise<void> {
    this.health.setStatus('', 'NOT_SERVING');
    for (const name of this.services) this.health.setStatus(name, 'NOT_SERVING');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function deadlineOf(deadline: grpc.Deadline): Date | undefined {
  if (deadline instanceof Date) return deadline;
  return Number.isFinite(deadline) ? new Date(deadline) : undefined;
}
