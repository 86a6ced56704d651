import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { createPlatform, type Platform } from './app.js';
import { type LocalMidtrans, localMidtrans } from './modules/midtrans/sandbox/sandbox.local.js';
import { seedDemo } from './cli/seed/demo.js';
import { rotateWith, statusWith } from './cli/keys.js';
import { type Config, ConfigError } from './config.js';
import { planFor, type Role } from './roles.js';
import { startControlServer } from './platform/control/control.server.js';
import { migrate } from './platform/db/migrations.js';
import { secureDataDir } from './platform/fs/data-dir.js';
import { openDatabase } from './platform/db/open.js';
import { listenOn, probePort } from './platform/ports.js';
import { type MetricsListener, startMetricsListener } from './platform/metrics/metrics.server.js';

/** How long after it listens the server starts its background jobs. */
const JOBS_START_DELAY_MS = 1_000;

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
  config: Config,
  logger: Logger,
  role: Role = 'all',
): Promise<RunningServer> {
  if (role !== 'all' && !config.databaseUrl) {
    // Several processes cannot share the embedded database.
    throw new ConfigError('DATABASE_URL', `is required by the split deployment (mamlaka serve ${role})`);
  }
  secureDataDir(config.dataDir, config.mode, logger);
  const database = await openDatabase(config, logger);
  let sandbox: LocalMidtrans | undefined;
  let control: Server | undefined;
  let created: Platform | undefined;
  let metrics: MetricsListener | undefined;
  try {
    // After the database: the embedded one's lock keeps a second server off this DATA_DIR,
    // and so off the sandbox's state in it.
    sandbox = role === 'all' ? withLocalMidtrans(config, logger) : undefined;
    const applied = await migrate(database);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    const platform = await createPlatform(config, logger, database, role, {
      localMidtrans: sandbox,
      deferJobs: true,
    });
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
          // The server's own ring: it encrypts with the new key from this moment on.
          'keys-rotate': rotateWith(config, database, platform.keyring),
          'keys-status': statusWith(config, database, platform.keyring),
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
    const scheme = config.tls.cert ? 'https' : 'http';
    if (sandbox) {
      // Its own address is known now (PORT may be 0): from here on the server can call it.
      const payLinks = sandbox.connect(address);
      logger.info(`local Midtrans sandbox at ${payLinks} (payment_method "midtrans" pays there)`);
    }
    const grpcPort =
      planFor(role).grpc.length > 0
        ? await listenOn('GRPC_PORT', config.grpcPort, async () => {
            await probePort(config.grpcHost, config.grpcPort);
            return platform.grpc.listen(config.grpcHost, config.grpcPort);
          })
        : undefined;
    // Last: a process that failed to start is never scraped as if it served.
    metrics = await startMetricsListener(config.metrics, platform.metrics, logger);
    // Serving first: on the embedded database the jobs' first rounds run on the thread that
    // answers, one query after another without letting a request in (about 80 ms of a
    // restart), so they start once the server has had a moment to answer.
    const jobsTimer = setTimeout(() => platform.startJobs(), JOBS_START_DELAY_MS);
    jobsTimer.unref();
    logger.info(
      `Mamlaka ${role === 'all' ? '' : `${role} `}(${config.mode}) listening on ${scheme}://${config.host}:${port}` +
        (planFor(role).rest ? ' (API reference at /docs)' : ' (health only)') +
        (grpcPort === undefined
          ? ''
          : `, gRPC${platform.grpc.secure ? ` (${config.tls.grpcCa ? 'mutual ' : ''}TLS)` : ''} on ${config.grpcHost}:${grpcPort}`),
    );
    return {
      url: `${scheme}://127.0.0.1:${port}`,
      async stop() {
        clearTimeout(jobsTimer);
        await new Promise<void>((resolve) => (control ? control.close(() => resolve()) : resolve()));
        await metrics?.close();
        await platform.close();
        await database.close();
        await sandbox?.close();
      },
    };
  } catch (error) {
    control?.close();
    await metrics?.close();
    // The HTTP server may already listen when gRPC cannot: it stops before the database closes.
    await created?.close().catch(() => {});
    await database.close();
    await sandbox?.close();
    throw error;
  }
}

/**
 * In sandbox mode with no Midtrans configured, the all-in-one server serves the bundled
 * Midtrans sandbox itself (under /midtrans-sandbox), its transactions kept in DATA_DIR, so
 * a new user can try the whole card flow offline and a pay link outlives a restart.
 */
function withLocalMidtrans(config: Config, logger: Logger): LocalMidtrans | undefined {
  if (config.mode !== 'sandbox' || config.midtrans.snapUrl || config.midtrans.apiUrl) return undefined;
  if (config.tls.cert) {
    // The server calls the bundled sandbox (and is notified by it) over plain loopback HTTP,
    // which a TLS listener does not speak.
    logger.info(
      'the bundled Midtrans sandbox is not served with TLS: run `mamlaka sandbox midtrans` instead',
    );
    return undefined;
  }
  return localMidtrans({
    serverKey: config.midtrans.serverKey,
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    timeoutMs: config.midtrans.timeoutMs,
    logger,
  });
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
