import type { FastifyContextConfig, FastifySchema } from 'fastify';
import { SCOPES } from '../auth/scopes.js';

/**
 * The two ways to call the API as the OpenAPI document describes them: a user's session
 * token, or an API client's token from the client-credentials grant (RFC 6749 §4.4).
 */
export function securitySchemes(publicUrl: string) {
  return {
    bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    clientBasic: {
      type: 'http',
      scheme: 'basic',
      description: 'an API client at the OAuth endpoints: client_id and client_secret, each form-urlencoded',
    },
    oauth2: {
      type: 'oauth2',
      description: 'API clients (POST /oauth/clients) get tokens limited to their scopes',
      flows: {
        clientCredentials: {
          tokenUrl: `${publicUrl.replace(/\/+$/, '')}/oauth/token`,
          scopes: { ...SCOPES },
        },
      },
    },
  } as const;
}

/**
 * An operation's `security`, from its route's `config`: a session token always; an API
 * client's token with the scope the route names. A sessions-only route is marked
 * `x-sessions-only`, and an optional-auth route also allows no token at all.
 */
export function withSecurity(schema: FastifySchema, config: FastifyContextConfig | undefined): FastifySchema {
  if (!config?.auth) return schema;
  const scope = config.scope && config.scope !== 'sessions-only' ? config.scope : undefined;
  const security: Record<string, string[]>[] = [
    { bearerAuth: [] },
    ...(scope ? [{ oauth2: [scope] }] : []),
    ...(config.auth === 'optional' ? [{}] : []),
  ];
  return {
    ...schema,
    security,
    ...(scope ? { 'x-scope': scope } : {}),
    ...(config.scope === 'sessions-only' ? { 'x-sessions-only': true } : {}),
  } as FastifySchema;
}
