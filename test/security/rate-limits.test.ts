import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { freePort } from '../helpers/crashable-server.js';
import { call, grpcClients, type GrpcOutcome } from '../helpers/grpc.js';
import { serviceUrl } from '../helpers/services.js';
import { createTestDatabase } from '../helpers/test-database.js';
import {
  encryptionEnv,
  newUser,
  signingKeyPem,
  signUp,
  startTestApp,
  type TestApp,
  liveSecretsEnv,
} from '../helpers/test-app.js';

const redisUrl = serviceUrl('TEST_REDIS_URL');
const prefix = `mamlaka-test:${randomBytes(6).toString('hex')}`;
let started = 0;

/** An app of its own: on the real Redis when there is one, under a prefix no other app shares. */
const start = (env: Record<string, string> = {}) =>
  startTestApp({
    ...(redisUrl ? { REDIS_URL: redisUrl, RATE_LIMIT_REDIS_PREFIX: `${prefix}:${(started += 1)}` } : {}),
    ...env,
  });

afterAll(async () => {
  if (!redisUrl) return;
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

async function withApp(
  env: Record<string, string>,
  test: (app: TestApp, grpc: ReturnType<typeof grpcClients>) => Promise<void>,
) {
  const app = await start(env);
  const grpc = grpcClients(app.grpcAddress);
  try {
    await test(app, grpc);
  } finally {
    grpc.close();
    await app.close();
  }
}

interface Answer {
  status: number;
  retryAfter: number | undefined;
}

/** A REST call from a loopback address of our choosing: fetch cannot pick its source address. */
function from(localAddress: string, url: string, route: string, body: unknown): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        localAddress,
        agent: false,
        method: 'POST',
        path: route,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode!,
            retryAfter: retryAfter === undefined ? undefined : Number(retryAfter),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function expectExhausted(outcome: GrpcOutcome<unknown>) {
  expect(outcome.error?.code).toBe(status.RESOURCE_EXHAUSTED);
  expect(outcome.reason).toBe('rate_limited');
  expect(outcome.retryDelayMs).toBeGreaterThan(0);
}

const stranger = () => ({
  email: `nobody.${randomBytes(4).toString('hex')}@example.com`,
  password: 'wrong password',
});
const refreshToken = () => randomBytes(32).toString('base64url');

// Each test starts apps of its own (their budgets must not mix), which a busy machine makes slow.
const SLOW_MS = 90_000;

describe('one budget for REST and gRPC', { timeout: SLOW_MS }, () => {
  it('spends one login budget per address on either edge, refreshes included', async () => {
    await withApp({ RATE_LIMIT_LOGIN_PER_IP: '4' }, async (app, grpc) => {
      expect((await app.api('POST', '/users/login', { body: stranger() })).status).toBe(401);
      const refresh = { refresh_token: refreshToken() };
      expect((await app.api('POST', '/auth/refresh', { body: refresh })).status).toBe(401);
      expect((await call(grpc.users, 'LoginUser', stranger())).error?.code).toBe(status.UNAUTHENTICATED);
      const grpcRefresh = await call(grpc.users, 'RefreshSession', { refresh_token: refreshToken() });
      expect(grpcRefresh.error?.code).toBe(status.UNAUTHENTICATED);

      const rest = await app.api('POST', '/users/login', { body: stranger() });
      expect(rest.status).toBe(429);
      expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);
      expectExhausted(await call(grpc.users, 'LoginUser', stranger()));
    });
  });

  it('spends one per-user budget on GetMe and GET /users/me', async () => {
    await withApp({ RATE_LIMIT_PER_USER: '4' }, async (app, grpc) => {
      const { token } = await signUp(app);
      for (let n = 0; n < 2; n += 1) {
        expect((await app.api('GET', '/users/me', { token })).status).toBe(200);
        expect((await call(grpc.users, 'GetMe', {}, { token })).error).toBeUndefined();
      }
      expect((await app.api('GET', '/users/me', { token })).status).toBe(429);
      expectExhausted(await call(grpc.users, 'GetMe', {}, { token }));
    });
  });

  it('spends one registration budget per address, taken emails included', async () => {
    await withApp({ RATE_LIMIT_REGISTER_PER_IP: '4' }, async (app, grpc) => {
      const taken = newUser();
      expect((await app.api('POST', '/users/register', { body: taken })).status).toBe(201);
      expect((await app.api('POST', '/users/register', { body: taken })).status).toBe(409);
      for (let n = 0; n < 2; n += 1) {
        const again = await call(grpc.users, 'RegisterUser', taken);
        expect(again.error?.code).toBe(status.ALREADY_EXISTS);
      }
      expect((await app.api('POST', '/users/register', { body: newUser() })).status).toBe(429);
      expectExhausted(await call(grpc.users, 'RegisterUser', newUser()));
    });
  });

  describe.runIf(redisUrl)('on Redis', () => {
    it('shares the budgets between two instances, whichever edge each call takes', async () => {
      const env = {
        REDIS_URL: redisUrl!,
        RATE_LIMIT_REDIS_PREFIX: `${prefix}:shared`,
        // Instances behind one load balancer share the signing key, as in production.
        JWT_PRIVATE_KEY: signingKeyPem(),
        // …and the key ring: B reads what A encrypted.
        ...encryptionEnv(),
        RATE_LIMIT_LOGIN_PER_IP: '4',
        RATE_LIMIT_PER_USER: '4',
      };
      const a = await startTestApp(env);
      const bDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-b-'));
      const b = await startTestApp(env, { db: a.db, dataDir: bDir });
      const [ga, gb] = [grpcClients(a.grpcAddress), grpcClients(b.grpcAddress)];
      try {
        expect((await a.api('POST', '/users/login', { body: stranger() })).status).toBe(401);
        expect((await call(gb.users, 'LoginUser', stranger())).error?.code).toBe(status.UNAUTHENTICATED);
        expect((await call(ga.users, 'LoginUser', stranger())).error?.code).toBe(status.UNAUTHENTICATED);
        expect((await b.api('POST', '/users/login', { body: stranger() })).status).toBe(401);
        expect((await a.api('POST', '/users/login', { body: stranger() })).status).toBe(429);
        expectExhausted(await call(gb.users, 'LoginUser', stranger()));

        // The address's login budget is spent: the account is made through the services.
        const body = newUser();
        await a.platform.users.users.register(body);
        const { token } = await a.platform.users.sessions.login(body);
        expect((await call(ga.users, 'GetMe', {}, { token })).error).toBeUndefined();
        expect((await b.api('GET', '/users/me', { token })).status).toBe(200);
        expect((await call(gb.users, 'GetMe', {}, { token })).error).toBeUndefined();
        expect((await a.api('GET', '/users/me', { token })).status).toBe(200);
        expect((await b.api('GET', '/users/me', { token })).status).toBe(429);
        expectExhausted(await call(ga.users, 'GetMe', {}, { token }));
      } finally {
        ga.close();
        gb.close();
        await b.close();
        await a.close();
        rmSync(bDir, { recursive: true, force: true });
      }
    });
  });
});

describe('failed password checks', { timeout: SLOW_MS }, () => {
  it('stop a guesser at their address, however many guesses arrive at once, while the owner still gets in', async () => {
    await withApp({ RATE_LIMIT_LOGIN_FAILURES: '3' }, async (app) => {
      const owner = await signUp(app);
      const wrong = { email: owner.email, password: 'wrong password' };
      const right = { email: owner.email, password: owner.password };
      const burst = await Promise.all(
        Array.from({ length: 10 }, () => from('127.0.0.2', app.url, '/users/login', wrong)),
      );
      const statuses = burst.map((answer) => answer.status).sort();
      expect(statuses).toEqual([...Array(3).fill(401), ...Array(7).fill(429)]);
      const stopped = await from('127.0.0.2', app.url, '/users/login', right);
      expect(stopped.status).toBe(429);
      expect(stopped.retryAfter).toBeGreaterThan(0);
      expect((await from('127.0.0.1', app.url, '/users/login', right)).status).toBe(200);
    });
  });

  it('are counted per address from X-Forwarded-For on both edges behind a trusted proxy', async () => {
    await withApp({ TRUST_PROXY: 'true', RATE_LIMIT_LOGIN_FAILURES: '3' }, async (app, grpc) => {
      const owner = await signUp(app);
      const wrong = { email: owner.email, password: 'wrong password' };
      const right = { email: owner.email, password: owner.password };
      const guesser = { 'x-forwarded-for': '203.0.113.7' };
      for (let n = 0; n < 2; n += 1) {
        expect((await app.api('POST', '/users/login', { body: wrong, headers: guesser })).status).toBe(401);
      }
      const viaGrpc = await call(grpc.users, 'LoginUser', wrong, { metadata: guesser });
      expect(viaGrpc.error?.code).toBe(status.UNAUTHENTICATED);
      expect((await app.api('POST', '/users/login', { body: right, headers: guesser })).status).toBe(429);
      expectExhausted(await call(grpc.users, 'LoginUser', right, { metadata: guesser }));
      const home = { 'x-forwarded-for': '198.51.100.9' };
      expect((await call(grpc.users, 'LoginUser', right, { metadata: home })).error).toBeUndefined();
    });
  });

  it('slow an account guessed from many addresses for a short window instead of locking it', async () => {
    const env = {
      RATE_LIMIT_LOGIN_FAILURES: '3',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '4',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_WINDOW: '5s',
    };
    await withApp(env, async (app) => {
      // Registered only: the account's window opens with the first guess.
      const owner = newUser();
      expect((await app.api('POST', '/users/register', { body: owner })).status).toBe(201);
      const wrong = { email: owner.email, password: 'wrong password' };
      const right = { email: owner.email, password: owner.password };
      const guesses = await Promise.all(
        ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'].map((address) =>
          from(address, app.url, '/users/login', wrong),
        ),
      );
      expect(guesses.map((guess) => guess.status)).toEqual([401, 401, 401, 401]);
      const slowed = await from('127.0.0.6', app.url, '/users/login', wrong);
      expect(slowed.status).toBe(429);
      const waiting = await from('127.0.0.1', app.url, '/users/login', right);
      expect(waiting.status).toBe(429);
      expect(waiting.retryAfter).toBeGreaterThan(0);
      expect(waiting.retryAfter).toBeLessThanOrEqual(5);
      await new Promise((resolve) => setTimeout(resolve, waiting.retryAfter! * 1000 + 100));
      expect((await from('127.0.0.1', app.url, '/users/login', right)).status).toBe(200);
    });
  });

  it('include wrong current passwords of a profile change, on both edges', async () => {
    await withApp({}, async (app, grpc) => {
      const owner = await signUp(app);
      const change = {
        email: `moved.${randomBytes(4).toString('hex')}@example.com`,
        current_password: 'guess',
      };
      for (let n = 0; n < 5; n += 1) {
        expect((await app.api('PATCH', '/users/me', { token: owner.token, body: change })).status).toBe(401);
        const viaGrpc = await call(grpc.users, 'UpdateMe', change, { token: owner.token });
        expect(viaGrpc.error?.code).toBe(status.UNAUTHENTICATED);
      }
      const eleventh = await app.api('PATCH', '/users/me', { token: owner.token, body: change });
      expect(eleventh.status).toBe(429);
      expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(0);
      expectExhausted(await call(grpc.users, 'UpdateMe', change, { token: owner.token }));
      // One budget with logins: this address is stopped there too, the owner's others are not.
      const right = { email: owner.email, password: owner.password };
      expect((await from('127.0.0.1', app.url, '/users/login', right)).status).toBe(429);
      expect((await from('127.0.0.2', app.url, '/users/login', right)).status).toBe(200);
    });
  });
});

describe('the split deployment', { timeout: SLOW_MS }, () => {
  it('counts failed logins per client address behind the gateway, not per gateway', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-split-'));
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      JWT_PRIVATE_KEY: signingKeyPem(),
      RATE_LIMIT_LOGIN_FAILURES: '3',
      ...(redisUrl ? { REDIS_URL: redisUrl, RATE_LIMIT_REDIS_PREFIX: `${prefix}:split` } : {}),
    });
    const logger = createLogger(config);
    const users = await createPlatform(config, logger, db.database, 'users');
    const address = `127.0.0.1:${await users.grpc.listen('127.0.0.1', 0)}`;
    const services = { ...config.services, users: address, catalog: address, payments: address };
    const gateway = await createPlatform({ ...config, services }, logger, db.database, 'gateway');
    try {
      await gateway.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = gateway.app.server.address() as { port: number };
      const url = `http://127.0.0.1:${port}`;
      const owner = newUser();
      expect((await from('127.0.0.1', url, '/users/register', owner)).status).toBe(201);
      const wrong = { email: owner.email, password: 'wrong password' };
      const right = { email: owner.email, password: owner.password };
      for (let n = 0; n < 3; n += 1)
        expect((await from('127.0.0.2', url, '/users/login', wrong)).status).toBe(401);
      expect((await from('127.0.0.2', url, '/users/login', right)).status).toBe(429);
      // Every call reaches the service from the gateway's one address: the client's travels along.
      expect((await from('127.0.0.1', url, '/users/login', right)).status).toBe(200);
    } finally {
      await gateway.close();
      await users.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Whether a TCP connection to host:port is accepted. */
const reachable = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('the plain-text gRPC listener', () => {
  it('stays on loopback in live mode even when HOST is every interface', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mamlaka-live-'));
    const grpcPort = await freePort();
    const config = loadConfig({
      MAMLAKA_MODE: 'live',
      JWT_PRIVATE_KEY: signingKeyPem(),
      ...liveSecretsEnv(),
      PUBLIC_URL: 'https://api.example',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      HOST: '0.0.0.0',
      PORT: '0',
      GRPC_PORT: String(grpcPort),
    });
    const server = await startServer(config, createLogger(config));
    try {
      expect(await reachable('127.0.0.1', grpcPort)).toBe(true);
      // 127.0.0.2 is another address of this machine: a listener on every interface answers
      // there (as the HTTP one does), one on loopback only does not.
      expect(await reachable('127.0.0.2', Number(new URL(server.url).port))).toBe(true);
      expect(await reachable('127.0.0.2', grpcPort)).toBe(false);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    // A whole server from cold (embedded database, migrations): slow on a busy machine.
  }, 120_000);
});
