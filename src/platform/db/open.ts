import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Database } from './database.js';
import { openEmbeddedDatabase } from './embedded.js';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite under DATA_DIR. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl)
    return (await import('./postgres-database.js')).postgresDatabase(config.databaseUrl, {
      maxConnections: config.databasePoolSize,
      backgroundConnections: config.databaseBackgroundPoolSize,
      statementCache: config.databaseStatementCache,
      onIdleError: (error) =>
        logger.warn({ err: error }, 'an idle database connection failed; it will be replaced'),
    });
  return openEmbeddedDatabase(config.dataDir, logger);
}
