import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { databaseOutbox, type Outbox } from '../../platform/events/outbox.js';
import type { AccessTokens } from '../../platform/auth/tokens.js';
import type { Config } from '../../config.js';
import { RateLimits } from '../../platform/http/rate-limits.js';
import type { GrpcServer } from '../../platform/grpc/server.js';
import type { SessionsApi, UsersApi } from './users.api.js';
import { PasswordAttempts } from './users.attempts.js';
import { usersAdminRoutes } from './users.admin-routes.js';
import { usersGrpc } from './users.grpc.js';
import { UsersRepository } from './users.repository.js';
import { usersRoutes } from './users.routes.js';
import { UsersService } from './users.service.js';
import { SessionsService } from './users.sessions.js';

export interface UsersModule {
  users: UsersService;
  sessions: SessionsService;
  /**
   * The REST routes, over the in-process services or, in the split gateway, over `remote`;
   * the admin routes always over the in-process service (see users.admin-routes.ts).
   */
  routes(app: FastifyInstance, remote?: UsersApi & SessionsApi): void;
  /** Serves mamlaka.users.v1.UserService on the gRPC server. */
  grpc(server: GrpcServer): void;
}

/** Wires the users module: its repository, its two services and its REST adapter. */
export function createUsersModule(deps: {
  db: Kysely<object>;
  tokens: AccessTokens;
  limits: RateLimits;
  refreshTokenTtlMs: number;
  refreshTokenReuseGraceMs: number;
  outbox?: Outbox;
}): UsersModule {
  const repo = UsersRepository.of(deps.db);
  const attempts = new PasswordAttempts(deps.limits);
  const sessions = new SessionsService(
    repo,
    deps.tokens,
    attempts,
    deps.refreshTokenTtlMs,
    deps.refreshTokenReuseGraceMs,
  );
  const users = new UsersService(repo, attempts, deps.outbox, sessions);
  return {
    users,
    sessions,
    routes: (app, remote) => {
      usersRoutes(app, { users: remote ?? users, sessions: remote ?? sessions, tokens: deps.tokens });
      usersAdminRoutes(app, { users });
    },
    grpc: (server) => usersGrpc(server, { users, sessions }),
  };
}

/** Just the accounts service, for callers that need no sessions (the CLI, with its own in-memory limits). */
export const usersServiceFor = (db: Kysely<object>, limits: Config['rateLimits']): UsersService =>
  new UsersService(UsersRepository.of(db), new PasswordAttempts(new RateLimits(limits)), databaseOutbox);
