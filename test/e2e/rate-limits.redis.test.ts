import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceUrl } from '../helpers/services.js';
import { encryptionEnv, newUser, signingKeyPem, startTestApp, type TestApp } from '../helpers/test-app.js';

const redisUrl = serviceUrl('TEST_REDIS_URL');

describe.runIf(redisUrl)('rate limits on the real Redis', () => {
  let a: TestApp;
  let b: TestApp;
  const prefix = `mamlaka-test:${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    const redis = new Redis(redisUrl!, { lazyConnect: true });
    await redis.connect(); // fails the suite loudly if Redis is down
    await redis.quit();
    // Instances behind one load balancer share the signing key, as they would in production.
    const pem = signingKeyPem();
    const env = {
      JWT_PRIVATE_KEY: pem,
      // …and the key ring: B reads what A encrypted.
      ...encryptionEnv(),
      REDIS_URL: redisUrl!,
      RATE_LIMIT_REDIS_PREFIX: prefix,
      RATE_LIMIT_LOGIN_PER_IP: '4',
      RATE_LIMIT_PER_USER: '3',
    };
    a = await startTestApp(env);
    // A second instance over the same database and Redis, as behind a load balancer.
    b = await startTestApp(env, { db: a.db, dataDir: mkdtempSync(path.join(tmpdir(), 'mamlaka-b-')) });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    const redis = new Redis(redisUrl!);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('shares one login budget per IP across instances', async () => {
    const attempt = (app: TestApp) =>
      app.api('POST', '/users/login', { body: { email: 'nobody@example.com', password: 'wrong password' } });
    const statuses = [
      (await attempt(a)).status,
      (await attempt(b)).status,
      (await attempt(a)).status,
      (await attempt(b)).status,
    ];
    expect(statuses).toEqual([401, 401, 401, 401]);
    const blocked = await attempt(b);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await attempt(a)).status).toBe(429);
  });

  it('shares the per-user budget across instances and stores it in Redis', async () => {
    // The IP budget is spent by now, so the account is made through the services directly.
    const body = newUser();
    await a.platform.users.users.register(body);
    const session = await a.platform.users.sessions.login(body);
    const user = { id: session.id, token: session.token };
    const first = await a.api('GET', '/users/me', { token: user.token });
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect((await b.api('GET', '/users/me', { token: user.token })).headers.get('ratelimit-remaining')).toBe(
      '1',
    );
    expect((await a.api('GET', '/users/me', { token: user.token })).status).toBe(200);
    expect((await b.api('GET', '/users/me', { token: user.token })).status).toBe(429);
    const redis = new Redis(redisUrl!);
    expect(await redis.exists(`${prefix}:user:${user.id}`)).toBe(1);
    await redis.quit();
  });
});
