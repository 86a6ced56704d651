import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { OidcSettings } from '../../../config.js';
import type { KeyRing } from '../../../platform/crypto/keyring.js';
import type { Outbox } from '../../../platform/events/outbox.js';
import { RecoveryRepository } from '../users.recovery-repository.js';
import { UsersRepository } from '../users.repository.js';
import type { SessionsService } from '../users.sessions.js';
import type { ProfileChanges } from '../users.profile-cache.js';
import { RelyingParty } from './oidc.client.js';
import { OidcRepository } from './oidc.repository.js';
import { OIDC_CALLBACK_PATH, oidcRoutes } from './oidc.routes.js';
import { OidcService } from './oidc.service.js';

export interface OidcModule {
  oidc: OidcService;
  routes(app: FastifyInstance): void;
}

/**
 * Sign in with OpenID Connect. Always over the in-process users module, in the split gateway
 * too (as the admin routes are): the gateway has the database and the signing key, and a
 * gRPC method that took an identity on the caller's word would let any client of the users
 * service sign in as anyone.
 */
export function createOidcModule(deps: {
  db: Kysely<object>;
  keyring: KeyRing;
  settings: OidcSettings;
  publicUrl: string;
  sessions: Pick<SessionsService, 'startVerified'>;
  outbox?: Outbox;
  timeoutMs?: number;
  profiles?: ProfileChanges;
}): OidcModule {
  const { issuer, clientId, clientSecret, allowHttp, providerName } = deps.settings;
  const relyingParty =
    issuer && clientId
      ? new RelyingParty({
          issuer,
          clientId,
          clientSecret,
          allowHttp,
          redirectUri: deps.publicUrl + OIDC_CALLBACK_PATH,
          timeoutMs: deps.timeoutMs ?? 10_000,
        })
      : undefined;
  const oidc = new OidcService({
    relyingParty,
    providerName,
    users: UsersRepository.of(deps.db, deps.keyring),
    oidc: OidcRepository.of(deps.db, deps.keyring),
    sessions: deps.sessions,
    outbox: deps.outbox,
    // The provider vouched for the address: the account's e-mail counts as verified.
    markEmailVerified: (trx, userId) => RecoveryRepository.of(trx).setEmailVerified(userId, true),
    profiles: deps.profiles,
  });
  return { oidc, routes: (app) => oidcRoutes(app, { oidc, publicUrl: deps.publicUrl }) };
}
