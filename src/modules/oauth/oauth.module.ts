import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { AccessTokens } from '../../platform/auth/tokens.js';
import { oauthClientsRoutes } from './oauth.clients-routes.js';
import { oauthProtocolRoutes, type ServerMetadataUrls } from './oauth.protocol-routes.js';
import { OAuthRepository } from './oauth.repository.js';
import { type ClientOwners, OAuthService } from './oauth.service.js';

export interface OAuthModule {
  oauth: OAuthService;
  /**
   * Revokes every API client of a user and their live tokens (account erasure, and
   * anything else that must cut a user's integrations off). Idempotent.
   */
  revokeClientsOf(userId: string): Promise<number>;
  /** /oauth/clients (envelope API), /oauth/token, /oauth/introspect, /oauth/revoke and the RFC 8414 metadata. */
  routes(app: FastifyInstance): void;
}

/** OAuth 2.0 for integrators: API clients and the client-credentials grant. */
export function createOAuthModule(deps: {
  db: Kysely<object>;
  tokens: AccessTokens;
  owners: ClientOwners;
  urls: ServerMetadataUrls;
}): OAuthModule {
  const oauth = new OAuthService(new OAuthRepository(deps.db), deps.tokens, deps.owners);
  return {
    oauth,
    revokeClientsOf: (userId) => oauth.revokeClientsOf(userId),
    routes: (app) => {
      oauthClientsRoutes(app, { oauth });
      oauthProtocolRoutes(app, { oauth, urls: deps.urls });
    },
  };
}
