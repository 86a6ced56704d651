import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, imageInfo, png, type ProductJson, productForm } from '../helpers/catalog.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

interface ImageJson {
  id: string;
  image_url: string;
  thumbnail_url: string | null;
  position: number;
}

let app: TestApp;
let seller: Awaited<ReturnType<typeof signUp>>;
let otherSeller: Awaited<ReturnType<typeof signUp>>;
let buyer: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  app = await startTestApp({ IMAGE_MAX_BYTES: '20000' });
  seller = await signUp(app, { role: 'seller' });
  otherSeller = await signUp(app, { role: 'seller' });
  buyer = await signUp(app);
});
afterAll(() => app.close());

const uploadedFiles = () => {
  try {
    return readdirSync(path.join(app.config.dataDir, 'uploads', 'products'));
  } catch {
    return [];
  }
};
const fileOf = (url: string) => url.split('/').at(-1)!;

const upload = (productId: string, bytes: Buffer, token = seller.token) =>
  app.api<ImageJson>('POST', `/products/${productId}/images`, {
    token,
    form: productForm({}, { field: 'image', bytes }),
  });
const gallery = async (productId: string) =>
  (await app.api<ImageJson[]>('GET', `/products/${productId}/images`)).body.results;
const product = async (productId: string) =>
  (await app.api<ProductJson>('GET', `/products/${productId}`)).body.results;
const reorder = (productId: string, imageIds: string[], token = seller.token) =>
  app.api<ImageJson[]>('PATCH', `/products/${productId}/images/order`, {
    token,
    body: { image_ids: imageIds },
  });

describe('a product gallery', () => {
  it('starts with the image the product was created with, which stays its image_url', async () => {
    const form = productForm(
      { name: 'Pictured', price: '1000', stock: '1' },
      { field: 'image', bytes: png(1) },
    );
    const created = (await app.api<ProductJson>('POST', '/products', { token: seller.token, form })).body
      .results;
    const before = await gallery(created.id);
    expect(before).toEqual([
      expect.objectContaining({
        image_url: created.image_url,
        thumbnail_url: created.thumbnail_url,
        position: 0,
      }),
    ]);
    const added = await upload(created.id, png(2));
    expect(added.status).toBe(201);
    expect(added.body.results.position).toBe(1);
    expect((await product(created.id)).image_url).toBe(created.image_url);
    const stored = await fetch(added.body.results.image_url.replace('http://127.0.0.1', app.url));
    expect(await imageInfo(Buffer.from(await stored.arrayBuffer()))).toMatchObject({ format: 'webp' });
  });

  it('makes the first upload the cover of a product without an image, and keeps the cached product right', async () => {
    const bare = await createProduct(app, seller.token);
    expect((await product(bare.id)).image_url).toBeNull();
    const first = (await upload(bare.id, png(3))).body.results;
    const second = (await upload(bare.id, png(4))).body.results;
    expect((await product(bare.id)).image_url).toBe(first.image_url);
    const listed = await app.api<ProductJson[]>('GET', `/products?seller_id=${seller.id}&limit=100`);
    expect(listed.body.results.find((p) => p.id === bare.id)?.image_url).toBe(first.image_url);

    const reordered = await reorder(bare.id, [second.id, first.id]);
    expect(reordered.status).toBe(200);
    expect(reordered.body.results.map((image) => [image.id, image.position])).toEqual([
      [second.id, 0],
      [first.id, 1],
    ]);
    expect(await product(bare.id)).toMatchObject({
      image_url: second.image_url,
      thumbnail_url: second.thumbnail_url,
    });
    const relisted = await app.api<ProductJson[]>('GET', `/products?seller_id=${seller.id}&limit=100`);
    expect(relisted.body.results.find((p) => p.id === bare.id)?.image_url).toBe(second.image_url);
  });

  it('refuses an order that is not a permutation of the gallery with 422', async () => {
    const item = await createProduct(app, seller.token);
    const a = (await upload(item.id, png(5))).body.results;
    const b = (await upload(item.id, png(6))).body.results;
    const c = (await upload(item.id, png(7))).body.results;
    for (const ids of [
      [a.id, b.id],
      [a.id, b.id, b.id],
      [a.id, b.id, item.id],
      [a.id, b.id, c.id, c.id],
    ]) {
      const res = await reorder(item.id, ids);
      expect([res.status, res.body.meta.code]).toEqual([422, 'invalid_image_order']);
    }
    expect((await gallery(item.id)).map((image) => image.id)).toEqual([a.id, b.id, c.id]);
  });

  it('removes an image and its files, closing the gap; removing the cover promotes the next', async () => {
    const item = await createProduct(app, seller.token);
    const a = (await upload(item.id, png(8))).body.results;
    const b = (await upload(item.id, png(9))).body.results;
    const c = (await upload(item.id, png(10))).body.results;
    expect(uploadedFiles()).toContain(fileOf(b.image_url));

    expect(
      (await app.api('DELETE', `/products/${item.id}/images/${b.id}`, { token: seller.token })).status,
    ).toBe(200);
    expect((await gallery(item.id)).map((image) => [image.id, image.position])).toEqual([
      [a.id, 0],
      [c.id, 1],
    ]);
    expect(uploadedFiles()).not.toContain(fileOf(b.image_url));
    expect(uploadedFiles()).not.toContain(fileOf(b.thumbnail_url!));

    await app.api('DELETE', `/products/${item.id}/images/${a.id}`, { token: seller.token });
    expect((await product(item.id)).image_url).toBe(c.image_url);
    await app.api('DELETE', `/products/${item.id}/images/${c.id}`, { token: seller.token });
    expect(await product(item.id)).toMatchObject({ image_url: null, thumbnail_url: null });
    expect(await gallery(item.id)).toEqual([]);
    const again = await app.api('DELETE', `/products/${item.id}/images/${c.id}`, { token: seller.token });
    expect([again.status, again.body.meta.code]).toEqual([404, 'image_not_found']);
  });

  it('lets the single-image update replace the cover in the gallery', async () => {
    const item = await createProduct(app, seller.token);
    const a = (await upload(item.id, png(11))).body.results;
    const b = (await upload(item.id, png(12))).body.results;
    const form = productForm({}, { field: 'image_url', bytes: png(13) });
    const updated = await app.api<ProductJson>('PUT', `/products/${item.id}`, { token: seller.token, form });
    expect(updated.status).toBe(200);
    const now = await gallery(item.id);
    expect(now.map((image) => image.image_url)).toEqual([updated.body.results.image_url, b.image_url]);
    expect(now[0]!.id).toBe(a.id);
    expect(uploadedFiles()).not.toContain(fileOf(a.image_url));
  });

  it('refuses files that are not images, a missing file, and other people', async () => {
    const item = await createProduct(app, seller.token);
    const text = await upload(item.id, Buffer.from('not an image at all'));
    expect(text.status).toBe(400);
    expect(text.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'image', code: 'unsupported_image' }),
    ]);
    const big = await upload(item.id, Buffer.concat([png(3), Buffer.alloc(30_000)]));
    expect(big.status).toBe(400);
    const none = await app.api('POST', `/products/${item.id}/images`, { token: seller.token, body: {} });
    expect(none.status).toBe(400);
    expect((await upload(item.id, png(1), otherSeller.token)).status).toBe(404);
    expect((await upload(item.id, png(1), buyer.token)).status).toBe(403);
    expect(await gallery(item.id)).toEqual([]);
  });

  it('holds at most 10 images, also under 12 concurrent uploads', async () => {
    const item = await createProduct(app, seller.token);
    const before = uploadedFiles().length;
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => upload(item.id, png(20 + i))));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(results.filter((res) => res.status === 409).map((res) => res.body.meta.code)).toEqual([
      'too_many_images',
      'too_many_images',
    ]);
    const images = await gallery(item.id);
    expect(images.map((image) => image.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await product(item.id)).image_url).toBe(images[0]!.image_url);
    // Each kept image and thumbnail is stored; the refused uploads left no files behind.
    const files = new Set(uploadedFiles());
    const stored = images.flatMap((image) => [fileOf(image.image_url), fileOf(image.thumbnail_url!)]);
    expect(stored.every((file) => files.has(file))).toBe(true);
    expect(files.size).toBe(before + 20);
  });

  it('removes every gallery file when the product is deleted', async () => {
    const item = await createProduct(app, seller.token);
    const images = [
      (await upload(item.id, png(40))).body.results,
      (await upload(item.id, png(41))).body.results,
    ];
    await app.api('DELETE', `/products/${item.id}`, { token: seller.token });
    const files = uploadedFiles();
    expect(images.some((image) => files.includes(fileOf(image.image_url)))).toBe(false);
    expect((await app.api('GET', `/products/${item.id}/images`)).status).toBe(404);
  });
});
