import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

interface CollectionJson {
  id: string;
  title: string;
  slug: string;
  description: string;
}

interface CollectionPageJson extends CollectionJson {
  products: ProductJson[];
  next_cursor: string | null;
}

let app: TestApp;
let seller: Awaited<ReturnType<typeof signUp>>;
let admin: string;

beforeAll(async () => {
  app = await startTestApp();
  seller = await signUp(app, { role: 'seller' });
  const root = await app.platform.users.users.createAdmin({
    name: 'Root',
    email: 'root@example.com',
    password: 'admin password 1',
  });
  const login = await app.api<{ token: string }>('POST', '/users/login', {
    body: { email: root.email, password: 'admin password 1' },
  });
  admin = login.body.results.token;
});
afterAll(() => app.close());

async function collection(body: Record<string, unknown>): Promise<CollectionJson> {
  const res = await app.api<CollectionJson>('POST', '/collections', { token: admin, body });
  if (res.status !== 201) throw new Error(`create collection failed: ${JSON.stringify(res.body)}`);
  return res.body.results;
}
const setProducts = (id: string, productIds: string[], token = admin) =>
  app.api<{ product_ids: string[] }>('PUT', `/collections/${id}/products`, {
    token,
    body: { product_ids: productIds },
  });
const page = (id: string, query = '') => app.api<CollectionPageJson>('GET', `/collections/${id}${query}`);

describe('collections', () => {
  it('are created, changed and deleted by admins only', async () => {
    const made = await collection({
      title: ' Lebaran picks ',
      slug: 'lebaran',
      description: 'For the holiday',
    });
    expect(made).toMatchObject({ title: 'Lebaran picks', slug: 'lebaran', description: 'For the holiday' });
    const bySeller = await app.api('POST', '/collections', {
      token: seller.token,
      body: { title: 'x', slug: 'x' },
    });
    expect(bySeller.status).toBe(403);
    expect((await app.api('POST', '/collections', { body: { title: 'x', slug: 'x' } })).status).toBe(401);
    const taken = await app.api('POST', '/collections', {
      token: admin,
      body: { title: 'Again', slug: 'lebaran' },
    });
    expect([taken.status, taken.body.meta.code]).toEqual([409, 'slug_taken']);
    const badSlug = await app.api('POST', '/collections', {
      token: admin,
      body: { title: 'Bad', slug: 'Not A Slug' },
    });
    expect(badSlug.status).toBe(400);

    const changed = await app.api<CollectionJson>('PATCH', `/collections/${made.id}`, {
      token: admin,
      body: { title: 'Idul Fitri picks' },
    });
    expect(changed.body.results).toMatchObject({ title: 'Idul Fitri picks', slug: 'lebaran' });
    expect((await app.api('PATCH', `/collections/${made.id}`, { token: admin, body: {} })).status).toBe(400);
    const listed = await app.api<CollectionJson[]>('GET', '/collections');
    expect(listed.body.results.map((c) => c.id)).toContain(made.id);

    expect((await app.api('DELETE', `/collections/${made.id}`, { token: seller.token })).status).toBe(403);
    expect((await app.api('DELETE', `/collections/${made.id}`, { token: admin })).status).toBe(200);
    expect((await page(made.id)).status).toBe(404);
    expect((await app.api('DELETE', `/collections/${made.id}`, { token: admin })).status).toBe(404);
  });

  it('shows its products in the order set, page by page, without deleted ones', async () => {
    const picks = await collection({ title: 'Ordered', slug: 'ordered' });
    const products = [];
    for (let i = 0; i < 5; i += 1)
      products.push(await createProduct(app, seller.token, { name: `Pick ${i}` }));
    const order = [products[3]!, products[0]!, products[4]!, products[1]!, products[2]!].map((p) => p.id);
    const set = await setProducts(picks.id, order);
    expect(set.status).toBe(200);
    expect(set.body.results.product_ids).toEqual(order);

    const first = await page(picks.id, '?limit=2');
    expect(first.body.results.products.map((p) => p.id)).toEqual(order.slice(0, 2));
    const second = await page(picks.id, `?limit=2&cursor=${first.body.results.next_cursor}`);
    expect(second.body.results.products.map((p) => p.id)).toEqual(order.slice(2, 4));
    const third = await page(picks.id, `?limit=2&cursor=${second.body.results.next_cursor}`);
    expect(third.body.results.products.map((p) => p.id)).toEqual(order.slice(4));
    expect(third.body.results.next_cursor).toBeNull();
    expect((await page(picks.id, '?cursor=nonsense')).status).toBe(400);

    await app.api('DELETE', `/products/${order[0]}`, { token: seller.token });
    const after = await page(picks.id, '?limit=100');
    expect(after.body.results.products.map((p) => p.id)).toEqual(order.slice(1));

    const reversed = [...order.slice(1)].reverse();
    await setProducts(picks.id, reversed);
    expect((await page(picks.id)).body.results.products.map((p) => p.id)).toEqual(reversed);
  });

  it('refuses duplicates, unknown products, more than 500 products and non-admins, changing nothing', async () => {
    const picks = await collection({ title: 'Guarded', slug: 'guarded' });
    const item = await createProduct(app, seller.token);
    await setProducts(picks.id, [item.id]);
    const twice = await setProducts(picks.id, [item.id, item.id]);
    expect(twice.status).toBe(400);
    const unknown = await setProducts(picks.id, [item.id, randomUUID()]);
    expect([unknown.status, unknown.body.meta.code]).toEqual([422, 'product_not_found']);
    const tooMany = await setProducts(
      picks.id,
      Array.from({ length: 501 }, () => randomUUID()),
    );
    expect(tooMany.status).toBe(400);
    expect((await setProducts(picks.id, [], seller.token)).status).toBe(403);
    expect((await setProducts(randomUUID(), [item.id])).status).toBe(404);
    expect((await page(picks.id)).body.results.products.map((p) => p.id)).toEqual([item.id]);
  });

  it('ends concurrent replacements with exactly one of them', async () => {
    const picks = await collection({ title: 'Raced', slug: 'raced' });
    const ids = (await Promise.all(Array.from({ length: 25 }, () => createProduct(app, seller.token)))).map(
      (p) => p.id,
    );
    const lists = Array.from({ length: 10 }, (_, i) => [...ids.slice(i), ...ids.slice(0, i)]);
    const results = await Promise.all(lists.map((list) => setProducts(picks.id, list)));
    expect(results.every((res) => res.status === 200)).toBe(true);
    const shown = (await page(picks.id, '?limit=100')).body.results.products.map((p) => p.id);
    expect(lists).toContainEqual(shown);
  });

  it('holds up to 500 products, shown 100 at a time', async () => {
    const picks = await collection({ title: 'Big', slug: 'big' });
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      const made = await Promise.all(Array.from({ length: 50 }, () => createProduct(app, seller.token)));
      ids.push(...made.map((p) => p.id));
    }
    expect((await setProducts(picks.id, ids)).status).toBe(200);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await page(picks.id, `?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.results.products.map((p) => p.id));
      cursor = res.body.results.next_cursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });
});
