import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import webpush from 'web-push';
import { createPlatform, type Platform } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { startMetricsListener } from '../../src/platform/metrics/metrics.server.js';
import { deleteStream } from './nats.js';
import { serviceUrl, testDatabase } from './services.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/**
 * The embedded default (PGlite) runs events in process; the suites on the real PostgreSQL
 * run them through the real NATS, each app on a stream of its own so apps never share events.
 */
function realEventBus(): Record<string, string> {
  const natsUrl = testDatabase() === 'postgres' ? serviceUrl('TEST_NATS_URL') : undefined;
  if (!natsUrl) return {};
  return { NATS_URL: natsUrl, NATS_STREAM: `TEST_${randomUUID().replaceAll('-', '')}` };
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    meta: Record<string, unknown> & { success: boolean; message: string; code?: string };
    results: T;
  } & Record<string, unknown>;
}

export interface TestApp {
  url: string;
  /** host:port of the gRPC services. */
  grpcAddress: string;
  config: Config;
  platform: Platform;
  db: TestDatabase;
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: {
      body?: unknown;
      token?: string;
      headers?: Record<string, string>;
      raw?: string;
      form?: FormData;
    },
  ): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/**
 * The platform a suite talks to. Normally the all-in-one platform. In the `split` test
 * project (MAMLAKA_TEST_SPLIT=1), a gateway whose users, catalog and payments routes reach
 * a second platform's services over real gRPC on 127.0.0.1: the REST suites run unchanged
 * through the split shape.
 */
async function platformsFor(
  config: Config,
  db: TestDatabase,
  logTo?: DestinationStream,
): Promise<{ platform: Platform; services?: Platform }> {
  if (process.env.MAMLAKA_TEST_SPLIT !== '1') {
    return { platform: await createPlatform(config, createLogger(config, logTo), db.database) };
  }
  const services = await createPlatform(config, createLogger(config, logTo), db.database, 'all', {
    behindGateway: true,
  });
  const address = `127.0.0.1:${await services.grpc.listen('127.0.0.1', 0)}`;
  const gatewayConfig: Config = {
    ...config,
    services: { ...config.services, users: address, catalog: address, payments: address },
  };
  const platform = await createPlatform(gatewayConfig, createLogger(config, logTo), db.database, 'gateway');
  return { platform, services };
}

/** The `api` of a TestApp: one request to the server at `url`, its body parsed when JSON. */
export function apiAt(url: string): TestApp['api'] {
  return async (method, route, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | FormData | undefined = options.form ?? options.raw;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.body);
    }
    const response = await fetch(url + route, { method, headers, body });
    const text = await response.text();
    const parsed =
      text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : { text };
    return { status: response.status, headers: response.headers, body: parsed };
  };
}

/**
 * The whole platform listening on 127.0.0.1 over a fresh database, driven through real
 * HTTP. `env` overrides configuration exactly as environment variables would; `logTo`
 * receives the log lines (with LOG_LEVEL set in `env`) for suites that read them.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  shared?: { db: TestDatabase; dataDir: string },
  logTo?: DestinationStream,
): Promise<TestApp> {
  const dataDir = shared?.dataDir ?? mkdtempSync(path.join(tmpdir(), 'mamlaka-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1',
    OUTBOX_POLL_INTERVAL: '20ms',
    // Suites run many platforms at once: /metrics only where a test asks for a port.
    METRICS_PORT: '0',
    // Two suites share two cores: hashes at the lowest priority would wait for the other
    // suite's every cycle. users.login-burst.test.ts and the unit specs cover nice 19.
    PASSWORD_HASH_NICE: '0',
    // Suites sign many users up at once on a machine running other suites: hashes then take
    // several times their usual 20 ms, and the 5 s default would refuse some of a burst.
    // users.login-burst.test.ts covers the bound.
    PASSWORD_HASH_MAX_WAIT: '60s',
    ...realEventBus(),
    ...env,
  });
  const db = shared?.db ?? (await createTestDatabase());
  const { platform, services } = await platformsFor(config, db, logTo);
  await platform.app.listen({ host: '127.0.0.1', port: 0 });
  const address = platform.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const grpcAddress = `127.0.0.1:${await platform.grpc.listen('127.0.0.1', 0)}`;
  const metrics = await startMetricsListener(config.metrics, platform.metrics, createLogger(config, logTo));

  return {
    url,
    grpcAddress,
    config,
    platform,
    db,
    api: apiAt(url),
    async close() {
      await metrics?.close();
      await platform.close();
      await services?.close();
      if (config.natsUrl && !shared) await deleteStream(config.natsUrl, config.events.natsStream);
      if (!shared) {
        await db.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

let counter = 0;
/** A unique, valid registration body. */
export function newUser(
  overrides: Partial<Record<'name' | 'email' | 'password', string>> & {
    role?: 'buyer' | 'seller' | 'admin';
  } = {},
) {
  counter += 1;
  const password = overrides.password ?? 'correct horse battery';
  return {
    name: overrides.name ?? `User ${counter}`,
    email: overrides.email ?? `user${counter}.${process.pid}@example.com`,
    role: overrides.role ?? 'buyer',
    password,
    confirm_password: password,
  };
}

/** Registers and logs in a user, returning its id and tokens. */
export async function signUp(app: TestApp, overrides: Parameters<typeof newUser>[0] = {}) {
  const body = newUser(overrides);
  const registered = await app.api<{ id: string }>('POST', '/users/register', { body });
  if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
  const login = await app.api<{ id: string; token: string; refresh_token: string }>('POST', '/users/login', {
    body: { email: body.email, password: body.password },
  });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return {
    ...body,
    id: registered.body.results.id,
    token: login.body.results.token,
    refresh: login.body.results.refresh_token,
  };
}

/** A fresh Ed25519 signing key: instances behind one load balancer share one, as in production. */
export const signingKeyPem = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A fresh Web Push (VAPID) key pair as the variables live mode requires. */
export function vapidEnv(): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string } {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey };
}

/** A fresh key ring as the variables live mode requires (ENCRYPTION_KEYS, BLIND_INDEX_KEY). */
export function encryptionEnv(): { ENCRYPTION_KEYS: string; BLIND_INDEX_KEY: string } {
  return {
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
  };
}

/** Every generated secret live mode insists on (VAPID keys and the key ring). */
export const liveSecretsEnv = () => ({ ...vapidEnv(), ...encryptionEnv() });

/** The platform in live mode, with the settings live mode insists on. */
export const startLiveApp = (env: Record<string, string> = {}) =>
  startTestApp({
    MAMLAKA_MODE: 'live',
    JWT_PRIVATE_KEY: signingKeyPem(),
    PUBLIC_URL: 'https://api.example',
    ...liveSecretsEnv(),
    ...env,
  });
