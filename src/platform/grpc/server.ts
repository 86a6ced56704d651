import * as grpc from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import { type Actor, authorizeScope } from '../auth/policy.js';
import type { Scope } from '../auth/scopes.js';
import type { AccessTokens } from '../auth/tokens.js';
import { unavailable } from '../errors.js';
import type { AddressLimit, RateLimits } from '../http/rate-limits.js';
import { type GrpcAuditSpec, GrpcAudit, auditStatusOf } from './audit.js';
import { actorFromMetadata } from './auth.js';
import { clientAddressOf } from './client-address.js';
import { addLazyReflection } from './reflection.js';
import { toServiceError } from './errors.js';
import { passingEncoded } from './encoded.js';
import type { TlsSettings } from '../../config.tls.js';
import { grpcServerCredentials } from '../tls/tls.options.js';
import { traceCall } from '../tracing/grpc.js';
import { tracingOn } from '../tracing/tracing.js';
import { observedService } from '../metrics/metrics.grpc.js';
import type { PlatformMetrics } from '../metrics/metrics.platform.js';

/** What an RPC handler gets besides its request: the caller and the call's deadline. */
export interface CallContext {
  actor: Actor | undefined;
  /** When the client stops waiting; work that cannot finish by then is not started. */
  deadline: Date | undefined;
  metadata: grpc.Metadata;
  /** The client's address (client-address.ts), for budgets a service keeps itself (failed logins). */
  clientIp: string;
}

export interface GrpcServerDeps {
  tokens: AccessTokens;
  logger: Logger;
  /**
   * The rate limits of a public edge (the all-in-one process), the very ones REST spends,
   * so a client has one budget on both edges. Absent for a service behind the split
   * gateway: the gateway has already spent them for the client it calls for.
   */
  limits?: RateLimits;
  /** Take the client's address from `x-forwarded-for` (a trusted proxy, or the split gateway). */
  trustForwardedFor?: boolean;
  /** Certificates: TLS, and mutual TLS with GRPC_TLS_CA; absent, the listener speaks plain text. */
  tls?: TlsSettings;
  /** Counts and times every call of the services added (health and reflection are not). */
  metrics?: PlatformMetrics;
  /**
   * Records the calls whose method asks for it (`audit` below). Given at a public edge only,
   * as `limits`: behind the split gateway, the gateway's REST route has recorded the call.
   */
  audit?: GrpcAudit;
}

export interface UnaryOptions<Request = unknown> {
  /** A per-address budget spent before the caller is even authenticated, as REST's `ipLimit`. */
  addressLimit?: AddressLimit;
  /**
   * What an API client's token needs to make this call, as a REST route's `config.scope`:
   * a scope, or `sessions-only`. A client token is refused (PERMISSION_DENIED) without it.
   */
  scope?: Scope | 'sessions-only';
  /** What an authenticated call records in the audit log, as a REST route's `config.audit`. */
  audit?: GrpcAuditSpec<Request>;
}

export type UnaryHandler<Request, Response> = (request: Request, context: CallContext) => Promise<Response>;

// Bigger messages are refused by grpc-js before a handler runs (images are the big ones).
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * A gRPC server with what every Mamlaka service shares: the access token from metadata,
 * at a public edge the same rate limits as REST, errors mapped once (errors.ts), deadlines
 * honoured, standard health checking (grpc.health.v1) and server reflection, so
 * grpcurl-style tools work.
 */
export class GrpcServer {
  readonly server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // Nothing serves channelz here (calls are counted by Prometheus, metrics.grpc.ts): its
    // trackers would only cost timestamps and closures on every call.
    'grpc.enable_channelz': 0,
  });
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private readonly services: string[] = [];

  constructor(
    private readonly deps: GrpcServerDeps,
    definitions: PackageDefinition,
  ) {
    this.health.addToServer(this.server);
    addLazyReflection(this.server, definitions);
  }

  /** Adds a service: `name` is its full name (mamlaka.users.v1.UserService) for health checks. */
  add(
    name: string,
    definition: grpc.ServiceDefinition,
    implementation: grpc.UntypedServiceImplementation,
  ): void {
    const { metrics } = this.deps;
    this.server.addService(
      passingEncoded(definition),
      metrics ? observedService(metrics, name, implementation) : implementation,
    );
    this.services.push(name);
  }

  /**
   * Wraps a handler: deadline, the per-address budget, authentication, the per-user budget,
   * error mapping (RESOURCE_EXHAUSTED with RetryInfo once a budget is spent), the audit
   * entry, logging.
   */
  unary<Request, Response>(
    method: string,
    handler: UnaryHandler<Request, Response>,
    options: UnaryOptions<Request> = {},
  ): grpc.handleUnaryCall<Request, Response> {
    const { tokens, logger, limits } = this.deps;
    if (options.audit) GrpcAudit.check(method, options.audit as GrpcAuditSpec<never>);
    const audit =
      options.audit && this.deps.audit ? { spec: options.audit, log: this.deps.audit } : undefined;
    const trustForwarded = this.deps.trustForwardedFor ?? false;
    // Read once: per call, even a disabled debug line costs an object and a clock read.
    const timed = logger.isLevelEnabled('debug');
    // The caller known: its budget, its token's scope, then the handler.
    const serve = async (
      call: grpc.ServerUnaryCall<Request, Response>,
      actor: Actor | undefined,
      deadline: Date | undefined,
      addressOf: () => string,
    ): Promise<Response> => {
      if (limits && actor) await limits.spendUser(actor.userId);
      if (actor) authorizeScope(actor, options.scope);
      return handler(call.request, {
        actor,
        deadline,
        metadata: call.metadata,
        get clientIp() {
          return addressOf();
        },
      });
    };
    const run = async (call: grpc.ServerUnaryCall<Request, Response>): Promise<Response> => {
      const deadline = deadlineOf(call.getDeadline());
      if (deadline && deadline.getTime() <= Date.now())
        throw unavailable('deadline_exceeded', 'the deadline has passed');
      // Only a budget or a handler that asks needs the address: most calls never work it out.
      let clientIp: string | undefined;
      const addressOf = () => (clientIp ??= clientAddressOf(call, trustForwarded));
      if (limits && options.addressLimit) await limits.spendAddress(options.addressLimit, addressOf());
      const actor = await actorFromMetadata(call.metadata, tokens);
      // Unauthenticated calls are not recorded: they touched nothing.
      if (!audit || !actor) return serve(call, actor, deadline, addressOf);
      let statusCode = 200;
      try {
        return await serve(call, actor, deadline, addressOf);
      } catch (error) {
        statusCode = auditStatusOf(error);
        throw error;
      } finally {
        const { request, metadata } = call;
        await audit.log.record(audit.spec, { request, actor, metadata, clientIp: addressOf(), statusCode });
      }
    };
    return (call, callback) => {
      const started = timed ? performance.now() : 0;
      const answer = tracingOn ? traceCall(method, call.metadata, () => run(call)) : run(call);
      answer.then(
        (response) => {
          if (timed) logger.debug({ method, ms: Math.round(performance.now() - started) }, 'rpc');
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
      this.server.bindAsync(`${host}:${port}`, this.credentials(), (error, actual) =>
        error ? reject(error) : resolve(actual),
      ),
    );
    this.health.setStatus('', 'SERVING');
    for (const name of this.services) this.health.setStatus(name, 'SERVING');
    return bound;
  }

  /** Whether the listener speaks TLS (it does whenever this process has a gRPC certificate). */
  get secure(): boolean {
    return this.deps.tls?.grpcCert !== undefined;
  }

  private credentials(): grpc.ServerCredentials {
    return this.deps.tls ? grpcServerCredentials(this.deps.tls) : grpc.ServerCredentials.createInsecure();
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
