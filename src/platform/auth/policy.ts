import { forbidden, notFound, unauthenticated } from '../errors.js';

export type Role = 'buyer' | 'seller' | 'admin';

/** Who is calling: the authenticated user behind a request or RPC. */
export interface Actor {
  userId: string;
  role: Role;
  /** The session (refresh-token family) its access token belongs to: what logout revokes. */
  sessionId?: string;
  /** The access token it was proven with, which the gateway forwards to split-out services. */
  credential?: string;
}

export interface Rule {
  /** Roles allowed to use the route or action at all. */
  roles?: readonly Role[];
  /**
   * The object being touched. Only its owner (or an admin) may see it; anyone else is told
   * it does not exist, so ids cannot be probed for existence.
   */
  object?: { kind: string; ownerIds: readonly string[] };
}

/**
 * The one authorization check, used at the route (roles) and again on every object
 * (ownership). Returns the actor so callers can write `const me = authorize(actor, …)`.
 */
export function authorize(actor: Actor | undefined, rule: Rule = {}): Actor {
  if (!actor) throw unauthenticated('authentication_required', 'a valid access token is required');
  if (rule.roles && !rule.roles.includes(actor.role)) {
    throw forbidden('role_not_allowed', `this action is not available to a ${actor.role}`);
  }
  if (rule.object && actor.role !== 'admin' && !rule.object.ownerIds.includes(actor.userId)) {
    throw notFound(rule.object.kind);
  }
  return actor;
}
