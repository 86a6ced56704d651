import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let seller: Awaited<ReturnType<typeof signUp>>;
let other: Awaited<ReturnType<typeof signUp>>;

type Page = {
  results: ProductJson[];
  meta: { pagination: { next_cursor: string | null; has_more: boolean; limit: number } };
};

const list = async (query: string) => {
  const res = await app.api<ProductJson[]>('GET', `/products?${query}`);
  return { status: res.status, body: res.body as unknown as Page, headers: res.headers, raw: res.body };
};

/** Follows next_cursor to the end, returning every id in order. */
async function walk(query: string, between?: (page: number) => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const res = await list(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    ids.push(...res.body.results.map((p) => p.id));
    cursor = res.body.meta.pagination.next_cursor;
    if (!cursor) return ids;
    await between?.(page);
  }
  throw new Error('pagination did not end');
}

beforeAll(async () => {
  app = await startTestApp();
  seller = await signUp(app, { role: 'seller' });
  other = await signUp(app, { role: 'seller' });
  const catalog = [
    ['Batik shirt', 'Hand-stamped cotton shirt from Solo', '150000', 5],
    ['Batik scarf', 'Silk scarf with a parang pattern', '95000', 0],
    ['Kopi Gayo', 'Arabica coffee beans from Aceh', '85000', 20],
    ['Kopi Toraja', 'Roasted coffee from Sulawesi', '120000', 3],
    ['Rattan basket', 'Woven by hand', '60000', 7],
  ] as const;
  for (const [name, description, price, stock] of catalog) {
    await createProduct(app, seller.token, { name, description, price, stock });
  }
  await createProduct(app, other.token, {
    name: 'Sisal basket',
    description: 'Kenyan weave',
    price: '25.00',
    currency: 'KES',
    stock: 2,
  });
});
afterAll(() => app.close());

describe('GET /products', () => {
  it('lists newest first with pagination metadata', async () => {
    const res = await list('limit=2');
    expect(res.status).toBe(200);
    expect(res.body.results.map((p) => p.name)).toEqual(['Sisal basket', 'Rattan basket']);
    expect(res.body.meta.pagination).toMatchObject({ limit: 2, has_more: true });
  });

  it('walks every product exactly once across pages', async () => {
    const ids = await walk('limit=2');
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });

  it('neither skips nor repeats rows while new products are inserted between pages', async () => {
    const before = await walk('limit=100');
    const seen = await walk('limit=2', async (page) => {
      await createProduct(app, seller.token, { name: `Inserted ${page}`, price: '1000' });
    });
    // Every product that existed when the walk started is seen exactly once, in order.
    expect(seen.filter((id) => before.includes(id))).toEqual(before);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('sorts by price within one currency, both ways, across pages', async () => {
    const asc = (await list('sort=price_asc&limit=100&seller_id=' + seller.id)).body.results.map((p) =>
      Number(p.price),
    );
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    const desc = await walk(`sort=price_desc&limit=2&seller_id=${seller.id}`);
    const prices = (await list(`sort=price_desc&limit=100&seller_id=${seller.id}`)).body.results;
    expect(desc).toEqual(prices.map((p) => p.id));
    expect(prices.every((p) => p.currency === 'IDR')).toBe(true);
  });

  it('filters by seller, price range and stock', async () => {
    const bySeller = (await list(`seller_id=${other.id}`)).body.results;
    expect(bySeller.map((p) => p.name)).toEqual(['Sisal basket']);
    const range = (await list('min_price=80000&max_price=130000&limit=100')).body.results
      .map((p) => p.name)
      .sort();
    expect(range).toEqual(['Batik scarf', 'Kopi Gayo', 'Kopi Toraja']);
    const outOfStock = (await list('in_stock=false')).body.results.map((p) => p.name);
    expect(outOfStock).toEqual(['Batik scarf']);
    const kes = (await list('currency=KES&min_price=20.00')).body.results.map((p) => p.name);
    expect(kes).toEqual(['Sisal basket']);
  });

  it('searches names and descriptions by word prefixes', async () => {
    const names = async (q: string) =>
      (await list(`q=${encodeURIComponent(q)}&limit=100`)).body.results.map((p) => p.name).sort();
    expect(await names('kopi')).toEqual(['Kopi Gayo', 'Kopi Toraja']);
    expect(await names('coff')).toEqual(['Kopi Gayo', 'Kopi Toraja']);
    expect(await names('batik silk')).toEqual(['Batik scarf']);
    expect(await names('woven')).toEqual(['Rattan basket']);
    expect(await names('nothing-like-this')).toEqual([]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['sort=random', 'sort'],
    ['min_price=abc', 'min_price'],
    ['min_price=1.5', 'min_price'],
    ['seller_id=42', 'seller_id'],
    ['cursor=garbage', 'cursor'],
    ['q=%21%21%21', 'q'],
    ['colour=red', 'colour'],
  ])('refuses %s with 400 naming the field', async (query, field) => {
    const res = await list(query);
    expect(res.status).toBe(400);
    expect((res.raw.meta.errors as { field: string }[]).map((e) => e.field)).toContain(field);
  });

  it('refuses a cursor issued for another sort', async () => {
    const first = await list('limit=1');
    const res = await list(`sort=price_asc&cursor=${first.body.meta.pagination.next_cursor}`);
    expect(res.status).toBe(400);
  });
});

describe('conditional reads and caching', () => {
  it('answers 304 to If-None-Match on a product and on a list', async () => {
    const product = await createProduct(app, seller.token, { name: 'Etag test' });
    const first = await app.api('GET', `/products/${product.id}`);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${app.url}/products/${product.id}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const page = await app.api('GET', '/products?limit=3');
    const notModified = await fetch(`${app.url}/products?limit=3`, {
      headers: { 'if-none-match': page.headers.get('etag')! },
    });
    expect(notModified.status).toBe(304);
  });

  it('serves the change, with a new ETag, right after an update or delete', async () => {
    const product = await createProduct(app, seller.token, { name: 'Before' });
    const first = await app.api<ProductJson>('GET', `/products/${product.id}`);
    await app.api<ProductJson[]>('GET', '/products?limit=100');
    await app.api('PUT', `/products/${product.id}`, {
      token: seller.token,
      body: { name: 'After', stock: 1 },
    });
    const second = await app.api<ProductJson>('GET', `/products/${product.id}`);
    expect(second.body.results.name).toBe('After');
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    const stale = await fetch(`${app.url}/products/${product.id}`, {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    expect(stale.status).toBe(200);
    const listed = (await list('limit=100')).body.results.find((p) => p.id === product.id);
    expect(listed?.name).toBe('After');
    await app.api('DELETE', `/products/${product.id}`, { token: seller.token });
    expect((await app.api('GET', `/products/${product.id}`)).status).toBe(404);
    expect((await list('limit=100')).body.results.some((p) => p.id === product.id)).toBe(false);
  });

  it('marks cached sandbox responses too', async () => {
    const res = await list('limit=1');
    expect(res.raw.meta).toMatchObject({ success: true, sandbox: true });
  });
});
