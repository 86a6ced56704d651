import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicCart } from '../../src/modules/carts/carts.rules.js';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { eventually } from '../helpers/eventually.js';
import { mailsTo } from '../helpers/mailbox.js';
import { adminOf, market, type PaymentJson, reconcile, topUp, walletOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  app = await startTestApp({
    PLATFORM_FEE_BPS: '250',
    RATE_LIMIT_PER_USER: '100000',
    RATE_LIMIT_REGISTER_PER_IP: '100000',
    RATE_LIMIT_LOGIN_PER_IP: '100000',
  });
  admin = await adminOf(app);
});
afterAll(() => app?.close());

const db = () => app.platform.database.db as Kysely<object>;
const home = {
  name: 'Siti Rahma',
  line1: 'Jl. Merdeka No. 17',
  city: 'Bandung',
  region: 'Jawa Barat',
  postal_code: '40111',
  country: 'ID',
};
const addressOf = async (token: string, body: Record<string, unknown> = home) => {
  const res = await app.api<{ id: string }>('POST', '/users/me/addresses', { token, body });
  expect(res.status).toBe(201);
  return res.body.results.id;
};
const shippingOption = async (token: string, body: Record<string, unknown>) => {
  const res = await app.api<{ id: string }>('POST', '/sellers/me/shipping-options', { token, body });
  expect(res.status).toBe(201);
  return res.body.results.id;
};
const perRegion = {
  name: 'JNE',
  kind: 'per_region',
  currency: 'IDR',
  amount: '30000',
  regions: [{ country: 'ID', region: 'Jawa Barat', amount: '15000' }],
};
const cartOf = async (token: string, lines: { product_id: string; quantity: number }[]) => {
  const res = await app.api<PublicCart>('POST', '/carts', { token, body: { lines } });
  expect(res.status).toBe(201);
  return res.body.results;
};
const shipTo = (token: string, cartId: string, addressId: string | null) =>
  app.api<PublicCart>('PUT', `/carts/${cartId}/shipping-address`, { token, body: { address_id: addressId } });
const checkout = (token: string, cartId: string, body: Record<string, unknown> = {}) =>
  app.api<PaymentJson>('POST', `/carts/${cartId}/checkout`, {
    token,
    body: { payment_method: 'wallet', ...body },
  });
/** A system account's balance (credits less debits), from the journal. */
const systemBalance = async (kind: string) => {
  const { rows } = await sql<{ balance: string | null }>`
    SELECT sum(CASE e.direction WHEN 'credit' THEN e.amount ELSE -e.amount END)::text AS balance
    FROM ledger_entries e
    JOIN ledger_accounts a ON a.id = e.account_id
    JOIN ledger_transactions t ON t.id = e.transaction_id
    WHERE a.kind = ${kind} AND a.currency = 'IDR' AND t.status = 'posted'`.execute(db());
  return BigInt(rows[0]?.balance ?? '0');
};
const stockOf = async (id: string) =>
  (await app.api<ProductJson>('GET', `/products/${id}`)).body.results.stock;

describe('a cart priced with shipping and tax', () => {
  it('quotes, charges and splits shipping to the seller and PPN to the tax account; a refund reverses them in proportion', async () => {
    const { seller, buyer, product } = await market(app, { price: '111000', stock: 10, funds: '1000000' });
    const optionId = await shippingOption(seller.token, perRegion);
    const cart = await cartOf(buyer.token, [{ product_id: product.id, quantity: 2 }]);
    expect(cart).toMatchObject({ quote: null, quote_error: null, shipping_address_id: null });

    const quoted = await shipTo(buyer.token, cart.id, await addressOf(buyer.token));
    expect(quoted.status).toBe(200);
    // 2 × 111,000 with PPN 11% included (22,000), shipped to Jawa Barat for 15,000.
    expect(quoted.body.results.quote).toMatchObject({
      subtotal: '222000',
      shipping: '15000',
      tax: '22000',
      tax_added: '0',
      discount: '0',
      total: '237000',
      shipments: [{ seller_id: seller.id, shipping_option_id: optionId, total: '237000' }],
      tax_lines: [{ rate_bps: 1100, inclusive: true, taxable: '222000', tax: '22000' }],
    });
    const taxBefore = await systemBalance('tax_liability');
    const feesBefore = await systemBalance('platform_fees');

    const paid = await checkout(buyer.token, cart.id, { expected_total: '237000' });
    expect(paid.status).toBe(201);
    expect(paid.body.results).toMatchObject({ status: 'succeeded', total_amount: '237000' });
    expect((await walletOf(app, buyer.token)).available).toBe('763000');
    // The receipt lists what the buyer paid beyond the goods.
    const [receipt] = await eventually(
      async () =>
        (await mailsTo(app, buyer.email)).filter((mail) => /Payment received/.test(mail.subject ?? '')),
      (found) => found.length > 0,
    );
    expect(receipt!.text).toMatch(/Shipping: IDR 15[.,]000/);
    expect(receipt!.text).toMatch(/Tax included in the prices: IDR 22[.,]000/);
    // The seller: goods net of tax (200,000) less the 2.5% fee on them (5,000), plus shipping.
    expect((await walletOf(app, seller.token)).available).toBe('210000');
    expect((await systemBalance('tax_liability')) - taxBefore).toBe(22000n);
    expect((await systemBalance('platform_fees')) - feesBefore).toBe(5000n);
    const { rows } = await sql<{ total_minor: string; shipping_minor: string; tax_minor: string }>`
      SELECT s.total_minor::text, s.shipping_minor::text, s.tax_minor::text
      FROM order_shipments s WHERE s.order_id = ${paid.body.results.order_id}`.execute(db());
    expect(rows).toEqual([{ total_minor: '237000', shipping_minor: '15000', tax_minor: '22000' }]);

    const order = await app.api<{ pricing: unknown }>('GET', `/orders/${paid.body.results.order_id}`, {
      token: buyer.token,
    });
    expect(order.body.results.pricing).toMatchObject({
      destination: { country: 'ID', region: 'Jawa Barat' },
      shipments: [
        {
          seller_id: seller.id,
          subtotal: '222000',
          shipping: '15000',
          tax_included: '22000',
          total: '237000',
        },
      ],
      tax_lines: [{ rate_bps: 1100, tax: '22000' }],
    });
    const sellerView = await app.api<{ pricing: { tax_lines: unknown[] } }>(
      'GET',
      `/orders/${paid.body.results.order_id}`,
      { token: seller.token },
    );
    expect(sellerView.body.results.pricing?.tax_lines).toEqual([]);

    const refund = await app.api('POST', `/payments/${paid.body.results.id}/refunds`, {
      token: admin.token,
      body: { amount: '118500', reason: 'half the order' },
    });
    expect(refund.status).toBe(201);
    expect((await walletOf(app, seller.token)).available).toBe('105000');
    expect((await systemBalance('tax_liability')) - taxBefore).toBe(11000n);
    expect((await systemBalance('platform_fees')) - feesBefore).toBe(2500n);
    // The seller's report counts the shipment: goods, shipping and tax; net is their share.
    const sales = await app.api<{ series: { totals: Record<string, unknown> }[] }>(
      'GET',
      '/sellers/me/sales',
      {
        token: seller.token,
      },
    );
    expect(sales.body.results.series[0]!.totals).toMatchObject({
      orders: 1,
      gross: '237000',
      fees: '5000',
      net: '210000',
      refunded: '118500',
    });
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('refuses a total other than the one shown, writing nothing', async () => {
    const { seller, buyer, product } = await market(app, { price: '50000', stock: 3 });
    await shippingOption(seller.token, { name: 'Flat', kind: 'flat', currency: 'IDR', amount: '9000' });
    const cart = await cartOf(buyer.token, [{ product_id: product.id, quantity: 1 }]);
    await shipTo(buyer.token, cart.id, await addressOf(buyer.token));
    const refused = await checkout(buyer.token, cart.id, { expected_total: '50000' });
    expect([refused.status, refused.body.meta.code]).toEqual([409, 'order_total_changed']);
    expect(await stockOf(product.id)).toBe(3);
    expect((await walletOf(app, buyer.token)).available).toBe('1000000');
    const paid = await checkout(buyer.token, cart.id, { expected_total: '59000' });
    expect([paid.status, paid.body.results.total_amount]).toEqual([201, '59000']);
  });

  it('takes a chosen option, ships free from a seller without options, and shows what cannot be quoted', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 10 });
    const other = await signUp(app, { role: 'seller' });
    const free = await createProduct(app, other.token, { price: '20000', stock: 5 });
    const express = await shippingOption(seller.token, {
      name: 'Express',
      kind: 'flat',
      currency: 'IDR',
      amount: '40000',
    });
    await shippingOption(seller.token, { name: 'Regular', kind: 'flat', currency: 'IDR', amount: '12000' });
    const cart = await cartOf(buyer.token, [
      { product_id: product.id, quantity: 1 },
      { product_id: free.id, quantity: 1 },
    ]);
    const cheapest = await shipTo(buyer.token, cart.id, await addressOf(buyer.token));
    expect(cheapest.body.results.quote?.shipping).toBe('12000');
    const chosen = await app.api<PublicCart>('PUT', `/carts/${cart.id}/shipping-options`, {
      token: buyer.token,
      body: { options: [{ seller_id: seller.id, shipping_option_id: express }] },
    });
    expect(chosen.status).toBe(200);
    expect(chosen.body.results.quote).toMatchObject({ shipping: '40000', total: '70000' });
    expect(chosen.body.results.quote?.shipments).toContainEqual(
      expect.objectContaining({ seller_id: other.id, shipping_option_id: null, shipping: '0' }),
    );
    const foreign = await app.api('PUT', `/carts/${cart.id}/shipping-options`, {
      token: buyer.token,
      body: { options: [{ seller_id: other.id, shipping_option_id: express }] },
    });
    expect([foreign.status, foreign.body.meta.code]).toEqual([422, 'shipping_option_invalid']);

    // A seller that ships only within Indonesia, and an address abroad.
    const abroad = await addressOf(buyer.token, { ...home, country: 'SG', region: 'Central' });
    const local = await signUp(app, { role: 'seller' });
    const localProduct = await createProduct(app, local.token, { price: '5000', stock: 5 });
    await shippingOption(local.token, { ...perRegion, amount: undefined });
    await app.api('POST', `/carts/${cart.id}/lines`, {
      token: buyer.token,
      body: { product_id: localProduct.id, quantity: 1 },
    });
    const unquoted = await shipTo(buyer.token, cart.id, abroad);
    expect(unquoted.body.results).toMatchObject({
      quote: null,
      quote_error: { code: 'shipping_unavailable' },
    });
    const refused = await checkout(buyer.token, cart.id);
    expect([refused.status, refused.body.meta.code]).toEqual([422, 'shipping_unavailable']);
  });

  it('lets only the signed-in owner choose, and only their own address', async () => {
    const { buyer, product } = await market(app, { stock: 5 });
    const guest = await app.api<PublicCart>('POST', '/carts', {
      body: { lines: [{ product_id: product.id, quantity: 1 }] },
    });
    const address = await addressOf(buyer.token);
    const anonymous = await app.api('PUT', `/carts/${guest.body.results.id}/shipping-address`, {
      body: { address_id: address },
    });
    expect(anonymous.status).toBe(401);
    const notYet = await shipTo(buyer.token, guest.body.results.id, address);
    expect([notYet.status, notYet.body.meta.code]).toEqual([403, 'cart_not_owned']);
    const cart = await cartOf(buyer.token, [{ product_id: product.id, quantity: 1 }]);
    const stranger = await signUp(app);
    const theirs = await shipTo(buyer.token, cart.id, await addressOf(stranger.token));
    expect([theirs.status, theirs.body.meta.code]).toEqual([422, 'address_not_found']);
    const bad = await shipTo(buyer.token, cart.id, 'not-a-uuid');
    expect(bad.status).toBe(400);
  });
});

describe('discount codes on carts', () => {
  const discount = async (token: string, body: Record<string, unknown>) => {
    const res = await app.api<{ id: string }>('POST', '/discounts', { token, body });
    expect(res.status).toBe(201);
    return res.body.results.id;
  };
  const applyCode = (token: string, cartId: string, code: string) =>
    app.api<PublicCart>('POST', `/carts/${cartId}/discounts`, { token, body: { code } });

  it('pays a platform-funded discount from the platform, never from the seller’s share', async () => {
    const { seller, buyer, product } = await market(app, { price: '111000', stock: 5 });
    const code = `HEMAT-${randomUUID().slice(0, 8)}`.toUpperCase();
    await discount(admin.token, { code, kind: 'percentage', percent_bps: 1000 });
    const cart = await cartOf(buyer.token, [{ product_id: product.id, quantity: 1 }]);
    await shipTo(buyer.token, cart.id, await addressOf(buyer.token));
    const applied = await applyCode(buyer.token, cart.id, code.toLowerCase());
    expect(applied.status).toBe(200);
    expect(applied.body.results.discount_codes).toEqual([code]);
    // 10% of 111,000 off; PPN is on what the buyer pays for the goods (99,900).
    expect(applied.body.results.quote).toMatchObject({ discount: '11100', total: '99900', tax: '9900' });
    const fundedBefore = await systemBalance('platform_discounts');
    const paid = await checkout(buyer.token, cart.id, { expected_total: '99900' });
    expect([paid.status, paid.body.results.total_amount]).toEqual([201, '99900']);
    // Seller: goods net of tax, as if undiscounted (111,000 − 9,900 = 101,100), less 2.5% (2,528).
    expect((await walletOf(app, seller.token)).available).toBe('98572');
    expect((await systemBalance('platform_discounts')) - fundedBefore).toBe(-11100n);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('refuses an unknown code, and removes a code', async () => {
    const { buyer, product } = await market(app, { stock: 5 });
    const cart = await cartOf(buyer.token, [{ product_id: product.id, quantity: 1 }]);
    const unknown = await applyCode(buyer.token, cart.id, 'NOPE-123');
    expect([unknown.status, unknown.body.meta.code]).toEqual([422, 'discount_code_invalid']);
    const code = `OFF-${randomUUID().slice(0, 8)}`.toUpperCase();
    await discount(admin.token, { code, kind: 'fixed', amount: '1000', currency: 'IDR' });
    expect((await applyCode(buyer.token, cart.id, code)).body.results.discount_codes).toEqual([code]);
    const removed = await app.api<PublicCart>('DELETE', `/carts/${cart.id}/discounts/${code.toLowerCase()}`, {
      token: buyer.token,
    });
    expect([removed.status, removed.body.results.discount_codes]).toEqual([200, []]);
  });

  it('gives the last use of a code to exactly one of 100 concurrent checkouts', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '10000', stock: 1000 });
    const code = `LAST-${randomUUID().slice(0, 8)}`.toUpperCase();
    const id = await discount(admin.token, {
      code,
      kind: 'fixed',
      amount: '2000',
      currency: 'IDR',
      max_uses: 1,
    });
    // Signed up a few at a time: the server bounds concurrent password hashing.
    const people: Awaited<ReturnType<typeof signUp>>[] = [];
    while (people.length < 100)
      people.push(...(await Promise.all(Array.from({ length: 4 }, () => signUp(app)))));
    const buyers = await Promise.all(
      people.map(async (buyer) => {
        await topUp(app, buyer.token, '100000');
        const cart = await cartOf(buyer.token, [{ product_id: product.id, quantity: 1 }]);
        await shipTo(buyer.token, cart.id, await addressOf(buyer.token));
        expect((await applyCode(buyer.token, cart.id, code)).status).toBe(200);
        return { buyer, cart };
      }),
    );
    const outcomes = await Promise.all(buyers.map(({ buyer, cart }) => checkout(buyer.token, cart.id)));
    const won = outcomes.filter((res) => res.status === 201);
    expect(won).toHaveLength(1);
    expect(won[0]!.body.results.total_amount).toBe('8000');
    const lost = outcomes.filter((res) => res.status !== 201);
    expect(new Set(lost.map((res) => `${res.status} ${res.body.meta.code}`))).toEqual(
      new Set(['409 discount_exhausted']),
    );
    const { rows } = await sql<{ uses: number }>`SELECT uses FROM discounts WHERE id = ${id}`.execute(db());
    expect(rows[0]!.uses).toBe(1);
    expect(await stockOf(product.id)).toBe(999);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  }, 120_000);

  it('gives a use back when a pending payment that took it is cancelled', async () => {
    const { buyer, product } = await market(app, { stock: 5 });
    const code = `ONCE-${randomUUID().slice(0, 8)}`.toUpperCase();
    const id = await discount(admin.token, {
      code,
      kind: 'fixed',
      amount: '1000',
      currency: 'IDR',
      max_uses: 1,
    });
    const cart = await cartOf(buyer.token, [{ product_id: product.id, quantity: 1 }]);
    await shipTo(buyer.token, cart.id, await addressOf(buyer.token));
    await applyCode(buyer.token, cart.id, code);
    const pending = await checkout(buyer.token, cart.id, { payment_method: 'manual' });
    expect([pending.status, pending.body.results.status]).toEqual([201, 'pending']);
    const uses = async () =>
      (await sql<{ uses: number }>`SELECT uses FROM discounts WHERE id = ${id}`.execute(db())).rows[0]!.uses;
    expect(await uses()).toBe(1);
    const cancelled = await app.api('POST', `/payments/${pending.body.results.id}/cancel`, {
      token: buyer.token,
    });
    expect(cancelled.status).toBe(200);
    expect(await uses()).toBe(0);
  });
});
