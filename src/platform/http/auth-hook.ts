import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, authorize, type Role } from '../auth/policy.js';
import type { AccessTokens } from '../auth/tokens.js';
import { unauthenticated } from '../errors.js';
import type { LimitName, LimitState, RateLimits } from './rate-limits.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
  interface FastifyContextConfig {
    /** `required`: a valid bearer token or 401; `optional`: used when present. */
    auth?: 'required' | 'optional';
    roles?: readonly Role[];
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

const bearer = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match) throw unauthenticated('invalid_token', 'the Authorization header must be "Bearer <token>"');
  return match[1];
};

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
    if (config.roles) authorize(request.actor, { roles: config.roles });
  };
  // Attached only to the routes that ask for it, so public routes pay nothing.
  app.addHook('onRoute', (route) => {
    const config = route.config as FastifyContextConfig | undefined;
    if (!config?.auth && !config?.ipLimit) return;
    const existing = route.onRequest ? [route.onRequest].flat() : [];
    route.onRequest = [...existing, hook] as typeof route.onRequest;
  });
}
