import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createPlatform, type Platform } from './app.js';
import { createMidtransSandbox } from './modules/midtrans/sandbox/sandbox.server.js';
import { seedDemo } from './cli/seed/demo.js';
import { type Config, ConfigError } from './config.js';
import { planFor, type Role } from './roles.js';
import { startControlServer } from './platform/control/control.server.js';
import { migrate } from './platform/db/migrations.js';
import { secureDataDir } from './platform/fs/data-dir.js';
import { openDatabase } from './platform/db/open.js';
import { listenOn, probePort } from './platform/ports.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the all-in-one server (or one role of the split deployment): database (opened and
 * migrated), the modules, the HTTP gateway, the gRPC services and, on the embedded
 * database, the control socket the CLI uses meanwhile.
 */
export async function startServer(
  configured: Config,
  logger: Logger,
  role: Role = 'all',
): Promise<RunningServer> {
  if (role !== 'all' && !configured.databaseUrl) {
    // Several processes cannot share the embedded database.
    throw new ConfigError('DATABASE_URL', `is required by the split deployment (mamlaka serve ${role})`);
  }
  secureDataDir(configured.dataDir, configured.mode, logger);
  const { config, sandbox } =
    role === 'all' ? await withLocalMidtrans(configured, logger) : { config: configured, sandbox: undefined };
  const database = await openDatabase(config, logger);
  let control: Server | undefined;
  let created: Platform | undefined;
  try {
    const applied = await migrate(database);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    const platform = await createPlatform(config, logger, database, role);
    created = platform;
    // The control socket opens first: once the API answers, CLI commands reach this server too.
    if (database.kind === 'pglite') {
      control = await startControlServer(
        config.dataDir,
        {
          migrate: async () => ({ applied: await migrate(database) }),
          'create-admin': (input) =>
            platform.users.users.createAdmin(input as { name: string; email: string; password: string }),
          'seed-demo': () => seedDemo(platform, config.mode),
          'ledger-check': (input) =>
            platform.reconcile({
              maxViolations: input.maxViolations as number | undefined,
              gateway: input.gateway !== false,
            }),
        },
        logger,
      );
    }
    // A port already taken is an operator's mistake: one line naming the setting, no stack.
    await listenOn('PORT', config.port, () => platform.app.listen({ port: config.port, host: config.host }));
    const address = platform.app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const grpcPort =
      planFor(role).grpc.length > 0
        ? await listenOn('GRPC_PORT', config.grpcPort, async () => {
            await probePort(config.grpcHost, config.grpcPort);
            return platform.grpc.listen(config.grpcHost, config.grpcPort);
          })
        : undefined;
    logger.info(
      `Mamlaka ${role === 'all' ? '' : `${role} `}(${config.mode}) listening on http://${config.host}:${port}` +
        (planFor(role).rest ? ' (API reference at /docs)' : ' (health only)') +
        (grpcPort === undefined ? '' : `, gRPC on ${config.grpcHost}:${grpcPort}`),
    );
    return {
      url: `http://127.0.0.1:${port}`,
      async stop() {
        await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
        await platform.close();
        await database.close();
        await sandbox?.close();
      },
    };
  } catch (error) {
    control?.close();
    // The HTTP server may already listen when gRPC cannot: it stops before the database closes.
    await created?.close().catch(() => {});
    await database.close();
    await sandbox?.close();
    throw error;
  }
}

/**
 * In sandbox mode with no Midtrans configured, the all-in-one server runs the local
 * Midtrans sandbox beside itself, so a new user can try the whole card flow offline.
 */
async function withLocalMidtrans(config: Config, logger: Logger) {
  if (config.mode !== 'sandbox' || config.midtrans.snapUrl || config.midtrans.apiUrl) return { config };
  const serverKey = config.midtrans.serverKey ?? `SB-Mid-server-local-${randomBytes(12).toString('hex')}`;
  const sandbox = createMidtransSandbox({
    serverKey,
    notificationUrl: `http://127.0.0.1:${config.port}/payments/midtrans/webhook`,
    logger,
  });
  const url = await sandbox.listen(0, '127.0.0.1');
  logger.info(`local Midtrans sandbox at ${url} (payment_method "midtrans" pays there)`);
  return {
    config: { ...config, midtrans: { ...config.midtrans, serverKey, snapUrl: url, apiUrl: url } },
    sandbox,
  };
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
