import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createUsersModule, type UsersModule } from './modules/users/users.module.js';
import { loadSigningKeyPem } from './platform/auth/signing-key.js';
import { AccessTokens } from './platform/auth/tokens.js';
import type { Database } from './platform/db/database.js';
import { pendingMigrations, readMigrations } from './platform/db/migrations.js';
import { healthRoutes } from './platform/http/health.routes.js';
import { RateLimits } from './platform/http/rate-limits.js';
import { createHttpApp, type HttpApp } from './platform/http/server.js';

export interface Platform {
  app: HttpApp;
  database: Database;
  users: UsersModule;
  /** Stops accepting requests, lets in-flight ones finish, then closes Redis. The database is the caller's. */
  close(): Promise<void>;
}

/**
 * Composition root shared by the server, the CLI and the tests: every module wired to
 * the database and the gateway, nothing listening yet.
 */
export async function createPlatform(config: Config, logger: Logger, database: Database): Promise<Platform> {
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
    : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis error'));
  const tokens = await AccessTokens.create(loadSigningKeyPem(config.auth.signingKeyPem, config.dataDir), {
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    ttlMs: config.auth.accessTokenTtlMs,
  });
  const limits = new RateLimits(config.rateLimits, redis);
  const users = createUsersModule({
    db: database.db,
    tokens,
    limits,
    refreshTokenTtlMs: config.auth.refreshTokenTtlMs,
  });

  const app = await createHttpApp({ config, logger, tokens, limits });
  const migrations = readMigrations();
  healthRoutes(app, { pendingMigrations: () => pendingMigrations(database, migrations) });
  users.routes(app);
  await app.ready();

  return {
    app,
    database,
    users,
    async close() {
      await app.close();
      redis?.disconnect();
    },
  };
}
