// The split deployment on one machine: two gateways and two instances of each service,
// over one PostgreSQL, Redis and NATS. `npm run split` (needs DATABASE_URL, REDIS_URL and
// NATS_URL) starts them, prints where they listen, and stops them all on Ctrl-C. The
// tests start the same set through startSplitDeployment.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts')];
const READY_TIMEOUT_MS = 90_000;

export type SplitRole = 'gateway' | 'users' | 'catalog' | 'payments' | 'notifications';

export interface SplitProcess {
  role: SplitRole;
  index: number;
  httpPort: number;
  grpcPort: number;
  url: string;
  pid(): number | undefined;
  output(): string;
  start(): Promise<void>;
  /** SIGKILL: no shutdown hook runs. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful stop. */
  stop(): Promise<void>;
}

export interface SplitDeployment {
  gateways: SplitProcess[];
  all: SplitProcess[];
  byRole(role: SplitRole): SplitProcess[];
  stop(): Promise<void>;
}

// Ports are drawn below Linux's ephemeral range (32768–60999 by default). A port taken from
// that range (listen on 0) can be handed by the kernel to any outgoing connection of any
// process before the child binds it, which happened under a full parallel test run; ports
// below it are only ever taken by a listener that asks for them by number. Each vitest
// worker draws from its own slice, so two workers never race for the same port either.
const RANGE_START = 20_000;
const SLICE = 1_000;
const SLICES = 12;
const slice = (() => {
  const worker = Number(process.env.VITEST_POOL_ID);
  return Number.isInteger(worker) && worker > 0 ? (worker - 1) % SLICES : Math.floor(Math.random() * SLICES);
})();
let nextInSlice = Math.floor(Math.random() * SLICE);

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    // No host: the dual-stack wildcard, which conflicts with a listener on any address.
    probe.listen(port, () => probe.close(() => resolve(true)));
  });
}

/** A TCP port nobody listens on right now, so a (re)started process can bind it. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE; tries += 1) {
    const port = RANGE_START + slice * SLICE + (nextInSlice++ % SLICE);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${RANGE_START + slice * SLICE}–${RANGE_START + (slice + 1) * SLICE - 1}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function splitProcess(
  role: SplitRole,
  index: number,
  httpPort: number,
  grpcPort: number,
  env: Record<string, string>,
  cli: string[],
): SplitProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> | undefined;
  let log = '';
  const url = `http://127.0.0.1:${httpPort}`;
  return {
    role,
    index,
    httpPort,
    grpcPort,
    url,
    pid: () => child?.pid,
    output: () => log,
    async start() {
      if (child) throw new Error(`${role} ${index} is already running`);
      const started = spawn(process.execPath, [...cli, 'serve', role], {
        cwd: ROOT,
        env: {
          ...process.env,
          ...env,
          HOST: '127.0.0.1',
          PORT: String(httpPort),
          GRPC_PORT: String(grpcPort),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      log += `\n--- ${role} ${index} (pid ${started.pid}) ---\n`;
      started.stdout!.on('data', (chunk: Buffer) => (log += chunk));
      started.stderr!.on('data', (chunk: Buffer) => (log += chunk));
      let ended = false;
      exited = new Promise((resolve) =>
        started.once('exit', () => {
          ended = true;
          resolve();
        }),
      );
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadline) {
        if (ended) {
          child = undefined;
          throw new Error(`${role} ${index} exited before it was ready:${log}`);
        }
        if (await ready(url)) return;
        await sleep(100);
      }
      throw new Error(`${role} ${index} was not ready after ${READY_TIMEOUT_MS} ms:${log}`);
    },
    async kill() {
      if (!child) return;
      child.kill('SIGKILL');
      await exited;
      child = undefined;
    },
    async stop() {
      if (!child) return;
      child.kill('SIGTERM');
      await exited;
      child = undefined;
    },
  };
}

/**
 * Starts `instances` of every role. The services start first (gateways need their
 * addresses, not their presence, but tests want them all ready); each gateway spreads its
 * calls to a service over that service's instances (round robin).
 */
export async function startSplitDeployment(
  env: Record<string, string>,
  instances = 2,
  /** How to run the CLI: the sources through tsx by default; the bench runs the build. */
  cli: string[] = CLI,
): Promise<SplitDeployment> {
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'NATS_URL'])
    if (!env[name]) throw new Error(`${name} is required: the split deployment shares one of each`);
  const signingKey = generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const shared = {
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'mamlaka-split-')),
    JWT_PRIVATE_KEY: signingKey,
    // One issuer for all: tokens are issued by the users service and checked everywhere.
    PUBLIC_URL: 'http://127.0.0.1:8080',
    LOG_LEVEL: 'warn',
    ...env,
  };
  const all: SplitProcess[] = [];
  const services: SplitRole[] = ['users', 'catalog', 'payments', 'notifications'];
  for (const role of services)
    for (let index = 1; index <= instances; index += 1)
      all.push(splitProcess(role, index, await freePort(), await freePort(), shared, cli));
  const addresses = (role: SplitRole) =>
    all
      .filter((member) => member.role === role)
      .map((member) => `127.0.0.1:${member.grpcPort}`)
      .join(',');
  const gatewayEnv = {
    ...shared,
    USERS_SERVICE_ADDRESS: addresses('users'),
    CATALOG_SERVICE_ADDRESS: addresses('catalog'),
    PAYMENTS_SERVICE_ADDRESS: addresses('payments'),
  };
  const gateways: SplitProcess[] = [];
  for (let index = 1; index <= instances; index += 1)
    gateways.push(splitProcess('gateway', index, await freePort(), await freePort(), gatewayEnv, cli));
  all.push(...gateways);
  // The first instance migrates (under the migrations' advisory lock); the rest start together.
  try {
    await all[0]!.start();
    await Promise.all(all.slice(1).map((member) => member.start()));
  } catch (error) {
    // A member that could not start (a port taken meanwhile, a timeout) must not leave the
    // others running with nobody to stop them.
    await Promise.all(all.map((member) => member.stop().catch(() => {})));
    throw error;
  }
  return {
    gateways,
    all,
    byRole: (role) => all.filter((member) => member.role === role),
    async stop() {
      await Promise.all(all.map((member) => member.stop()));
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const env = Object.fromEntries(
    ['DATABASE_URL', 'REDIS_URL', 'NATS_URL', 'SMTP_URL', 'MAIL_FROM'].flatMap((name) =>
      process.env[name] ? [[name, process.env[name]!]] : [],
    ),
  );
  startSplitDeployment(env).then(
    (deployment) => {
      for (const member of deployment.all)
        console.log(
          `${member.role.padEnd(13)} #${member.index}  http ${member.url}` +
            (member.role === 'gateway' || member.role === 'notifications'
              ? ''
              : `  grpc 127.0.0.1:${member.grpcPort}`),
        );
      console.log('\nREST through either gateway above; Ctrl-C stops everything.');
      const stop = () => void deployment.stop().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
