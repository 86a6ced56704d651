import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { serviceUrl } from '../helpers/services.js';
import { encryptionEnv, signUp, signingKeyPem, startTestApp, type TestApp } from '../helpers/test-app.js';

const redisUrl = serviceUrl('TEST_REDIS_URL');

describe.runIf(redisUrl)('catalog caches across instances (Redis)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const redis = new Redis(redisUrl!, { lazyConnect: true });
    await redis.connect();
    await redis.quit();
    const pem = signingKeyPem();
    const env = {
      JWT_PRIVATE_KEY: pem,
      // …and the key ring: B reads what A encrypted.
      ...encryptionEnv(),
      REDIS_URL: redisUrl!,
      RATE_LIMIT_REDIS_PREFIX: `mamlaka-test:${randomBytes(6).toString('hex')}`,
      CATALOG_CACHE_TTL: '10m',
    };
    a = await startTestApp(env);
    b = await startTestApp(env, { db: a.db, dataDir: mkdtempSync(path.join(tmpdir(), 'mamlaka-b-')) });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 50; i++) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  };

  it('drops a product cached on one instance when another instance changes it', async () => {
    const seller = await signUp(a, { role: 'seller' });
    const product = await createProduct(a, seller.token, { name: 'Original' });
    // Both instances now hold the product and a list page in their caches.
    expect((await a.api<ProductJson>('GET', `/products/${product.id}`)).body.results.name).toBe('Original');
    expect((await b.api<ProductJson>('GET', `/products/${product.id}`)).body.results.name).toBe('Original');
    await a.api('GET', '/products?limit=50');

    const updated = await b.api('PUT', `/products/${product.id}`, {
      token: seller.token,
      body: { name: 'Changed on B' },
    });
    expect(updated.status).toBe(200);
    expect(
      await eventually(
        async () =>
          (await a.api<ProductJson>('GET', `/products/${product.id}`)).body.results.name === 'Changed on B',
      ),
    ).toBe(true);
    expect(
      await eventually(async () =>
        (await a.api<ProductJson[]>('GET', '/products?limit=50')).body.results.some(
          (p) => p.name === 'Changed on B',
        ),
      ),
    ).toBe(true);

    await b.api('DELETE', `/products/${product.id}`, { token: seller.token });
    expect(await eventually(async () => (await a.api('GET', `/products/${product.id}`)).status === 404)).toBe(
      true,
    );
  });
});
