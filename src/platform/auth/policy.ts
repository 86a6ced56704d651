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
  /**
   * What an API client's token may do (OAuth 2.0 client credentials). Absent: a user's own
   * session, which may do everything its role allows.
   */
  scopes?: readonly string[];
  /** The API client the token was issued to; absent for a user's own session. */
  clientId?: string;
  /**
   * The session may only enrol a TOTP authenticator (an admin without one where admins
   * must have one): every other route answers `mfa_enrollment_required`.
   */
  mfaEnrolmentOnly?: boolean;
}

/**
 * Where a route or RPC stands for API clients: the scope a client token must hold, or
 * `sessions-only` for what only a signed-in person may do (sessions, passwords, API
 * clients themselves), which every client token is refused.
 */
export type ScopeRule = string | 'sessions-only';

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
 * The API-client half of authorization: a user's own session passes; a client token passes
 * only a route that names a scope the token holds.
 * @throws AppError `insufficient_scope` (403)
 */
export function authorizeScope(actor: Actor, rule: ScopeRule | undefined): Actor {
  if (!actor.scopes) return actor;
  if (rule === undefined || rule === 'sessions-only') {
    throw forbidden('insufficient_scope', 'this action is only for signed-in users, not API clients');
  }
  if (!actor.scopes.includes(rule)) {
    throw forbidden('insufficient_scope', `this action needs the scope ${rule}`);
  }
  return actor;
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
