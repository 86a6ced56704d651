import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { callControl } from '../platform/control/control.client.js';
import type { Database } from '../platform/db/database.js';
import { openDatabase } from '../platform/db/open.js';

/**
 * Runs a CLI command that needs the database. With PostgreSQL it connects directly. With
 * the embedded database it asks the running server (through its control socket) when one
 * holds the database, and opens it itself only when none does, so it never fights the
 * server for the data directory.
 */
export async function withDatabase<T>(
  config: Config,
  logger: Logger,
  command: { control: string; input?: Record<string, unknown>; direct: (database: Database) => Promise<T> },
): Promise<{ via: 'server' | 'direct'; result: T | unknown }> {
  if (!config.databaseUrl) {
    const remote = await callControl(config.dataDir, command.control, command.input);
    if (remote.reached) return { via: 'server', result: remote.result };
  }
  const database = await openDatabase(config, logger);
  try {
    return { via: 'direct', result: await command.direct(database) };
  } finally {
    await database.close();
  }
}
