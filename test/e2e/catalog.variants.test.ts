import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicCart } from '../../src/modules/carts/carts.rules.js';
import type { PublicVariant } from '../../src/modules/catalog/catalog.variants.rules.js';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { adminOf, type PaymentJson, reconcile, topUp, walletOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  app = await startTestApp({
    PLATFORM_FEE_BPS: '0',
    RATE_LIMIT_PER_USER: '100000',
    RATE_LIMIT_REGISTER_PER_IP: '100000',
    RATE_LIMIT_LOGIN_PER_IP: '100000',
  });
  admin = await adminOf(app);
});
afterAll(() => app?.close());

const sku = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const addVariant = (token: string, productId: string, body: Record<string, unknown>) =>
  app.api<PublicVariant>('POST', `/products/${productId}/variants`, { token, body });
const variantOf = async (token: string, productId: string, body: Record<string, unknown>) => {
  const res = await addVariant(token, productId, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.results;
};
const productOf = async (id: string) => (await app.api<ProductJson>('GET', `/products/${id}`)).body.results;
const pay = (token: string, body: Record<string, unknown>, key?: string) =>
  app.api<PaymentJson>('POST', '/payments', {
    token,
    body: { payment_method: 'wallet', ...body },
    ...(key ? { headers: { 'idempotency-key': key } } : {}),
  });

/** A seller's shirt in two sizes: S at 100,000 (3 in stock) and M at 120,000 (5). */
async function shirt() {
  const seller = await signUp(app, { role: 'seller' });
  const product = await createProduct(app, seller.token, { name: 'Kaos', price: '90000', stock: 40 });
  const small = await variantOf(seller.token, product.id, {
    sku: sku('KAOS-S'),
    options: { Size: ' S ', colour: 'red' },
    price: '100000',
    stock: 3,
  });
  const medium = await variantOf(seller.token, product.id, {
    sku: sku('KAOS-M'),
    options: { size: 'M', colour: 'red' },
    price: '120000',
    stock: 5,
  });
  return { seller, product, small, medium };
}

describe('product variants', () => {
  it('each has its own SKU, options, price and stock; the product shows their lowest price and total stock', async () => {
    const { seller, product, small, medium } = await shirt();
    expect(small).toMatchObject({
      options: { colour: 'red', size: 'S' },
      price: '100000',
      stock: 3,
      position: 0,
    });
    expect(medium.position).toBe(1);
    const shown = await productOf(product.id);
    expect(shown).toMatchObject({ price: '100000', stock: 8, tax_class: 'standard' });
    expect(shown.variants.map((variant) => variant.id)).toEqual([small.id, medium.id]);
    const listed = await app.api<PublicVariant[]>('GET', `/products/${product.id}/variants`);
    expect(listed.body.results).toEqual(shown.variants);

    // Same names as the siblings, distinct options, a SKU of its own.
    const otherNames = await addVariant(seller.token, product.id, {
      sku: sku('X'),
      options: { size: 'L' },
      stock: 1,
    });
    expect([otherNames.status, otherNames.body.meta.code]).toEqual([422, 'variant_options_mismatch']);
    const twin = await addVariant(seller.token, product.id, {
      sku: sku('X'),
      options: { size: 'M', colour: 'red' },
      stock: 1,
    });
    expect([twin.status, twin.body.meta.code]).toEqual([409, 'variant_exists']);
    const taken = await addVariant(seller.token, product.id, {
      sku: small.sku,
      options: { size: 'L', colour: 'red' },
      stock: 1,
    });
    expect([taken.status, taken.body.meta.code]).toEqual([409, 'sku_taken']);
    const bad = await addVariant(seller.token, product.id, { sku: sku('X'), options: {}, stock: 1 });
    expect(bad.status).toBe(400);

    // Price and stock belong to the variants now.
    const direct = await app.api('PUT', `/products/${product.id}`, {
      token: seller.token,
      body: { stock: 99 },
    });
    expect([direct.status, direct.body.meta.code]).toEqual([409, 'product_has_variants']);
    const renamed = await app.api<ProductJson>('PUT', `/products/${product.id}`, {
      token: seller.token,
      body: { name: 'Kaos polos', tax_class: 'apparel' },
    });
    expect(renamed.body.results).toMatchObject({ name: 'Kaos polos', tax_class: 'apparel', stock: 8 });

    const cheaper = await app.api<PublicVariant>('PATCH', `/products/${product.id}/variants/${medium.id}`, {
      token: seller.token,
      body: { price: '95000', stock: 7 },
    });
    expect(cheaper.body.results).toMatchObject({ price: '95000', stock: 7 });
    expect(await productOf(product.id)).toMatchObject({ price: '95000', stock: 10 });

    // Only the owner (or an admin) changes them; anyone else is told the product does not exist.
    const stranger = await signUp(app, { role: 'seller' });
    const foreign = await addVariant(stranger.token, product.id, {
      sku: sku('X'),
      options: { size: 'L', colour: 'red' },
      stock: 1,
    });
    expect(foreign.status).toBe(404);
    const byAdmin = await app.api('DELETE', `/products/${product.id}/variants/${medium.id}`, {
      token: admin.token,
    });
    expect(byAdmin.status).toBe(200);
    expect(await productOf(product.id)).toMatchObject({ price: '100000', stock: 3 });
    const gone = await app.api('DELETE', `/products/${product.id}/variants/${medium.id}`, {
      token: seller.token,
    });
    expect([gone.status, gone.body.meta.code]).toEqual([404, 'variant_not_found']);
  });

  it('sells the variant chosen at its price, from its stock, and gives it back on a restocking refund', async () => {
    const { seller, product, small, medium } = await shirt();
    const buyer = await signUp(app);
    await topUp(app, buyer.token, '1000000');

    const unchosen = await pay(buyer.token, { product_id: product.id, quantity: 1 });
    expect([unchosen.status, unchosen.body.meta.code]).toEqual([422, 'variant_required']);
    const unknown = await pay(buyer.token, { product_id: product.id, variant_id: randomUUID(), quantity: 1 });
    expect([unknown.status, unknown.body.meta.code]).toEqual([404, 'variant_not_found']);
    const tooMany = await pay(buyer.token, { product_id: product.id, variant_id: small.id, quantity: 4 });
    expect([tooMany.status, tooMany.body.meta.code]).toEqual([409, 'insufficient_stock']);

    const key = randomUUID();
    const paid = await pay(buyer.token, { product_id: product.id, variant_id: medium.id, quantity: 2 }, key);
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.body.results).toMatchObject({ status: 'succeeded', total_amount: '240000' });
    expect(paid.body.results.items[0]).toMatchObject({
      product_id: product.id,
      variant: { id: medium.id, sku: medium.sku, options: { colour: 'red', size: 'M' } },
      name: 'Kaos (M, red)',
      unit_price: '120000',
    });
    const again = await pay(buyer.token, { product_id: product.id, variant_id: medium.id, quantity: 2 }, key);
    expect(again.body.results.id).toBe(paid.body.results.id);
    const other = await pay(buyer.token, { product_id: product.id, variant_id: small.id, quantity: 2 }, key);
    expect([other.status, other.body.meta.code]).toEqual([422, 'idempotency_key_reused']);

    let now = await productOf(product.id);
    expect(now.stock).toBe(6);
    expect(now.variants.map((variant) => variant.stock)).toEqual([3, 3]);
    expect((await walletOf(app, seller.token)).available).toBe('240000');
    const order = await app.api<{ items: { variant: unknown }[] }>(
      'GET',
      `/orders/${paid.body.results.order_id}`,
      {
        token: buyer.token,
      },
    );
    expect(order.body.results.items[0]!.variant).toEqual({
      id: medium.id,
      sku: medium.sku,
      options: { colour: 'red', size: 'M' },
    });

    const refund = await app.api('POST', `/payments/${paid.body.results.id}/refunds`, {
      token: seller.token,
      body: { reason: 'wrong size', restock: true },
    });
    expect(refund.status).toBe(201);
    now = await productOf(product.id);
    expect(now.stock).toBe(8);
    expect(now.variants.map((variant) => variant.stock)).toEqual([3, 5]);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('sells a product with one variant through the product-level API, and orders of several variants at once', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '50000', stock: 9 });
    const only = await variantOf(seller.token, product.id, {
      sku: sku('ONE'),
      options: { size: 'One size' },
      stock: 4,
    });
    expect(only.price).toBe('50000');
    const buyer = await signUp(app);
    await topUp(app, buyer.token, '1000000');
    const paid = await pay(buyer.token, { product_id: product.id, quantity: 1 });
    expect(paid.status).toBe(201);
    expect(paid.body.results.items[0]!.variant?.id).toBe(only.id);
    expect((await productOf(product.id)).variants[0]!.stock).toBe(3);

    const { product: kaos, small, medium } = await shirt();
    const order = await app.api<PaymentJson>('POST', '/orders', {
      token: buyer.token,
      body: {
        payment_method: 'wallet',
        items: [
          { product_id: kaos.id, variant_id: small.id, quantity: 1 },
          { product_id: kaos.id, variant_id: medium.id, quantity: 2 },
          { product_id: product.id, quantity: 1 },
        ],
      },
    });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body.results.total_amount).toBe('390000');
    expect((await productOf(kaos.id)).variants.map((variant) => variant.stock)).toEqual([2, 3]);
    expect((await productOf(kaos.id)).stock).toBe(5);
  });

  it('gives the last unit of a variant to exactly one of 100 concurrent checkouts', async () => {
    const { product, small, medium } = await shirt();
    const seller = await signUp(app, { role: 'seller' });
    const last = await createProduct(app, seller.token, { price: '10000', stock: 1 });
    const one = await variantOf(seller.token, last.id, {
      sku: sku('LAST'),
      options: { colour: 'gold' },
      stock: 1,
    });
    await variantOf(seller.token, last.id, { sku: sku('MANY'), options: { colour: 'blue' }, stock: 50 });
    // 20 buyers, five checkouts each at once (sign-ups are hashed a few at a time).
    const buyers: Awaited<ReturnType<typeof signUp>>[] = [];
    while (buyers.length < 20)
      buyers.push(...(await Promise.all(Array.from({ length: 4 }, () => signUp(app)))));
    await Promise.all(buyers.map((buyer) => topUp(app, buyer.token, '100000')));
    const outcomes = await Promise.all(
      buyers.flatMap((buyer) =>
        Array.from({ length: 5 }, () =>
          pay(buyer.token, { product_id: last.id, variant_id: one.id, quantity: 1 }),
        ),
      ),
    );
    expect(outcomes.filter((res) => res.status === 201)).toHaveLength(1);
    expect(
      new Set(
        outcomes.filter((res) => res.status !== 201).map((res) => `${res.status} ${res.body.meta.code}`),
      ),
    ).toEqual(new Set(['409 insufficient_stock']));
    const now = await productOf(last.id);
    expect(now.variants.map((variant) => [variant.options.colour, variant.stock])).toEqual([
      ['gold', 0],
      ['blue', 50],
    ]);
    expect(now.stock).toBe(50);
    // The other product was untouched.
    expect((await productOf(product.id)).variants.map((variant) => variant.id)).toEqual([
      small.id,
      medium.id,
    ]);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  }, 120_000);

  it('keeps variants apart in a cart, prices them by the product’s tax class, and checks them out', async () => {
    const { seller, product, small, medium } = await shirt();
    const taxClass = `c${randomUUID().slice(0, 8)}`;
    const rate = await app.api('POST', '/admin/tax-rates', {
      token: admin.token,
      body: { country: 'ID', tax_class: taxClass, rate_bps: 500, inclusive: false, currency: 'IDR' },
    });
    expect(rate.status, JSON.stringify(rate.body)).toBe(201);
    const buyer = await signUp(app);
    await topUp(app, buyer.token, '1000000');
    const created = await app.api<PublicCart>('POST', '/carts', {
      token: buyer.token,
      body: {
        lines: [
          { product_id: product.id, variant_id: small.id, quantity: 1 },
          { product_id: product.id, variant_id: medium.id, quantity: 1 },
          { product_id: product.id, variant_id: small.id, quantity: 1 },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const cart = created.body.results;
    expect(cart.lines).toHaveLength(2);
    expect(cart.lines.map((line) => [line.variant_id, line.quantity, line.unit_price])).toEqual(
      expect.arrayContaining([
        [small.id, 2, '100000'],
        [medium.id, 1, '120000'],
      ]),
    );
    const unchosen = await app.api('POST', `/carts/${cart.id}/lines`, {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1 },
    });
    expect([unchosen.status, unchosen.body.meta.code]).toEqual([422, 'variant_required']);

    // The seller files the shirt under the new class (5 % added): the quote follows.
    const filed = await app.api('PUT', `/products/${product.id}`, {
      token: seller.token,
      body: { tax_class: taxClass },
    });
    expect(filed.status).toBe(200);
    const address = await app.api<{ id: string }>('POST', '/users/me/addresses', {
      token: buyer.token,
      body: {
        name: 'Siti',
        line1: 'Jl. Merdeka 1',
        city: 'Bandung',
        region: 'Jawa Barat',
        postal_code: '40111',
        country: 'ID',
      },
    });
    const quoted = await app.api<PublicCart>('PUT', `/carts/${cart.id}/shipping-address`, {
      token: buyer.token,
      body: { address_id: address.body.results.id },
    });
    expect(quoted.body.results.quote).toMatchObject({
      subtotal: '320000',
      tax: '16000',
      tax_added: '16000',
      total: '336000',
    });
    const paid = await app.api<PaymentJson>('POST', `/carts/${cart.id}/checkout`, {
      token: buyer.token,
      body: { payment_method: 'wallet', expected_total: '336000' },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.body.results.items.map((item) => [item.variant?.id, item.quantity])).toEqual(
      expect.arrayContaining([
        [small.id, 2],
        [medium.id, 1],
      ]),
    );
    expect((await productOf(product.id)).variants.map((variant) => variant.stock)).toEqual([1, 4]);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });
});
