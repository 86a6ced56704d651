import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, configFromEnvironment } from '../config.js';
import { startServer, stopOnSignals } from '../main.js';
import { type Role, SPLIT_ROLES } from '../roles.js';
import { usersServiceFor } from '../modules/users/users.module.js';
import { loadKeyRing } from '../platform/crypto/keyring.load.js';
import { ControlError } from '../platform/control/control.client.js';
import { DatabaseBusyError } from '../platform/db/embedded.js';
import { migrate } from '../platform/db/migrations.js';
import { isAppError } from '../platform/errors.js';
import { createLogger } from '../platform/logging/logger.js';
import { PortUnavailableError } from '../platform/ports.js';
import { createPlatform } from '../app.js';
import { createMidtransSandbox } from '../modules/midtrans/sandbox/sandbox.server.js';
import { startWebhookReceiver } from '../modules/webhooks/webhooks.receiver.js';
import { reconciliationSummary } from '../modules/ledger/ledger.module.js';
import type { ReconciliationReport } from '../modules/ledger/ledger.routes.js';
import { DEFAULT_MAX_VIOLATIONS, MAX_VIOLATIONS_LIMIT } from '../modules/ledger/ledger.service.js';
import { registerCertsCommand } from './certs.js';
import { withDatabase } from './database-access.js';
import { keysCommands } from './keys.js';
import { DEMO_BUYER, DEMO_SELLERS, seedDemo } from './seed/demo.js';

// Before anything is created: every file and directory this process makes (the database,
// keys, mail, uploads, the control socket) is its owner's alone, whatever umask it was given.
process.umask(0o077);

const program = new Command('mamlaka').description('Mamlaka commerce and payments platform');

const setup = () => {
  const config = configFromEnvironment();
  return { config, logger: createLogger(config) };
};

program
  .command('start')
  .description('run the all-in-one server (gateway and every service in one process)')
  .action(async () => {
    const { config, logger } = setup();
    stopOnSignals(await startServer(config, logger), logger);
  });

program
  .command('serve')
  .description('run one part of the split deployment: gateway, users, catalog, payments or notifications')
  .argument('<role>', SPLIT_ROLES.join(' | '))
  .action(async (role: string) => {
    if (!(SPLIT_ROLES as readonly string[]).includes(role)) {
      console.error(`unknown role "${role}": expected one of ${SPLIT_ROLES.join(', ')}`);
      process.exit(2);
    }
    const { config, logger } = setup();
    stopOnSignals(await startServer(config, logger, role as Role), logger);
  });

program
  .command('migrate')
  .description('apply pending database migrations (safe to run twice, or while the server runs)')
  .action(async () => {
    const { config, logger } = setup();
    const { via, result } = await withDatabase(config, logger, {
      control: 'migrate',
      direct: async (database) => ({ applied: await migrate(database) }),
    });
    const applied = (result as { applied: string[] }).applied;
    console.log(applied.length ? `applied (${via}): ${applied.join(', ')}` : 'database is up to date');
  });

const users = program.command('users').description('manage user accounts');
users
  .command('create-admin')
  .description('create an admin account')
  .requiredOption('--email <email>', 'the admin’s email')
  .option('--name <name>', 'display name', 'Administrator')
  .option('--password <password>', 'password (prefer --password-stdin: arguments are visible to other users)')
  .option('--password-stdin', 'read the password from standard input')
  .action(async (options: { email: string; name: string; password?: string; passwordStdin?: boolean }) => {
    const password = options.passwordStdin ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : options.password;
    if (!password) throw new InvalidArgumentError('give --password or --password-stdin');
    const { config, logger } = setup();
    const input = { name: options.name, email: options.email, password };
    const { via, result } = await withDatabase(config, logger, {
      control: 'create-admin',
      input,
      direct: async (database) => {
        await migrate(database);
        const keyring = loadKeyRing(config.encryption, config.dataDir);
        return usersServiceFor(database.db, config.rateLimits, keyring).createAdmin(input);
      },
    });
    const admin = result as { id: string; email: string };
    console.log(
      `admin ${admin.email} created (${admin.id}) ${via === 'server' ? 'through the running server' : ''}`,
    );
  });

program
  .command('seed')
  .description('fill the database with sample data')
  .command('demo')
  .description('two demo sellers, a demo buyer and a few dozen products with pictures (sandbox only)')
  .action(async () => {
    const { config, logger } = setup();
    const { via, result } = await withDatabase(config, logger, {
      control: 'seed-demo',
      direct: async (database) => {
        await migrate(database);
        const platform = await createPlatform(config, logger, database);
        try {
          return await seedDemo(platform, config.mode);
        } finally {
          await platform.close();
        }
      },
    });
    const seeded = result as { products: number };
    console.log(
      `demo data created${via === 'server' ? ' through the running server' : ''}: ${seeded.products} products`,
    );
    for (const seller of DEMO_SELLERS)
      console.log(`  seller: ${seller.email} / ${seller.password} (${seller.name})`);
    console.log(`  buyer:  ${DEMO_BUYER.email} / ${DEMO_BUYER.password}`);
  });

/** --max-violations: a whole number within what the check accepts. */
const maxViolationsArg = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > MAX_VIOLATIONS_LIMIT)
    throw new InvalidArgumentError(`a whole number from 0 to ${MAX_VIOLATIONS_LIMIT}`);
  return n;
};

program
  .command('ledger')
  .description('the double-entry ledger')
  .command('check')
  .description(
    'prove the ledger invariants; exits 1 listing violations, 2 when some checks could not be made',
  )
  .option(
    '--max-violations <n>',
    `violations to list (all are counted; default ${DEFAULT_MAX_VIOLATIONS})`,
    maxViolationsArg,
  )
  .option('--skip-gateway', 'do not ask payment gateways what they refunded (database checks only)')
  .action(async (options: { maxViolations?: number; skipGateway?: boolean }) => {
    const { config, logger } = setup();
    const wanted = { maxViolations: options.maxViolations, gateway: !options.skipGateway };
    const { result } = await withDatabase(config, logger, {
      control: 'ledger-check',
      input: wanted,
      direct: async (database) => {
        await migrate(database);
        const platform = await createPlatform(config, logger, database);
        try {
          return await platform.reconcile(wanted);
        } finally {
          await platform.close();
        }
      },
    });
    const summary = reconciliationSummary(result as ReconciliationReport);
    for (const line of summary.out) console.log(line);
    for (const line of summary.err) console.error(line);
    process.exitCode = summary.exitCode;
  });

program
  .command('sandbox')
  .description('local stand-ins for outside services')
  .command('midtrans')
  .description(
    'run the Midtrans-compatible sandbox (Snap, status and refund APIs, a pay page, signed notifications)',
  )
  .option('--port <port>', 'port to listen on', '8090')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--notify <url>', 'where notifications go', 'http://127.0.0.1:8080/payments/midtrans/webhook')
  .action(async (options: { port: string; host: string; notify: string }) => {
    const { config, logger } = setup();
    const serverKey = config.midtrans.serverKey;
    if (!serverKey) throw new InvalidArgumentError('set MIDTRANS_SERVER_KEY: the sandbox signs with it');
    const sandbox = createMidtransSandbox({ serverKey, notificationUrl: options.notify, logger });
    const url = await sandbox.listen(Number(options.port), options.host);
    console.log(`Midtrans sandbox on ${url}; set MIDTRANS_SNAP_URL and MIDTRANS_API_URL to it`);
    const stop = () => void sandbox.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });

/** --port: a TCP port, 0 for any free one. */
const portArg = (value: string): number => {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError('a port from 0 to 65535');
  return Number(value);
};

const countArg = (value: string) => {
  if (!/^[1-9]\d{0,5}$/.test(value)) throw new InvalidArgumentError('a whole number from 1');
  return Number(value);
};

program
  .command('webhooks')
  .description('webhooks on this machine')
  .command('listen')
  .description(
    'receive webhooks locally and print one line per delivery (sandbox delivers to loopback without settings)',
  )
  .option('--port <port>', 'port to listen on', portArg, 9000)
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--count <n>', 'exit after this many accepted deliveries', countArg)
  .addOption(
    new Option('--secret <secret>', 'the endpoint’s signing secret (whsec_…): check each signature').env(
      'MAMLAKA_WEBHOOK_SECRET',
    ),
  )
  .action(async (options: { port: number; host: string; secret?: string; count?: number }) => {
    const receiver = await startWebhookReceiver({
      ...options,
      stopAfter: options.count,
      // One whole line per write: stdout to a file or a pipe is written synchronously, so
      // `listen > hooks.log &` shows each delivery as it arrives.
      print: (line) => process.stdout.write(`${line}\n`),
    });
    console.log(
      `listening for webhooks on ${receiver.url} (any path); ${
        options.secret
          ? 'checking signatures'
          : 'not checking signatures: give --secret or MAMLAKA_WEBHOOK_SECRET'
      }`,
    );
    const stop = () => void receiver.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    void receiver.finished.then(stop);
  });

registerCertsCommand(program);

keysCommands(program, setup);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else if (error instanceof PortUnavailableError) console.error(error.message);
  else if (error instanceof DatabaseBusyError)
    console.error(
      `${error.message}; is another command running? (a running server serves CLI commands itself)`,
    );
  else if (isAppError(error) || error instanceof ControlError || error instanceof InvalidArgumentError)
    console.error(`error: ${(error as Error).message}`);
  else console.error(error);
  process.exit(1);
});
