import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createPlatform } from './app.js';
import { seedDemo } from './cli/seed/demo.js';
import type { Config } from './config.js';
import { startControlServer } from './platform/control/control.server.js';
import { migrate } from './platform/db/migrations.js';
import { openDatabase } from './platform/db/open.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the all-in-one server: database (opened and migrated), every module, the HTTP
 * gateway and, on the embedded database, the control socket the CLI uses meanwhile.
 */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = await openDatabase(config, logger);
  let control: Server | undefined;
  try {
    const applied = await migrate(database);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    const platform = await createPlatform(config, logger, database);
    // The control socket opens first: once the API answers, CLI commands reach this server too.
    if (database.kind === 'pglite') {
      control = await startControlServer(
        config.dataDir,
        {
          migrate: async () => ({ applied: await migrate(database) }),
          'create-admin': (input) =>
            platform.users.users.createAdmin(input as { name: string; email: string; password: string }),
          'seed-demo': () => seedDemo(platform, config.mode),
          'ledger-check': () => platform.reconcile(),
        },
        logger,
      );
    }
    await platform.app.listen({ port: config.port, host: config.host });
    const address = platform.app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info(
      `Mamlaka (${config.mode}) listening on http://${config.host}:${port}, API reference at /docs`,
    );
    return {
      url: `http://127.0.0.1:${port}`,
      async stop() {
        await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
        await platform.close();
        await database.close();
      },
    };
  } catch (error) {
    control?.close();
    await database.close();
    throw error;
  }
}

/** SIGTERM/SIGINT: stop taking requests, finish the ones in flight, close the database, exit. */
export function stopOnSignals(server: RunningServer, logger: Logger): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than 30 s; exiting');
      process.exit(1);
    }, 30_000);
    timer.unref();
    try {
      await server.stop();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
