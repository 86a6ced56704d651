import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Actor } from '../auth/policy.js';
import type { AuditLog } from '../audit/audit.log.js';
import { AuditRecorder } from '../audit/audit.recorder.js';
import { ACTION_PATTERN } from '../audit/audit.rules.js';
import { isAppError } from '../errors.js';
import { HTTP_STATUS } from '../http/error-handler.js';

/**
 * What a gRPC method records in the audit log, as a REST route's `config.audit` does
 * (audit.hook.ts): the same action names, so a read is one kind of entry whichever edge
 * served it.
 */
export interface GrpcAuditSpec<Request> {
  action: string;
  /** The object the request names (`user`, `payment`…) and where its id is. */
  target?: { kind: string; id: (request: Request) => string | undefined };
  /** Whose personal data the call touches: the caller's own, or an id in the request. */
  subject?: 'actor' | ((request: Request) => string | undefined);
  /** As REST's: a successful read of the caller's own data, once per session, place and window. */
  repeatedRead?: true;
}

/** One answered call, as its audit entry sees it. */
export interface AuditedCall<Request> {
  request: Request;
  actor: Actor;
  metadata: grpc.Metadata;
  clientIp: string;
  /** The HTTP status REST gives the same outcome: the entry's status column is HTTP's. */
  statusCode: number;
}

/** The HTTP status of a call's outcome: 200, or what REST answers for the same error. */
export const auditStatusOf = (error: unknown): number => (isAppError(error) ? HTTP_STATUS[error.kind] : 500);

const firstText = (metadata: grpc.Metadata, key: string) => {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Writes the entries of audited gRPC calls (audit.recorder.ts, as REST's). Only a public edge
 * records them (the all-in-one process): behind the split gateway, the gateway's REST route
 * has recorded the call already. The answer waits for the write, as a REST answer does, so
 * every answer a client saw has its entry.
 */
export class GrpcAudit {
  private readonly recorder: AuditRecorder;

  constructor(
    log: AuditLog,
    private readonly logger: Logger,
    options: { repeatWindowMs: number },
  ) {
    this.recorder = new AuditRecorder(log, options);
  }

  /** Refuses an action name the log would refuse, when the method is added rather than called. */
  static check(method: string, spec: GrpcAuditSpec<never>): void {
    if (!ACTION_PATTERN.test(spec.action))
      throw new Error(`invalid audit action ${spec.action} on ${method}`);
  }

  record<Request>(spec: GrpcAuditSpec<Request>, call: AuditedCall<Request>): Promise<void> {
    const { request, actor, statusCode } = call;
    const targetId = spec.target?.id(request);
    return this.recorder.record(
      {
        action: spec.action,
        actor,
        target: spec.target && targetId ? { kind: spec.target.kind, id: targetId } : undefined,
        subjectUserId: spec.subject === 'actor' ? actor.userId : spec.subject?.(request),
        origin: {
          ip: call.clientIp,
          userAgent: firstText(call.metadata, 'user-agent'),
          requestId: firstText(call.metadata, 'x-request-id'),
        },
        statusCode,
        named: targetId,
        repeatedRead: spec.repeatedRead,
      },
      this.logger,
    );
  }
}
