import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from './audit.log.js';
import { AuditRecorder } from './audit.recorder.js';
import { ACTION_PATTERN, type AuditOrigin } from './audit.rules.js';

/** Whose personal data a route touches: the caller's own, the `:id` of the path, or computed. */
export type AuditSubject = 'actor' | 'param' | ((request: FastifyRequest) => string | undefined);

export interface AuditRouteSpec {
  /** What happened, e.g. `user.profile.read` or `admin.payout.complete`. */
  action: string;
  /** The kind of object the path's `:id` names (`user`, `payout`, `payment`…). */
  target?: string;
  subject?: AuditSubject;
  /**
   * A read the caller repeats often (the own profile): a successful read of the caller's own
   * data is recorded once per session, address, user agent and AUDIT_REPEAT_WINDOW instead
   * of on every request. A read of someone else's data is recorded every time.
   */
  repeatedRead?: true;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Records every authenticated call of the route in the audit log, after the response. */
    audit?: AuditRouteSpec;
  }
}

/** Where the request came from, as an audit entry records it. */
export const auditOriginOf = (request: FastifyRequest): AuditOrigin => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'],
  requestId: request.id,
});

const paramId = (request: FastifyRequest) => (request.params as { id?: string } | undefined)?.id;

function subjectOf(spec: AuditRouteSpec, request: FastifyRequest): string | undefined {
  if (spec.subject === 'actor') return request.actor?.userId;
  if (spec.subject === 'param') return paramId(request);
  return spec.subject?.(request);
}

/**
 * Audits the routes whose `config.audit` asks for it: one line of route config, no code in
 * the handler. The entry is written as the response goes out, with its status, so every
 * answer a client saw has its entry (a `repeatedRead` repeated within the window aside); a
 * failure to write is logged at error (never swallowed) without failing an answer already
 * decided. Unauthenticated calls are not recorded: they touched nothing.
 */
export function installAudit(app: FastifyInstance, log: AuditLog, options: { repeatWindowMs: number }): void {
  const recorder = new AuditRecorder(log, options);
  const hook = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const spec = request.routeOptions.config.audit;
    if (!spec || !request.actor) return payload;
    const id = paramId(request);
    await recorder.record(
      {
        action: spec.action,
        actor: request.actor,
        target: spec.target && id ? { kind: spec.target, id } : undefined,
        subjectUserId: subjectOf(spec, request),
        origin: auditOriginOf(request),
        statusCode: reply.statusCode,
        named: id,
        repeatedRead: spec.repeatedRead,
      },
      request.log,
    );
    return payload;
  };
  app.addHook('onRoute', (route) => {
    const spec = (route.config as FastifyContextConfig | undefined)?.audit;
    if (!spec) return;
    // A typo in an action would otherwise surface only as a failed write at run time.
    if (!ACTION_PATTERN.test(spec.action)) throw new Error(`invalid audit action ${spec.action}`);
    const existing = route.onSend ? [route.onSend].flat() : [];
    route.onSend = [...existing, hook] as typeof route.onSend;
  });
}
