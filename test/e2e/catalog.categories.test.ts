import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

interface CategoryJson {
  id: string;
  name: string;
  slug: string;
  parent_id: string | null;
  position: number;
  children: CategoryJson[];
}

let app: TestApp;
let seller: Awaited<ReturnType<typeof signUp>>;
let otherSeller: Awaited<ReturnType<typeof signUp>>;
let buyer: Awaited<ReturnType<typeof signUp>>;
let admin: string;

beforeAll(async () => {
  app = await startTestApp();
  seller = await signUp(app, { role: 'seller' });
  otherSeller = await signUp(app, { role: 'seller' });
  buyer = await signUp(app);
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

async function category(body: Record<string, unknown>): Promise<CategoryJson> {
  const res = await app.api<CategoryJson>('POST', '/categories', { token: admin, body });
  if (res.status !== 201) throw new Error(`create category failed: ${JSON.stringify(res.body)}`);
  return res.body.results;
}

const tree = async () => (await app.api<CategoryJson[]>('GET', '/categories')).body.results;
const find = (nodes: CategoryJson[], id: string): CategoryJson | undefined =>
  nodes.flatMap((node) => (node.id === id ? [node] : [find(node.children, id)].flatMap((n) => n ?? [])))[0];
const fileUnder = (productId: string, categoryIds: string[], token = seller.token) =>
  app.api<{ category_ids: string[] }>('PUT', `/products/${productId}/categories`, {
    token,
    body: { category_ids: categoryIds },
  });
const listIds = async (query: string) => {
  const res = await app.api<ProductJson[]>('GET', `/products?${query}`);
  expect(res.status).toBe(200);
  return res.body.results.map((product) => product.id);
};

describe('the category tree', () => {
  it('is built by admins and shown nested, each level by position', async () => {
    const home = await category({ name: 'Home & Living' });
    expect(home).toMatchObject({ slug: 'home-living', parent_id: null, position: 0 });
    const kitchen = await category({ name: 'Kitchen', parent_id: home.id, position: 2 });
    const bath = await category({ name: 'Bath', parent_id: home.id, position: 1 });
    const shown = find(await tree(), home.id)!;
    expect(shown.children.map((child) => child.id)).toEqual([bath.id, kitchen.id]);
    expect(shown.children[0]).toEqual({ ...bath, children: [] });
  });

  it('refuses a taken slug, a missing parent and callers who are not admins', async () => {
    await category({ name: 'Garden', slug: 'garden' });
    const taken = await app.api('POST', '/categories', {
      token: admin,
      body: { name: 'Yard', slug: 'garden' },
    });
    expect([taken.status, taken.body.meta.code]).toEqual([409, 'slug_taken']);
    const orphan = await app.api('POST', '/categories', {
      token: admin,
      body: { name: 'Lost', parent_id: randomUUID() },
    });
    expect([orphan.status, orphan.body.meta.code]).toEqual([422, 'parent_not_found']);
    const noSlug = await app.api('POST', '/categories', { token: admin, body: { name: '玩具' } });
    expect(noSlug.status).toBe(400);
    const bySeller = await app.api('POST', '/categories', { token: seller.token, body: { name: 'Mine' } });
    expect(bySeller.status).toBe(403);
    expect((await app.api('POST', '/categories', { body: { name: 'Anon' } })).status).toBe(401);
  });

  it('moves a category with its subtree, and refuses cycles and excessive depth', async () => {
    const a = await category({ name: 'Move A' });
    const b = await category({ name: 'Move B', parent_id: a.id });
    const c = await category({ name: 'Move C', parent_id: b.id });
    const cycle = await app.api('PATCH', `/categories/${a.id}`, { token: admin, body: { parent_id: c.id } });
    expect([cycle.status, cycle.body.meta.code]).toEqual([409, 'category_cycle']);
    const self = await app.api('PATCH', `/categories/${a.id}`, { token: admin, body: { parent_id: a.id } });
    expect(self.status).toBe(409);

    const moved = await app.api<CategoryJson>('PATCH', `/categories/${b.id}`, {
      token: admin,
      body: { parent_id: null, name: 'Move B top' },
    });
    expect(moved.body.results).toMatchObject({ parent_id: null, name: 'Move B top' });
    expect(find(await tree(), b.id)!.children.map((child) => child.id)).toEqual([c.id]);

    let parent: CategoryJson | undefined;
    for (let level = 0; level < 8; level += 1) {
      parent = await category({ name: `Deep ${level}`, parent_id: parent?.id ?? null });
    }
    const ninth = await app.api('POST', '/categories', {
      token: admin,
      body: { name: 'Deep 8', parent_id: parent!.id },
    });
    expect([ninth.status, ninth.body.meta.code]).toEqual([422, 'category_too_deep']);
    // B has a child: under level 7 its child would be at level 9.
    const tooDeep = await app.api('PATCH', `/categories/${b.id}`, {
      token: admin,
      body: { parent_id: parent!.parent_id },
    });
    expect([tooDeep.status, tooDeep.body.meta.code]).toEqual([422, 'category_too_deep']);
  });

  it('lets exactly one of two opposite concurrent moves through, pair after pair', async () => {
    const pairs = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => [
        await category({ name: `Race X${i}` }),
        await category({ name: `Race Y${i}` }),
      ]),
    );
    const results = await Promise.all(
      pairs.map(([x, y]) =>
        Promise.all([
          app.api('PATCH', `/categories/${x!.id}`, { token: admin, body: { parent_id: y!.id } }),
          app.api('PATCH', `/categories/${y!.id}`, { token: admin, body: { parent_id: x!.id } }),
        ]),
      ),
    );
    for (const pair of results) expect(pair.map((res) => res.status).sort()).toEqual([200, 409]);
    // Every category is still reachable from the top: no cycle was written.
    const shown = await tree();
    expect(pairs.flat().every((c) => find(shown, c!.id))).toBe(true);
  });

  it('deletes only an empty category', async () => {
    const parent = await category({ name: 'Del parent' });
    const child = await category({ name: 'Del child', parent_id: parent.id });
    const withChild = await app.api('DELETE', `/categories/${parent.id}`, { token: admin });
    expect([withChild.status, withChild.body.meta.code]).toEqual([409, 'category_not_empty']);
    const product = await createProduct(app, seller.token);
    expect((await fileUnder(product.id, [child.id])).status).toBe(200);
    const withProduct = await app.api('DELETE', `/categories/${child.id}`, { token: admin });
    expect([withProduct.status, withProduct.body.meta.code]).toEqual([409, 'category_not_empty']);
    // A deleted product no longer holds its categories.
    await app.api('DELETE', `/products/${product.id}`, { token: seller.token });
    expect((await app.api('DELETE', `/categories/${child.id}`, { token: seller.token })).status).toBe(403);
    expect((await app.api('DELETE', `/categories/${child.id}`, { token: admin })).status).toBe(200);
    expect((await app.api('DELETE', `/categories/${parent.id}`, { token: admin })).status).toBe(200);
    expect(find(await tree(), parent.id)).toBeUndefined();
    expect((await app.api('DELETE', `/categories/${parent.id}`, { token: admin })).status).toBe(404);
  });
});

describe('products in categories', () => {
  it('lets only the owning seller or an admin file a product, within limits', async () => {
    const cat = await category({ name: 'Filing' });
    const product = await createProduct(app, seller.token);
    expect((await fileUnder(product.id, [cat.id], otherSeller.token)).status).toBe(404);
    expect((await fileUnder(product.id, [cat.id], buyer.token)).status).toBe(403);
    const unknown = await fileUnder(product.id, [randomUUID()]);
    expect([unknown.status, unknown.body.meta.code]).toEqual([422, 'category_not_found']);
    const many = await fileUnder(
      product.id,
      Array.from({ length: 11 }, () => randomUUID()),
    );
    expect(many.status).toBe(400);
    const byAdmin = await fileUnder(product.id, [cat.id, cat.id], admin);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.results.category_ids).toEqual([cat.id]);
  });

  it('filters the listing by a category and its descendants, by id or slug, page by page', async () => {
    const top = await category({ name: 'Wastra' });
    const batik = await category({ name: 'Batik', parent_id: top.id });
    const tulis = await category({ name: 'Batik tulis', parent_id: batik.id });
    const other = await category({ name: 'Keramik' });
    const inTop = await createProduct(app, seller.token, { name: 'Songket' });
    const inTulis = await createProduct(app, seller.token, { name: 'Tulis' });
    const inBoth = await createProduct(app, otherSeller.token, { name: 'Both' });
    const elsewhere = await createProduct(app, seller.token, { name: 'Vase' });
    await fileUnder(inTop.id, [top.id]);
    await fileUnder(inTulis.id, [tulis.id]);
    await fileUnder(inBoth.id, [batik.id, other.id], otherSeller.token);
    await fileUnder(elsewhere.id, [other.id]);

    expect((await listIds(`category=${top.slug}`)).sort()).toEqual([inTop.id, inTulis.id, inBoth.id].sort());
    expect((await listIds(`category=${batik.id}`)).sort()).toEqual([inTulis.id, inBoth.id].sort());
    expect(await listIds(`category=${tulis.slug}&seller_id=${seller.id}`)).toEqual([inTulis.id]);

    const first = await app.api<ProductJson[]>('GET', `/products?category=${top.id}&limit=2`);
    const cursor = (first.body.meta.pagination as { next_cursor: string }).next_cursor;
    const second = await app.api<ProductJson[]>(
      'GET',
      `/products?category=${top.id}&limit=2&cursor=${cursor}`,
    );
    const paged = [...first.body.results, ...second.body.results].map((product) => product.id);
    expect(paged.sort()).toEqual([inTop.id, inTulis.id, inBoth.id].sort());

    const shown = await app.api<ProductJson>('GET', `/products/${inBoth.id}`);
    expect(shown.body.results.category_ids).toEqual([batik.id, other.id].sort());
    const missing = await app.api('GET', '/products?category=no-such-category');
    expect([missing.status, missing.body.meta.code]).toEqual([404, 'category_not_found']);
  });

  it('keeps cached products and listings right after filing, moving and deleting', async () => {
    const shelf = await category({ name: 'Shelf' });
    const drawer = await category({ name: 'Drawer' });
    const product = await createProduct(app, seller.token, { name: 'Cached' });
    // Warm the caches.
    expect(await listIds(`category=${shelf.id}`)).toEqual([]);
    expect((await app.api<ProductJson>('GET', `/products/${product.id}`)).body.results.category_ids).toEqual(
      [],
    );

    await fileUnder(product.id, [drawer.id]);
    expect(await listIds(`category=${shelf.id}`)).toEqual([]);
    expect((await app.api<ProductJson>('GET', `/products/${product.id}`)).body.results.category_ids).toEqual([
      drawer.id,
    ]);

    await app.api('PATCH', `/categories/${drawer.id}`, { token: admin, body: { parent_id: shelf.id } });
    expect(await listIds(`category=${shelf.id}`)).toEqual([product.id]);
    await app.api('PATCH', `/categories/${drawer.id}`, { token: admin, body: { slug: 'drawer-renamed' } });
    expect(await listIds('category=drawer-renamed')).toEqual([product.id]);
    expect((await app.api('GET', `/products?category=${drawer.slug}`)).status).toBe(404);

    await fileUnder(product.id, []);
    expect(await listIds(`category=${shelf.id}`)).toEqual([]);
  });

  it('ends 20 concurrent refilings of one product with exactly one of them', async () => {
    const cats = await Promise.all(
      Array.from({ length: 4 }, (_, i) => category({ name: `Concurrent ${i}` })),
    );
    const product = await createProduct(app, seller.token);
    const choices = Array.from({ length: 20 }, (_, i) => [cats[i % 4]!.id, cats[(i + 1) % 4]!.id].sort());
    const results = await Promise.all(choices.map((ids) => fileUnder(product.id, ids)));
    expect(results.every((res) => res.status === 200)).toBe(true);
    const final = (await app.api<ProductJson>('GET', `/products/${product.id}`)).body.results.category_ids;
    expect(choices).toContainEqual(final);
  });
});
