import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countProducts,
  createProduct,
  imageInfo,
  png,
  type ProductJson,
  productForm,
} from '../helpers/catalog.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let sellerA: Awaited<ReturnType<typeof signUp>>;
let sellerB: Awaited<ReturnType<typeof signUp>>;
let buyer: Awaited<ReturnType<typeof signUp>>;
let admin: { token: string };

beforeAll(async () => {
  app = await startTestApp({ IMAGE_MAX_BYTES: '20000' });
  sellerA = await signUp(app, { role: 'seller' });
  sellerB = await signUp(app, { role: 'seller' });
  buyer = await signUp(app);
  const root = await app.platform.users.users.createAdmin({
    name: 'Root',
    email: 'root@example.com',
    password: 'admin password 1',
  });
  const login = await app.api<{ token: string }>('POST', '/users/login', {
    body: { email: root.email, password: 'admin password 1' },
  });
  admin = { token: login.body.results.token };
});
afterAll(() => app.close());

const uploadedFiles = () => {
  try {
    return readdirSync(path.join(app.config.dataDir, 'uploads', 'products'));
  } catch {
    return [];
  }
};

describe('POST /products', () => {
  it('creates a product from JSON with the seed field names', async () => {
    const res = await app.api<ProductJson>('POST', '/products', {
      token: sellerA.token,
      body: { name: ' Batik shirt ', description: 'Hand-stamped', price: '150000', stock: 3 },
    });
    expect(res.status).toBe(201);
    expect(res.body.meta.message).toBe('create product successfully');
    expect(res.body.results).toMatchObject({
      user_id: sellerA.id,
      name: 'Batik shirt',
      price: '150000',
      currency: 'IDR',
      stock: 3,
      image_url: null,
      thumbnail_url: null,
    });
  });

  it('creates a product from a multipart form with the image under image_url, as the seed sends it', async () => {
    const form = productForm(
      { name: 'Kopi Gayo', description: 'Arabica', price: '85000', stock: '12' },
      { field: 'image_url', bytes: png(7) },
    );
    const res = await app.api<ProductJson>('POST', '/products', { token: sellerA.token, form });
    expect(res.status).toBe(201);
    expect(res.body.results).toMatchObject({ name: 'Kopi Gayo', price: '85000', stock: 12 });
    expect(res.body.results.image_url).toMatch(
      /^http:\/\/127\.0\.0\.1\/uploads\/products\/[0-9a-f-]+\.webp$/,
    );
    expect(res.body.results.thumbnail_url).toBe(
      res.body.results.image_url!.replace(/\.webp$/, '-thumb.webp'),
    );
    const served = await fetch(`${app.url}${new URL(res.body.results.image_url!).pathname}`);
    expect(served.status).toBe(200);
    // Stored re-encoded, never as sent.
    expect(served.headers.get('content-type')).toBe('image/webp');
    expect(served.headers.get('cache-control')).toContain('immutable');
    expect(await imageInfo(Buffer.from(await served.arrayBuffer()))).toMatchObject({
      format: 'webp',
      width: 8,
      height: 8,
    });
  });

  it('accepts the image under `image` and prices in currencies with decimals', async () => {
    const form = productForm(
      { name: 'Sisal basket', price: '12.50', currency: 'usd', stock: '0' },
      { field: 'image', bytes: png(2) },
    );
    const res = await app.api<ProductJson>('POST', '/products', { token: sellerA.token, form });
    expect(res.status).toBe(201);
    expect(res.body.results).toMatchObject({ price: '12.50', currency: 'USD', stock: 0 });
  });

  it('lets only sellers create products', async () => {
    const byBuyer = await app.api('POST', '/products', {
      token: buyer.token,
      body: { name: 'x', price: '1', stock: 1 },
    });
    expect(byBuyer.status).toBe(403);
    const anonymous = await app.api('POST', '/products', { body: { name: 'x', price: '1', stock: 1 } });
    expect(anonymous.status).toBe(401);
  });

  it.each([
    ['an empty price', { price: '' }, 'price', 'not_a_number'],
    ['a zero price', { price: '0' }, 'price', 'not_positive'],
    ['a price that is not a number', { price: 'ten' }, 'price', 'not_a_number'],
    ['a numeric JSON price', { price: 1000 }, 'price', 'invalid_type'],
    ['decimals in IDR', { price: '1000.5' }, 'price', 'too_many_decimals'],
    ['three decimals in USD', { price: '1.005', currency: 'USD' }, 'price', 'too_many_decimals'],
    ['an unknown currency', { currency: 'XYZ' }, 'currency', 'unsupported_currency'],
    ['a negative stock', { stock: -1 }, 'stock', 'out_of_range'],
    ['a fractional stock', { stock: 1.5 }, 'stock', 'invalid_type'],
    ['a missing name', { name: undefined }, 'name', 'required'],
    ['a blank name', { name: '   ' }, 'name', 'out_of_range'],
    ['an unknown field', { colour: 'red' }, 'colour', 'unknown_field'],
  ])('refuses %s with 400 naming the field, writing nothing', async (_label, patch, field, code) => {
    const before = await countProducts(app);
    const body: Record<string, unknown> = { name: 'Thing', price: '1000', stock: 1, ...patch };
    for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
    const res = await app.api('POST', '/products', { token: sellerA.token, body });
    expect(res.status).toBe(400);
    expect(res.body.meta.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
    expect(await countProducts(app)).toBe(before);
  });

  it('refuses a text file renamed to .png, and stores neither row nor file', async () => {
    const before = { rows: await countProducts(app), files: uploadedFiles().length };
    const form = productForm(
      { name: 'Fake', price: '1000', stock: '1' },
      { field: 'image', bytes: Buffer.from('just some text, not an image'), name: 'photo.png' },
    );
    const res = await app.api('POST', '/products', { token: sellerA.token, form });
    expect(res.status).toBe(400);
    expect(res.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'image', code: 'unsupported_image' }),
    ]);
    expect(await countProducts(app)).toBe(before.rows);
    expect(uploadedFiles()).toHaveLength(before.files);
  });

  it('refuses an image over the size limit with 400 naming the field', async () => {
    const big = Buffer.concat([png(3), Buffer.alloc(30_000)]);
    const res = await app.api('POST', '/products', {
      token: sellerA.token,
      form: productForm({ name: 'Big', price: '1000', stock: '1' }, { field: 'image_url', bytes: big }),
    });
    expect(res.status).toBe(400);
    expect(res.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'image_url', code: 'image_too_large' }),
    ]);
  });

  it('refuses a multipart form with a bad field without keeping its valid image', async () => {
    const before = { rows: await countProducts(app), files: uploadedFiles().length };
    const form = productForm(
      { name: 'Bad price', price: 'abc', stock: '1' },
      { field: 'image', bytes: png(4) },
    );
    const res = await app.api('POST', '/products', { token: sellerA.token, form });
    expect(res.status).toBe(400);
    expect(await countProducts(app)).toBe(before.rows);
    expect(uploadedFiles()).toHaveLength(before.files);
  });

  it('refuses a multipart stock that is not a whole number', async () => {
    const res = await app.api('POST', '/products', {
      token: sellerA.token,
      form: productForm({ name: 'X', price: '1000', stock: 'many' }),
    });
    expect(res.status).toBe(400);
    expect(res.body.meta.errors).toEqual([expect.objectContaining({ field: 'stock' })]);
  });
});

describe('PUT /products/:id', () => {
  it('changes only the fields given, from a form with only name and stock', async () => {
    const product = await createProduct(app, sellerA.token, { description: 'keep me' });
    const res = await app.api<ProductJson>('PUT', `/products/${product.id}`, {
      token: sellerA.token,
      form: productForm({ name: 'Renamed', stock: '9' }),
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toMatchObject({
      name: 'Renamed',
      stock: 9,
      description: 'keep me',
      price: product.price,
    });
  });

  it('replaces the image and removes the old object', async () => {
    const created = await app.api<ProductJson>('POST', '/products', {
      token: sellerA.token,
      form: productForm({ name: 'Pic', price: '5000', stock: '1' }, { field: 'image', bytes: png(10) }),
    });
    const oldFile = path.basename(created.body.results.image_url!);
    const res = await app.api<ProductJson>('PUT', `/products/${created.body.results.id}`, {
      token: sellerA.token,
      form: productForm({}, { field: 'image_url', bytes: png(11) }),
    });
    expect(res.status).toBe(200);
    const newFile = path.basename(res.body.results.image_url!);
    expect(newFile).not.toBe(oldFile);
    expect(uploadedFiles()).toContain(newFile);
    expect(uploadedFiles()).not.toContain(oldFile);
  });

  it('asks for the price again when the currency changes', async () => {
    const product = await createProduct(app, sellerA.token);
    const res = await app.api('PUT', `/products/${product.id}`, {
      token: sellerA.token,
      body: { currency: 'USD' },
    });
    expect(res.status).toBe(400);
    expect(res.body.meta.errors).toEqual([expect.objectContaining({ field: 'price' })]);
    const ok = await app.api<ProductJson>('PUT', `/products/${product.id}`, {
      token: sellerA.token,
      body: { currency: 'USD', price: '9.99' },
    });
    expect(ok.body.results).toMatchObject({ currency: 'USD', price: '9.99' });
  });

  it('answers 404 to another seller and 403 to a buyer, changing nothing', async () => {
    const product = await createProduct(app, sellerA.token);
    const bySellerB = await app.api('PUT', `/products/${product.id}`, {
      token: sellerB.token,
      body: { name: 'Stolen' },
    });
    expect(bySellerB.status).toBe(404);
    expect(bySellerB.body.meta.code).toBe('product_not_found');
    const byBuyer = await app.api('PUT', `/products/${product.id}`, {
      token: buyer.token,
      body: { name: 'Stolen' },
    });
    expect(byBuyer.status).toBe(403);
    const after = await app.api<ProductJson>('GET', `/products/${product.id}`);
    expect(after.body.results.name).toBe(product.name);
  });

  it('lets an admin change any product', async () => {
    const product = await createProduct(app, sellerA.token);
    const res = await app.api<ProductJson>('PUT', `/products/${product.id}`, {
      token: admin.token,
      body: { stock: 0 },
    });
    expect(res.status).toBe(200);
    expect(res.body.results.stock).toBe(0);
  });

  it('refuses an empty update and a bad price, keeping the product as it was', async () => {
    const product = await createProduct(app, sellerA.token);
    expect((await app.api('PUT', `/products/${product.id}`, { token: sellerA.token, body: {} })).status).toBe(
      400,
    );
    expect(
      (await app.api('PUT', `/products/${product.id}`, { token: sellerA.token, body: { price: '-5' } }))
        .status,
    ).toBe(400);
    expect((await app.api<ProductJson>('GET', `/products/${product.id}`)).body.results.price).toBe(
      product.price,
    );
  });
});

describe('DELETE /products/:id', () => {
  it('soft-deletes: the product leaves reads but its row stays for past orders', async () => {
    const created = await app.api<ProductJson>('POST', '/products', {
      token: sellerA.token,
      form: productForm({ name: 'Gone soon', price: '1000', stock: '1' }, { field: 'image', bytes: png(20) }),
    });
    const product = created.body.results;
    expect((await app.api('GET', `/products/${product.id}`)).status).toBe(200);
    const res = await app.api('DELETE', `/products/${product.id}`, { token: sellerA.token });
    expect(res.status).toBe(200);
    expect(res.body.meta).toMatchObject({ success: true, message: 'delete product successfully' });
    expect((await app.api('GET', `/products/${product.id}`)).status).toBe(404);
    const list = await app.api<ProductJson[]>('GET', `/products?seller_id=${sellerA.id}&limit=100`);
    expect(list.body.results.map((p) => p.id)).not.toContain(product.id);
    const row = await app.db.database.db
      .selectFrom('products' as never)
      .select(['deleted_at' as never])
      .where('id' as never, '=', product.id as never)
      .executeTakeFirst();
    expect(row).toBeDefined();
    expect(uploadedFiles()).not.toContain(path.basename(product.image_url!));
    expect((await app.api('DELETE', `/products/${product.id}`, { token: sellerA.token })).status).toBe(404);
  });

  it('answers 404 to another seller', async () => {
    const product = await createProduct(app, sellerA.token);
    expect((await app.api('DELETE', `/products/${product.id}`, { token: sellerB.token })).status).toBe(404);
    expect((await app.api('GET', `/products/${product.id}`)).status).toBe(200);
  });
});
