import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, authorize, authorizeScope, type Role } from '../auth/policy.js';
import type { Scope } from '../auth/scopes.js';
import type { AccessTokens } from '../auth/tokens.js';
import { forbidden, unauthenticated } from '../errors.js';
import type { LimitName, LimitState, RateLimits } from './rate-limits.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
  interface FastifyContextConfig {
    /** `required`: a valid bearer token or 401; `optional`: used when present. */
    auth?: 'required' | 'optional';
    roles?: readonly Role[];
    /**
     * What an API client's token needs here: a scope, or `sessions-only` where only a
     * signed-in person may act. Every route with `auth` says one; a client token is refused
     * (403 insufficient_scope) on a route that names neither.
     */
    scope?: Scope | 'sessions-only';
    /** Open to a session that may only enrol TOTP (see Actor.mfaEnrolmentOnly); every other route refuses it. */
    mfaEnrolment?: boolean;
    /** A per-IP budget counted before the body is even read. */
    ipLimit?: Extract<LimitName, 'loginPerIp' | 'registerPerIp' | 'midtransPerIp'>;
  }
}

function setRateLimitHeaders(reply: FastifyReply, state: LimitState) {
  reply.header('ratelimit-limit', state.limit);
  reply.header('ratelimit-remaining', state.remaining);
  reply.header('ratelimit-reset', state.resetSeconds);
  reply.header('ratelimit-policy', `${state.limit};w=${state.windowSeconds}`);
}

const mfaEnrollmentRequired = () =>
  forbidden('mfa_enrollment_required', 'set up two-factor sign-in first (POST /users/me/mfa/totp)');

const bearer = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match) throw unauthenticated('invalid_token', 'the Authorization header must be "Bearer <token>"');
  return match[1];
};

/** An authenticated route and what it says about API clients, for the test that none forgets. */
export interface AuthenticatedRoute {
  method: string;
  url: string;
  scope: Scope | 'sessions-only' | undefined;
}

const authenticatedRoutes = new WeakMap<FastifyInstance, AuthenticatedRoute[]>();

/** Every route registered with `auth` on `app` (as installAuthentication saw them). */
export const authenticatedRoutesOf = (app: FastifyInstance): readonly AuthenticatedRoute[] =>
  authenticatedRoutes.get(app) ?? [];

/** RFC 6750 §3.1: a client token without the scope learns which one it needs. */
function checkScope(reply: FastifyReply, actor: Actor, scope: Scope | 'sessions-only' | undefined): void {
  try {
    authorizeScope(actor, scope);
  } catch (error) {
    const needed = scope && scope !== 'sessions-only' ? `, scope="${scope}"` : '';
    reply.header('www-authenticate', `Bearer error="insufficient_scope"${needed}`);
    throw error;
  }
}

/**
 * Runs before the body is parsed, on the routes whose `config` asks for it: per-IP budgets, bearer authentication,
 * the per-user budget and the route's role check, driven by the route's `config`.
 */
export function installAuthentication(app: FastifyInstance, tokens: AccessTokens, limits: RateLimits): void {
  app.decorateRequest('actor', undefined);
  const hook = async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config;
    if (config.ipLimit) setRateLimitHeaders(reply, await limits.spendAddress(config.ipLimit, request.ip));
    if (!config.auth) return;
    const token = bearer(request.headers.authorization);
    if (token === undefined) {
      if (config.auth === 'required') authorize(undefined);
      return;
    }
    request.actor = { ...(await tokens.verify(token)), credential: token };
    setRateLimitHeaders(reply, await limits.spendUser(request.actor.userId));
    checkScope(reply, request.actor, config.scope);
    if (request.actor.mfaEnrolmentOnly && !config.mfaEnrolment) throw mfaEnrollmentRequired();
    if (config.roles) authorize(request.actor, { roles: config.roles });
  };
  const registered: AuthenticatedRoute[] = [];
  authenticatedRoutes.set(app, registered);
  // Attached only to the routes that ask for it, so public routes pay nothing.
  app.addHook('onRoute', (route) => {
    const config = route.config as FastifyContextConfig | undefined;
    if (config?.auth) {
      for (const method of [route.method].flat())
        registered.push({ method: String(method), url: route.url, scope: config.scope });
    }
    if (!config?.auth && !config?.ipLimit) return;
    const existing = route.onRequest ? [route.onRequest].flat() : [];
    route.onRequest = [...existing, hook] as typeof route.onRequest;
  });
}
