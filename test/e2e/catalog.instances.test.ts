import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { topUp } from '../helpers/payments.js';
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

  it('tells the other instances of every product a sale took stock from, and of the listings once', async () => {
    const seller = await signUp(a, { role: 'seller' });
    const products = await Promise.all(
      [1, 2, 3].map(() => createProduct(a, seller.token, { price: '1000', stock: 5 })),
    );
    const buyer = await signUp(a);
    await topUp(a, buyer.token, '10000');
    const listener = new Redis(redisUrl!);
    const heard: [string, string, string][] = [];
    listener.on('message', (_channel: string, message: string) =>
      heard.push(JSON.parse(message) as [string, string, string]),
    );
    await listener.subscribe('mamlaka:invalidate');
    try {
      const payment = await a.platform.payments.checkout.create(
        { userId: buyer.id, role: 'buyer' },
        { items: products.map((p) => ({ product_id: p.id, quantity: 1 })) },
      );
      expect(payment.status).toBe('succeeded');
      const ids = new Set(products.map((p) => p.id));
      // Other suites share this Redis: only what instance A sent counts.
      const fromA = () => {
        const a = heard.find(([, , key]) => ids.has(key))?.[0];
        return heard.filter(([from]) => from === a);
      };
      const lists = () => fromA().filter(([, topic]) => topic === 'catalog.list');
      expect(
        await eventually(
          async () => fromA().filter(([, , key]) => ids.has(key)).length === 3 && lists().length > 0,
        ),
      ).toBe(true);
      // Time for a second listings message, were one sent.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const sold = fromA().filter(([, topic]) => topic === 'catalog.product');
      expect(sold.map(([, , key]) => key).sort()).toEqual([...ids].sort());
      expect(lists().map(([, , key]) => key)).toEqual(['*']);
    } finally {
      await listener.quit();
    }
    for (const product of products)
      expect(
        await eventually(
          async () => (await b.api<ProductJson>('GET', `/products/${product.id}`)).body.results.stock === 4,
        ),
      ).toBe(true);
  });
});
