import { type Kysely, sql } from 'kysely';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicCart } from '../../src/modules/carts/carts.rules.js';
import { createProduct } from '../helpers/catalog.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let seller: { token: string };
beforeAll(async () => {
  app = await startTestApp({ MAX_LINE_QUANTITY: '20' });
  seller = await signUp(app, { role: 'seller' });
});
afterAll(() => app.close());

const product = (overrides: Record<string, unknown> = {}) =>
  createProduct(app, seller.token, { price: '10000', stock: 10, ...overrides });
const newCart = (body: unknown = {}, token?: string) =>
  app.api<PublicCart>('POST', '/carts', { body, token });
const getCart = (id: string, token?: string) => app.api<PublicCart>('GET', `/carts/${id}`, { token });

describe('guest carts', () => {
  it('are created anonymously under an unguessable id and shown with live prices and stock', async () => {
    const shirt = await product({ stock: 3 });
    const made = await newCart({ lines: [{ product_id: shirt.id, quantity: 2 }] });
    expect(made.status).toBe(201);
    const cart = made.body.results;
    expect(cart.id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(cart.lines).toEqual([
      expect.objectContaining({
        product_id: shirt.id,
        title: shirt.name,
        quantity: 2,
        unit_price: '10000',
        current_unit_price: '10000',
        price_changed: false,
        available_stock: 3,
        in_stock: true,
      }),
    ]);
    expect(cart.totals).toEqual({ subtotal: '20000', currency: 'IDR', prices_changed: false });
    const other = await newCart();
    expect(other.body.results.id).not.toBe(cart.id);
    expect((await getCart(cart.id)).body.results.lines).toHaveLength(1);
  });

  it('adds to the line of a product already there, changes and removes lines', async () => {
    const shirt = await product();
    const cart = (await newCart()).body.results;
    await app.api('POST', `/carts/${cart.id}/lines`, { body: { product_id: shirt.id, quantity: 1 } });
    const added = await app.api<PublicCart>('POST', `/carts/${cart.id}/lines`, {
      body: { product_id: shirt.id, quantity: 2 },
    });
    expect(added.status).toBe(201);
    expect(added.body.results.lines).toHaveLength(1);
    const line = added.body.results.lines[0]!;
    expect(line.quantity).toBe(3);
    const changed = await app.api<PublicCart>('PATCH', `/carts/${cart.id}/lines/${line.id}`, {
      body: { quantity: 5 },
    });
    expect(changed.body.results.lines[0]!.quantity).toBe(5);
    const removed = await app.api<PublicCart>('DELETE', `/carts/${cart.id}/lines/${line.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.results.lines).toEqual([]);
    expect(removed.body.results.totals.subtotal).toBeNull();
  });

  it('refuses quantities above the stock or the limit, unknown products and a second currency', async () => {
    const shirt = await product({ stock: 4 });
    const cart = (await newCart()).body.results;
    const add = (body: unknown) => app.api('POST', `/carts/${cart.id}/lines`, { body });
    const short = await add({ product_id: shirt.id, quantity: 5 });
    expect([short.status, short.body.meta.code]).toEqual([409, 'insufficient_stock']);
    const plenty = await product({ stock: 100 });
    const limit = await add({ product_id: plenty.id, quantity: 21 });
    expect([limit.status, limit.body.meta.code]).toEqual([400, 'validation_failed']);
    const unknown = await add({ product_id: '00000000-0000-4000-8000-000000000000', quantity: 1 });
    expect([unknown.status, unknown.body.meta.code]).toEqual([404, 'product_not_found']);
    await add({ product_id: shirt.id, quantity: 1 });
    const dollars = await product({ price: '12.50', currency: 'USD' });
    const mixed = await add({ product_id: dollars.id, quantity: 1 });
    expect([mixed.status, mixed.body.meta.code]).toEqual([400, 'mixed_currencies']);
    expect((await getCart(cart.id)).body.results.lines).toHaveLength(1);
  });

  it('answers 404 for an id that does not exist', async () => {
    const res = await getCart('A'.repeat(32));
    expect([res.status, res.body.meta.code]).toEqual([404, 'cart_not_found']);
  });
});

describe('a changed price', () => {
  it('is shown beside the accepted one until the buyer accepts it', async () => {
    const shirt = await product();
    const cart = (await newCart({ lines: [{ product_id: shirt.id, quantity: 2 }] })).body.results;
    await app.api('PUT', `/products/${shirt.id}`, { token: seller.token, body: { price: '12000' } });
    const shown = (await getCart(cart.id)).body.results;
    expect(shown.lines[0]).toMatchObject({
      unit_price: '10000',
      current_unit_price: '12000',
      price_changed: true,
    });
    expect(shown.totals).toEqual({ subtotal: '20000', currency: 'IDR', prices_changed: true });
    const accepted = await app.api<PublicCart>('POST', `/carts/${cart.id}/accept-prices`);
    expect(accepted.body.results.lines[0]).toMatchObject({ unit_price: '12000', price_changed: false });
    expect(accepted.body.results.totals.subtotal).toBe('24000');
  });

  it('is accepted by changing the line’s quantity', async () => {
    const shirt = await product();
    const cart = (await newCart({ lines: [{ product_id: shirt.id, quantity: 1 }] })).body.results;
    await app.api('PUT', `/products/${shirt.id}`, { token: seller.token, body: { price: '9000' } });
    const res = await app.api<PublicCart>('PATCH', `/carts/${cart.id}/lines/${cart.lines[0]!.id}`, {
      body: { quantity: 2 },
    });
    expect(res.body.results.lines[0]).toMatchObject({ unit_price: '9000', price_changed: false });
  });
});

describe('user carts', () => {
  it('are their owner’s alone: another buyer and anonymous callers get 404', async () => {
    const buyer = await signUp(app);
    const other = await signUp(app);
    const shirt = await product();
    const cart = (await newCart({ lines: [{ product_id: shirt.id, quantity: 1 }] }, buyer.token)).body
      .results;
    expect((await getCart(cart.id, buyer.token)).status).toBe(200);
    expect((await getCart(cart.id, other.token)).status).toBe(404);
    expect((await getCart(cart.id)).status).toBe(404);
    const edit = await app.api('POST', `/carts/${cart.id}/lines`, {
      token: other.token,
      body: { product_id: shirt.id, quantity: 1 },
    });
    expect([edit.status, edit.body.meta.code]).toEqual([404, 'cart_not_found']);
  });

  it('merge the local cart and a guest cart on sign-in, closing the guest cart', async () => {
    const buyer = await signUp(app);
    const [shirt, scarf, hat] = [await product(), await product(), await product()];
    const first = (await newCart({ lines: [{ product_id: shirt.id, quantity: 1 }] }, buyer.token)).body
      .results;
    const guest = (
      await newCart({
        lines: [
          { product_id: shirt.id, quantity: 2 },
          { product_id: hat.id, quantity: 1 },
        ],
      })
    ).body.results;
    const synced = await newCart(
      { lines: [{ product_id: scarf.id, quantity: 3 }], from_cart: guest.id },
      buyer.token,
    );
    expect(synced.status).toBe(201);
    expect(synced.body.results.id).toBe(first.id);
    const quantities = Object.fromEntries(
      synced.body.results.lines.map((line) => [line.product_id, line.quantity]),
    );
    expect(quantities).toEqual({ [shirt.id]: 3, [scarf.id]: 3, [hat.id]: 1 });
    expect((await getCart(guest.id)).status).toBe(404);
    const again = await newCart({ from_cart: guest.id }, buyer.token);
    expect([again.status, again.body.meta.code]).toEqual([404, 'cart_not_found']);
  });

  it('stay one cart when a buyer signs in on 10 devices at once, every device’s lines added', async () => {
    const buyer = await signUp(app);
    const shirt = await product({ stock: 100 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        newCart({ lines: [{ product_id: shirt.id, quantity: 2 }] }, buyer.token),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((answer) => answer.body.results.id)).size).toBe(1);
    const cart = (await getCart(answers[0]!.body.results.id, buyer.token)).body.results;
    expect(cart.lines.map((line) => line.quantity)).toEqual([20]);
  });

  it('are refused to sellers', async () => {
    const res = await newCart({}, seller.token);
    expect(res.status).toBe(403);
  });
});

describe('expiry', () => {
  it('makes a cart unreachable after CART_TTL without a change, and the sweep deletes it', async () => {
    const short = await startTestApp({ CART_TTL: '1s', CART_EXPIRY_SWEEP: '100ms' });
    try {
      const cart = (await short.api<PublicCart>('POST', '/carts', { body: {} })).body.results;
      expect((await short.api('GET', `/carts/${cart.id}`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const res = await short.api('GET', `/carts/${cart.id}`);
      expect([res.status, res.body.meta.code]).toEqual([404, 'cart_not_found']);
      const left = await short.db.database.db
        .selectFrom('carts' as never)
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .executeTakeFirstOrThrow();
      expect(Number(left.count)).toBe(0);
    } finally {
      await short.close();
    }
  });
});

describe('the access log', () => {
  it('never carries a cart id whole, only its first characters', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logged = await startTestApp({ LOG_LEVEL: 'info' }, undefined, sink);
    try {
      const cart = (await logged.api<PublicCart>('POST', '/carts', { body: {} })).body.results;
      await logged.api('GET', `/carts/${cart.id}`);
      await logged.api('GET', `/carts/${cart.id}x`);
      const text = lines.join('');
      expect(text).toContain(`/carts/${cart.id.slice(0, 4)}…`);
      expect(text).not.toContain(cart.id.slice(0, 12));
    } finally {
      await logged.close();
    }
  });
});

describe('privacy', () => {
  it('puts a buyer’s cart in their export and deletes it with their account', async () => {
    const shirt = await product();
    const buyer = await signUp(app);
    const cart = (await newCart({ lines: [{ product_id: shirt.id, quantity: 2 }] }, buyer.token)).body
      .results;
    const exported = await app.api('GET', '/users/me/export', { token: buyer.token });
    const carts = (exported.body as unknown as { carts: { status: string; lines: unknown[] }[] }).carts;
    expect(carts).toEqual([
      expect.objectContaining({
        status: 'open',
        lines: [expect.objectContaining({ product_id: shirt.id, quantity: 2, unit_price_minor: '10000' })],
      }),
    ]);
    const db = app.platform.database.db as Kysely<object>;
    const owned = () => sql`SELECT count(*)::int AS n FROM carts WHERE owner_id = ${buyer.id}`.execute(db);
    expect((await owned()).rows).toEqual([{ n: 1 }]);
    const erased = await app.api('DELETE', '/users/me', {
      token: buyer.token,
      body: { password: buyer.password },
    });
    expect(erased.status).toBe(200);
    expect((await owned()).rows).toEqual([{ n: 0 }]);
    expect(cart.lines).toHaveLength(1);
  });
});
