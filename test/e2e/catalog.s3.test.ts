import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countProducts, imageInfo, png, type ProductJson, productForm } from '../helpers/catalog.js';
import { type S3rverServer, startS3rver } from '../helpers/s3rver.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

const BUCKET = 'mamlaka-products';
let s3: S3rverServer;
let endpoint: string;
let app: TestApp;
let seller: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  const started = await startS3rver(mkdtempSync(path.join(tmpdir(), 'mamlaka-s3-')), BUCKET);
  s3 = started.server;
  endpoint = started.endpoint;
  app = await startTestApp({
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: endpoint,
    S3_ACCESS_KEY_ID: started.accessKeyId,
    S3_SECRET_ACCESS_KEY: started.secretAccessKey,
  });
  seller = await signUp(app, { role: 'seller' });
});
afterAll(async () => {
  await app?.close();
  await s3?.close();
});

const fetchObject = (url: string) =>
  fetch(url).then(async (r) => ({ status: r.status, bytes: Buffer.from(await r.arrayBuffer()) }));

describe('product images on S3-compatible storage', () => {
  it('stores the re-encoded upload and its thumbnail in the bucket and points the URLs at them', async () => {
    const image = png(42);
    const res = await app.api<ProductJson>('POST', '/products', {
      token: seller.token,
      form: productForm(
        { name: 'S3 shirt', price: '150000', stock: '2' },
        { field: 'image_url', bytes: image },
      ),
    });
    expect(res.status).toBe(201);
    expect(res.body.results.image_url).toMatch(
      new RegExp(`^${endpoint}/${BUCKET}/products/[0-9a-f-]+\\.webp$`),
    );
    const stored = await fetchObject(res.body.results.image_url!);
    expect(stored.status).toBe(200);
    expect(await imageInfo(stored.bytes)).toMatchObject({ format: 'webp', width: 8, height: 8 });
    const thumbnail = await fetchObject(res.body.results.thumbnail_url!);
    expect(await imageInfo(thumbnail.bytes)).toMatchObject({ format: 'webp', width: 8, height: 8 });
  });

  it('removes the old object when the image is replaced, and the last one when the product is deleted', async () => {
    const created = await app.api<ProductJson>('POST', '/products', {
      token: seller.token,
      form: productForm({ name: 'Swap', price: '1000', stock: '1' }, { field: 'image', bytes: png(1) }),
    });
    const firstUrls = [created.body.results.image_url!, created.body.results.thumbnail_url!];
    const replaced = await app.api<ProductJson>('PUT', `/products/${created.body.results.id}`, {
      token: seller.token,
      form: productForm({}, { field: 'image', bytes: png(2) }),
    });
    const secondUrls = [replaced.body.results.image_url!, replaced.body.results.thumbnail_url!];
    for (const url of firstUrls) expect((await fetchObject(url)).status).toBe(404);
    for (const url of secondUrls) expect((await fetchObject(url)).status).toBe(200);
    await app.api('DELETE', `/products/${created.body.results.id}`, { token: seller.token });
    for (const url of secondUrls) expect((await fetchObject(url)).status).toBe(404);
  });

  it('stores no row when the storage refuses the upload', async () => {
    const before = await countProducts(app);
    await s3.close();
    try {
      const res = await app.api('POST', '/products', {
        token: seller.token,
        form: productForm(
          { name: 'No storage', price: '1000', stock: '1' },
          { field: 'image', bytes: png(5) },
        ),
      });
      expect(res.status).toBe(503);
      expect(res.body.meta.code).toBe('storage_unavailable');
      expect(await countProducts(app)).toBe(before);
    } finally {
      const again = await startS3rver(
        mkdtempSync(path.join(tmpdir(), 'mamlaka-s3-')),
        BUCKET,
        Number(new URL(endpoint).port),
      );
      s3 = again.server;
    }
  });
});
