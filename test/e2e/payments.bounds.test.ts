import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payment__Output } from '../../src/generated/proto/mamlaka/payments/v1/Payment.js';
import type { MidtransSandbox } from '../../src/modules/midtrans/sandbox/sandbox.server.js';
import type { GatewayTopUp } from '../../src/modules/wallets/wallets.gateway-top-ups.js';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { call, grpcClients } from '../helpers/grpc.js';
import { startMidtransWorld } from '../helpers/midtrans.js';
import { market, type PaymentJson, topUp, walletOf } from '../helpers/payments.js';
import { type ApiResponse, signUp, type TestApp } from '../helpers/test-app.js';

// A low order maximum, so that an order exactly at it is cheap to make; the line maximum
// stays at its default. Midtrans is configured so that amounts reach a (sandbox) gateway.
const MAX_ORDER = 100_000n;
const MAX_LINE_QUANTITY = 10_000;
/** The largest price the catalog takes (the ledger's MAX_AMOUNT_MINOR), far above MAX_ORDER. */
const LARGEST_PRICE = '1000000000000000';
const INT8_MAX = '9223372036854775807';

let world: Awaited<ReturnType<typeof startMidtransWorld>>;
let app: TestApp;
let sandbox: MidtransSandbox;
let clients: ReturnType<typeof grpcClients>;

beforeAll(async () => {
  world = await startMidtransWorld({
    MAX_ORDER_AMOUNT_MINOR: MAX_ORDER.toString(),
    DEFAULT_PAYMENT_METHOD: 'wallet',
  });
  ({ app, sandbox } = world);
  clients = grpcClients(app.grpcAddress);
});
afterAll(async () => {
  clients?.close();
  await world?.close();
});

type Line = { product_id: string; quantity: number };
const order = (token: string, items: Line[], paymentMethod?: string) =>
  app.api<PaymentJson>('POST', '/orders', {
    token,
    body: { items, ...(paymentMethod ? { payment_method: paymentMethod } : {}) },
  });
const buy = (token: string, productId: string, quantity: number, paymentMethod?: string) =>
  app.api<PaymentJson>('POST', '/payments', {
    token,
    body: { product_id: productId, quantity, ...(paymentMethod ? { payment_method: paymentMethod } : {}) },
  });
const stockOf = async (id: string) =>
  (await app.api<ProductJson>('GET', `/products/${id}`)).body.results.stock;
const paymentsOf = async (token: string) =>
  (await app.api<PaymentJson[]>('GET', '/payments?limit=100', { token })).body.results;
const createPayment = (token: string, request: object) =>
  call<Payment__Output>(clients.payments, 'CreatePayment', request, { token });

/** A 400 whose one field error is `amount_too_large` on `field`. */
function expectTooLarge(res: ApiResponse<unknown>, field: string) {
  expect(res.status).toBe(400);
  expect(res.body.meta).toMatchObject({
    success: false,
    code: 'validation_failed',
    errors: [expect.objectContaining({ field, code: 'amount_too_large' })],
  });
}

describe('checkout above the limits, over REST', () => {
  it('refuses fifty lines of ten thousand at the largest price, reserving and recording nothing', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const buyer = await signUp(app);
    const products: ProductJson[] = [];
    for (let i = 0; i < 50; i += 1) {
      products.push(
        await createProduct(app, seller.token, { price: LARGEST_PRICE, stock: MAX_LINE_QUANTITY }),
      );
    }
    const items = products.map((product) => ({ product_id: product.id, quantity: MAX_LINE_QUANTITY }));

    // 50 × 10^4 × 10^15 = 5·10^20: far past a bigint column, let alone the maximum.
    expectTooLarge(await order(buyer.token, items), 'items.0.quantity');
    expectTooLarge(await order(buyer.token, items, 'midtrans'), 'items.0.quantity');
    expectTooLarge(await order(buyer.token, items, 'manual'), 'items.0.quantity');

    expect(await Promise.all(products.map((product) => stockOf(product.id)))).toEqual(
      products.map(() => MAX_LINE_QUANTITY),
    );
    expect(await paymentsOf(buyer.token)).toEqual([]);
  });

  it('refuses lines that pass the maximum only together, naming items, and keeps the stock', async () => {
    const { seller, buyer, product } = await market(app, { price: '60000', stock: 5, funds: '0' });
    const other = await createProduct(app, seller.token, { price: '40001', stock: 5 });
    const items = [
      { product_id: product.id, quantity: 1 },
      { product_id: other.id, quantity: 1 },
    ];
    expectTooLarge(await order(buyer.token, items, 'manual'), 'items');
    expect(await stockOf(product.id)).toBe(5);
    expect(await stockOf(other.id)).toBe(5);
    expect(await paymentsOf(buyer.token)).toEqual([]);
  });

  it('refuses one unit above the maximum on POST /payments, naming quantity', async () => {
    const { buyer, product } = await market(app, { price: '50001', stock: 5, funds: '0' });
    expectTooLarge(await buy(buyer.token, product.id, 2, 'manual'), 'quantity');
    expect(await stockOf(product.id)).toBe(5);
    expect(await paymentsOf(buyer.token)).toEqual([]);
  });

  it('refuses a quantity above MAX_LINE_QUANTITY whatever the price, up to the largest int32', async () => {
    const { buyer, product } = await market(app, { price: '1', stock: 20_000, funds: '0' });
    expectTooLarge(await buy(buyer.token, product.id, MAX_LINE_QUANTITY + 1, 'manual'), 'quantity');
    expectTooLarge(await buy(buyer.token, product.id, 2_147_483_647, 'manual'), 'quantity');
    expectTooLarge(
      await order(buyer.token, [{ product_id: product.id, quantity: MAX_LINE_QUANTITY + 1 }], 'manual'),
      'items.0.quantity',
    );
    // Two lines of one product are one line of the order: their quantities add up.
    expectTooLarge(
      await order(
        buyer.token,
        [
          { product_id: product.id, quantity: 6_000 },
          { product_id: product.id, quantity: 4_001 },
        ],
        'manual',
      ),
      'items.1.quantity',
    );
    expect(await stockOf(product.id)).toBe(20_000);
    expect(await paymentsOf(buyer.token)).toEqual([]);
  });

  it('lists a product priced above the maximum but will not sell even one', async () => {
    const { buyer, product } = await market(app, { price: LARGEST_PRICE, stock: 3, funds: '0' });
    expect((await app.api<ProductJson>('GET', `/products/${product.id}`)).body.results.price).toBe(
      LARGEST_PRICE,
    );
    expectTooLarge(await buy(buyer.token, product.id, 1, 'manual'), 'quantity');
    expectTooLarge(await buy(buyer.token, product.id, 1, 'midtrans'), 'quantity');
    expect(await stockOf(product.id)).toBe(3);
    expect(await paymentsOf(buyer.token)).toEqual([]);
  });

  it('answers a price near the int8 maximum with a 400 from the catalog, never a 500', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const prices: [string, string][] = [
      [INT8_MAX, 'IDR'],
      ['9223372036854775808', 'IDR'],
      ['9'.repeat(30), 'IDR'],
      // The same int8 maximum in cents.
      ['92233720368547758.07', 'USD'],
    ];
    for (const [price, currency] of prices) {
      const created = await app.api('POST', '/products', {
        token: seller.token,
        body: { name: 'Gold bar', price, currency, stock: 1 },
      });
      expect(created.status).toBe(400);
      expect(created.body.meta.errors).toEqual([
        expect.objectContaining({ field: 'price', code: 'too_large' }),
      ]);
    }
    const product = await createProduct(app, seller.token, { price: '1000' });
    const updated = await app.api('PUT', `/products/${product.id}`, {
      token: seller.token,
      body: { price: INT8_MAX },
    });
    expect(updated.status).toBe(400);
    expect(updated.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'price', code: 'too_large' }),
    ]);
    expect((await app.api<ProductJson>('GET', `/products/${product.id}`)).body.results.price).toBe('1000');
  });
});

describe('checkout at the limits', () => {
  it('accepts one line and several lines totalling exactly the maximum', async () => {
    const { seller, buyer, product } = await market(app, { price: '50000', stock: 10, funds: '100000' });
    await topUp(app, buyer.token, '100000');
    const single = await buy(buyer.token, product.id, 2);
    expect(single.status).toBe(201);
    expect(single.body.results).toMatchObject({ status: 'succeeded', total_amount: '100000' });

    const other = await createProduct(app, seller.token, { price: '25000', stock: 10 });
    const several = await order(buyer.token, [
      { product_id: product.id, quantity: 1 },
      { product_id: other.id, quantity: 2 },
    ]);
    expect(several.status).toBe(201);
    expect(several.body.results).toMatchObject({ status: 'succeeded', total_amount: '100000' });
    expect((await walletOf(app, buyer.token)).available).toBe('0');
    expect(await stockOf(product.id)).toBe(7);
  });

  it('sends an order at the maximum to Midtrans for exactly its amount, which then settles it', async () => {
    const { buyer, product } = await market(app, { price: '50000', stock: 2, funds: '0' });
    const pending = await buy(buyer.token, product.id, 2, 'midtrans');
    expect(pending.status).toBe(201);
    expect(pending.body.results).toMatchObject({ status: 'pending', total_amount: '100000' });
    await sandbox.pay(pending.body.results.id, 'settlement');
    await sandbox.idle();
    // The app settles only when the gateway's gross_amount matches the payment's amount.
    const settled = await app.api<PaymentJson>('GET', `/payments/${pending.body.results.id}`, {
      token: buyer.token,
    });
    expect(settled.body.results.status).toBe('succeeded');
  });
});

describe('checkout above the limits, over gRPC', () => {
  it('answers INVALID_ARGUMENT with an amount_too_large field, never INTERNAL, and writes nothing', async () => {
    const { seller, buyer, product } = await market(app, { price: '50001', stock: 20_000, funds: '0' });
    const big = await createProduct(app, seller.token, { price: LARGEST_PRICE, stock: MAX_LINE_QUANTITY });

    const cases: [object, string][] = [
      [{ product_id: product.id, quantity: 2, payment_method: 'manual' }, 'quantity'],
      [{ product_id: product.id, quantity: MAX_LINE_QUANTITY + 1 }, 'quantity'],
      [{ product_id: big.id, quantity: 1 }, 'quantity'],
      [
        {
          items: [
            { product_id: product.id, quantity: 1 },
            { product_id: big.id, quantity: MAX_LINE_QUANTITY },
          ],
        },
        'items.1.quantity',
      ],
      [
        {
          items: [
            { product_id: product.id, quantity: 1 },
            { product_id: product.id, quantity: 1 },
          ],
        },
        'items.1.quantity',
      ],
    ];
    for (const [request, field] of cases) {
      const outcome = await createPayment(buyer.token, request);
      expect(outcome.error?.code, JSON.stringify(request)).toBe(status.INVALID_ARGUMENT);
      expect(outcome.reason).toBe('validation_failed');
      expect(outcome.fields).toEqual([{ field, reason: 'amount_too_large' }]);
    }
    expect(await stockOf(product.id)).toBe(20_000);
    expect(await stockOf(big.id)).toBe(MAX_LINE_QUANTITY);
    expect(await paymentsOf(buyer.token)).toEqual([]);
  });

  it('refuses lines above the maximum only together, naming items, and accepts exactly the maximum', async () => {
    const { seller, buyer, product } = await market(app, { price: '50000', stock: 5, funds: '0' });
    const other = await createProduct(app, seller.token, { price: '50001', stock: 5 });
    const over = await createPayment(buyer.token, {
      items: [
        { product_id: product.id, quantity: 1 },
        { product_id: other.id, quantity: 1 },
      ],
      payment_method: 'manual',
    });
    expect(over.error?.code).toBe(status.INVALID_ARGUMENT);
    expect(over.fields).toEqual([{ field: 'items', reason: 'amount_too_large' }]);

    const exact = await createPayment(buyer.token, {
      product_id: product.id,
      quantity: 2,
      payment_method: 'manual',
    });
    expect(exact.error).toBeUndefined();
    expect(exact.response).toMatchObject({ status: 'pending', total_amount: '100000' });
    expect(await stockOf(other.id)).toBe(5);
  });
});

describe('wallet top-ups and the order maximum', () => {
  const startTopUp = (token: string, amount: string, method: string) =>
    app.api<GatewayTopUp>('POST', '/wallet/top-ups', { token, body: { amount, currency: 'IDR', method } });

  it('refuses a top-up above the maximum, by either method, and adds nothing', async () => {
    const buyer = await signUp(app);
    for (const method of ['test', 'midtrans']) {
      for (const amount of ['100001', LARGEST_PRICE, INT8_MAX]) {
        expectTooLarge(await startTopUp(buyer.token, amount, method), 'amount');
      }
    }
    expect((await walletOf(app, buyer.token)).available).toBe('0');
  });

  it('accepts a top-up of exactly the maximum, and Midtrans credits exactly that', async () => {
    const buyer = await signUp(app);
    expect((await startTopUp(buyer.token, '100000', 'test')).status).toBe(201);
    const pending = await startTopUp(buyer.token, '100000', 'midtrans');
    expect(pending.status).toBe(201);
    expect(pending.body.results).toMatchObject({ status: 'pending', amount: '100000' });
    await sandbox.pay(pending.body.results.id, 'settlement');
    await sandbox.idle();
    expect((await walletOf(app, buyer.token)).available).toBe('200000');
  });
});
