import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface RunningServer {
  name: string;
  url: string;
  /** The server's process, e.g. to read its memory from /proc. */
  pid: number;
  stop(): Promise<void>;
}

export interface ServerSpec {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Answers 200 once the server can take load (Mamlaka: database open and migrated). */
  readyPath: string;
  cwd: string;
  cleanup?: () => void;
}

/**
 * Mamlaka runs from dist/, as in production, so the bench never measures tsx. BENCH_NO_BUILD=1
 * leaves dist/ as it is (two trees compared, each built apart).
 */
export function buildMamlaka(): void {
  if (process.env.BENCH_NO_BUILD === '1') return;
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status ?? build.signal})`);
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('could not find a free port');
  return address.port;
}

// Only what the child needs: a stray REDIS_URL or NATS_URL in the caller's shell would
// otherwise change what is being measured.
const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME });

export async function baselineSpec(): Promise<ServerSpec> {
  return {
    name: 'baseline',
    // `--import tsx` compiles at load time only and keeps a single process to signal.
    args: ['--import', 'tsx', path.join(root, 'bench/baseline.ts')],
    env: { ...baseEnv(), PORT: String(await freePort()) },
    readyPath: '/',
    cwd: root,
  };
}

// The config caps every rate limit at 10,000,000; that is far above what a run can send,
// so no request of the bench is ever refused by a limiter.
const UNLIMITED = '10000000';
export const unlimitedRates = {
  RATE_LIMIT_LOGIN_PER_IP: UNLIMITED,
  RATE_LIMIT_LOGIN_FAILURES: UNLIMITED,
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: UNLIMITED,
  RATE_LIMIT_REGISTER_PER_IP: UNLIMITED,
  RATE_LIMIT_PER_USER: UNLIMITED,
};

/** The settings among `names` set in the bench's own environment, to hand to a server it starts. */
export const passedOn = (names: readonly string[]): NodeJS.ProcessEnv =>
  Object.fromEntries(
    names.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])),
  );

/**
 * `databaseUrl` overrides DATABASE_URL (the checkout scenarios use a database of their own;
 * null: embedded PGlite whatever DATABASE_URL says); `env` adds settings, e.g. METRICS_PORT
 * to scrape the server's /metrics (off by default, so servers never compete for one port).
 */
export async function mamlakaSpec(
  options: { databaseUrl?: string | null; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerSpec> {
  const databaseUrl = options.databaseUrl === undefined ? process.env.DATABASE_URL : options.databaseUrl;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-bench-'));
  const unlimited = UNLIMITED;
  return {
    name: 'mamlaka',
    args: [path.join(root, 'bin/mamlaka.js'), 'start'],
    env: {
      ...baseEnv(),
      PORT: String(await freePort()),
      GRPC_PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      METRICS_PORT: '0',
      RATE_LIMIT_LOGIN_PER_IP: unlimited,
      RATE_LIMIT_LOGIN_FAILURES: unlimited,
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: unlimited,
      RATE_LIMIT_REGISTER_PER_IP: unlimited,
      RATE_LIMIT_PER_USER: unlimited,
      // A run of 3 × 30 s per scenario outlasts a 15-minute access token signed at its start.
      ACCESS_TOKEN_TTL: '2h',
      // The all-in-one server would default to its local Midtrans; these checkouts pay from wallets.
      DEFAULT_PAYMENT_METHOD: 'wallet',
      // BENCH_NO_BUILD=1: dist/ as it is, even where a source is newer (bin/mamlaka.js).
      ...(process.env.BENCH_NO_BUILD === '1' ? { MAMLAKA_RUN_AS_BUILT: '1' } : {}),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...options.env,
    },
    readyPath: '/ready',
    // Mamlaka reads `.env` from its working directory; a developer's file must not leak in.
    cwd: dataDir,
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

const children = new Set<ChildProcess>();
// Last resort when the bench dies without reaching its own cleanup: no orphaned servers.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export async function startServer(spec: ServerSpec, timeoutMs = 90_000): Promise<RunningServer> {
  const child = spawn(process.execPath, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${spec.env.PORT}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    children.delete(child);
    spec.cleanup?.();
  };

  try {
    await waitUntilReady(`${url}${spec.readyPath}`, child, timeoutMs);
  } catch (error) {
    await stop();
    throw new Error(`${spec.name}: ${(error as Error).message}`);
  }
  return { name: spec.name, url, pid: child.pid!, stop };
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not ready after ${timeoutMs / 1000} s (${url})`);
}
