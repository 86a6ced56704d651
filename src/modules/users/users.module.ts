import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { databaseOutbox, type Outbox } from '../../platform/events/outbox.js';
import type { AccessTokens } from '../../platform/auth/tokens.js';
import type { Config } from '../../config.js';
import type { KeyRing } from '../../platform/crypto/keyring.js';
import { RateLimits } from '../../platform/http/rate-limits.js';
import type { GrpcServer } from '../../platform/grpc/server.js';
import type { InvalidationBus } from '../../platform/cache/invalidation-bus.js';
import type { SessionsApi, UsersApi } from './users.api.js';
import { PasswordAttempts } from './users.attempts.js';
import { usersAdminRoutes } from './users.admin-routes.js';
import { usersGrpc } from './users.grpc.js';
import { UsersRepository } from './users.repository.js';
import { UserContacts } from './users.contacts.js';
import { usersRoutes } from './users.routes.js';
import { UsersService } from './users.service.js';
import { SessionsService } from './users.sessions.js';
import { UserPrivacy } from './users.privacy.js';
import { MfaService } from './users.mfa.js';
import { usersMfaRoutes } from './users.mfa-routes.js';
import { RecoveryRepository } from './users.recovery-repository.js';
import { type RecoverySettings, RecoveryService } from './users.recovery.js';
import { usersRecoveryRoutes } from './users.recovery-routes.js';
import { ProfileCache, withCachedProfiles } from './users.profile-cache.js';

export interface UsersModule {
  users: UsersService;
  /** The users' addresses for mail, read on the background pool. */
  contacts: UserContacts;
  sessions: SessionsService;
  /** Confirmation, sessions and erasure, for the privacy module. */
  privacy: UserPrivacy;
  /** The profiles every instance caches; told of each change made outside this module's services (OIDC). */
  profiles: ProfileCache;
  /**
   * The REST routes, over the in-process services or, in the split gateway, over `remote`;
   * the admin routes always over the in-process service (see users.admin-routes.ts).
   */
  routes(app: FastifyInstance, remote?: UsersApi & SessionsApi): void;
  /** Serves mamlaka.users.v1.UserService on the gRPC server. */
  grpc(server: GrpcServer): void;
  /** Deletes one-time tokens (verification, reset) that expired before `cutoff`; for the retention job. */
  deleteExpiredTokens(cutoff: Date): Promise<number>;
}

/** Wires the users module: its repository, its two services and its REST adapter. */
export function createUsersModule(deps: {
  db: Kysely<object>;
  /** Where the work behind requests reads (Database.background): the addresses for mail. */
  background?: Kysely<object>;
  /** Encrypts the users' personal data at rest. */
  keyring: KeyRing;
  tokens: AccessTokens;
  limits: RateLimits;
  refreshTokenTtlMs: number;
  refreshTokenReuseGraceMs: number;
  outbox?: Outbox;
  /** E-mail verification, password reset and two-factor sign-in. */
  recovery: RecoverySettings & { requireAdminMfa: boolean; issuer: string };
  /** Where every instance hears that a profile changed (the catalog's caches' bus). */
  bus: InvalidationBus;
  /** How long a profile may be kept if an invalidation is lost; 0 keeps none. */
  profileCacheTtlMs: number;
}): UsersModule {
  const repo = UsersRepository.of(deps.db, deps.keyring);
  const profiles = new ProfileCache(deps.bus, deps.profileCacheTtlMs);
  const attempts = new PasswordAttempts(deps.limits);
  const recoveryRepo = RecoveryRepository.of(deps.db);
  const mfa = new MfaService(repo, recoveryRepo, deps.keyring, attempts, deps.recovery);
  const sessions = new SessionsService(
    repo,
    deps.tokens,
    attempts,
    deps.refreshTokenTtlMs,
    deps.refreshTokenReuseGraceMs,
    mfa,
    profiles,
  );
  const outbox = deps.outbox ?? databaseOutbox;
  const recovery = new RecoveryService(
    repo,
    recoveryRepo,
    deps.keyring,
    outbox,
    deps.limits,
    sessions,
    deps.recovery,
    undefined,
    profiles,
  );
  const users = new UsersService(repo, attempts, deps.outbox, sessions, recovery, profiles);
  return {
    users,
    contacts: UserContacts.on(deps.background ?? deps.db, deps.keyring),
    sessions,
    privacy: new UserPrivacy(repo, attempts, sessions, profiles),
    profiles,
    routes: (app, remote) => {
      // REST logins stay in process on the split gateway too: gRPC's LoginUser refuses an
      // account with TOTP on, whose second step (POST /auth/login/mfa) is served here.
      const sessionsApi = remote
        ? {
            beginLogin: sessions.beginLogin.bind(sessions),
            login: remote.login.bind(remote),
            refresh: remote.refresh.bind(remote),
            logout: remote.logout.bind(remote),
          }
        : sessions;
      const usersApi = remote ? withCachedProfiles(remote, profiles) : users;
      usersRoutes(app, { users: usersApi, sessions: sessionsApi, tokens: deps.tokens });
      usersAdminRoutes(app, { users });
      usersRecoveryRoutes(app, { recovery, sessions });
      usersMfaRoutes(app, { mfa });
    },
    grpc: (server) => usersGrpc(server, { users, sessions }),
    deleteExpiredTokens: (cutoff) => recoveryRepo.deleteStaleTokens(Date.now() - cutoff.getTime()),
  };
}

/** Just the accounts service, for callers that need no sessions (the CLI, with its own in-memory limits). */
export const usersServiceFor = (
  db: Kysely<object>,
  limits: Config['rateLimits'],
  keyring: KeyRing,
): UsersService =>
  new UsersService(
    UsersRepository.of(db, keyring),
    new PasswordAttempts(new RateLimits(limits)),
    databaseOutbox,
  );
