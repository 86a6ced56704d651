import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicCart } from '../../src/modules/carts/carts.rules.js';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { call, grpcClients } from '../helpers/grpc.js';
import { adminOf, market, type PaymentJson, reconcile, topUp, walletOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  app = await startTestApp({ PLATFORM_FEE_BPS: '250', RATE_LIMIT_PER_USER: '100000' });
  admin = await adminOf(app);
});
afterAll(() => app.close());

const cartWith = async (lines: { product_id: string; quantity: number }[], token?: string) => {
  const res = await app.api<PublicCart>('POST', '/carts', { body: { lines }, token });
  expect(res.status).toBe(201);
  return res.body.results;
};
const checkout = (id: string, token: string, body: unknown = { payment_method: 'wallet' }) =>
  app.api<PaymentJson>('POST', `/carts/${id}/checkout`, { token, body });
const stockOf = async (id: string) =>
  (await app.api<ProductJson>('GET', `/products/${id}`)).body.results.stock;

describe('POST /carts/:id/checkout', () => {
  it('creates the order and payment exactly as POST /orders does', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 10, funds: '100000' });
    const second = await createProduct(app, seller.token, { price: '2500', stock: 10 });
    const lines = [
      { product_id: product.id, quantity: 2 },
      { product_id: second.id, quantity: 1 },
    ];
    const cart = await cartWith(lines, buyer.token);
    const viaCart = await checkout(cart.id, buyer.token);
    const viaOrders = await app.api<PaymentJson>('POST', '/orders', {
      token: buyer.token,
      body: { items: lines, payment_method: 'wallet' },
    });
    expect([viaCart.status, viaOrders.status]).toEqual([201, 201]);
    const shape = (payment: PaymentJson) => ({
      ...payment,
      id: undefined,
      order_id: undefined,
      payment_code: undefined,
      created_at: undefined,
      updated_at: undefined,
      items: payment.items.map((item) => ({ ...item, id: undefined })),
    });
    expect(shape(viaCart.body.results)).toEqual(shape(viaOrders.body.results));
    expect(viaCart.body.meta.message).toBe(viaOrders.body.meta.message);
    expect(viaCart.body.results).toMatchObject({ status: 'succeeded', total_amount: '22500' });
    expect(await stockOf(product.id)).toBe(6);
    expect((await walletOf(app, buyer.token)).available).toBe('55000');
    const after = await app.api<PublicCart>('GET', `/carts/${cart.id}`, { token: buyer.token });
    expect(after.body.results).toMatchObject({ status: 'checked_out', payment_id: viaCart.body.results.id });
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('answers the same payment to a repeat, and refuses edits after it', async () => {
    const { buyer, product } = await market(app, { stock: 5 });
    const cart = await cartWith([{ product_id: product.id, quantity: 1 }], buyer.token);
    const first = await checkout(cart.id, buyer.token);
    const again = await checkout(cart.id, buyer.token);
    expect(again.status).toBe(201);
    expect(again.body.results.id).toBe(first.body.results.id);
    const edit = await app.api('POST', `/carts/${cart.id}/lines`, {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1 },
    });
    expect([edit.status, edit.body.meta.code]).toEqual([409, 'cart_checked_out']);
    expect(await stockOf(product.id)).toBe(4);
    const fresh = await app.api<PublicCart>('POST', '/carts', { token: buyer.token, body: {} });
    expect(fresh.body.results.id).not.toBe(cart.id);
  });

  it('refuses while a price changed, writing nothing, and goes through once it is accepted', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 5, funds: '100000' });
    const cart = await cartWith([{ product_id: product.id, quantity: 1 }], buyer.token);
    await app.api('PUT', `/products/${product.id}`, { token: seller.token, body: { price: '11000' } });
    const refused = await checkout(cart.id, buyer.token);
    expect([refused.status, refused.body.meta.code]).toEqual([409, 'cart_prices_changed']);
    const errors = (refused.body.meta as unknown as { errors: { field: string }[] }).errors;
    expect(errors.map((error) => error.field)).toEqual([`lines.${cart.lines[0]!.id}`]);
    expect(await stockOf(product.id)).toBe(5);
    expect((await walletOf(app, buyer.token)).available).toBe('100000');
    await app.api('POST', `/carts/${cart.id}/accept-prices`, { token: buyer.token });
    const paid = await checkout(cart.id, buyer.token);
    expect(paid.status).toBe(201);
    expect(paid.body.results.total_amount).toBe('11000');
  });

  it('refuses an empty cart and other buyers', async () => {
    const buyer = await signUp(app);
    const other = await signUp(app);
    const empty = (await app.api<PublicCart>('POST', '/carts', { token: buyer.token, body: {} })).body
      .results;
    const res = await checkout(empty.id, buyer.token);
    expect([res.status, res.body.meta.code]).toEqual([409, 'cart_empty']);
    expect((await checkout(empty.id, other.token)).status).toBe(404);
  });

  it('makes a guest cart its buyer’s, and a failed payment leaves it open for another try', async () => {
    const { buyer, product } = await market(app, { price: '10000', stock: 5, funds: '0' });
    const other = await signUp(app);
    const guest = await cartWith([{ product_id: product.id, quantity: 1 }]);
    const failed = await checkout(guest.id, buyer.token);
    expect(failed.body.results).toMatchObject({ status: 'failed', failure_code: 'insufficient_funds' });
    await topUp(app, buyer.token, '10000');
    const paid = await checkout(guest.id, buyer.token);
    expect(paid.body.results.status).toBe('succeeded');
    expect(paid.body.results.id).not.toBe(failed.body.results.id);
    expect((await app.api('GET', `/carts/${guest.id}`)).status).toBe(404);
    expect((await checkout(guest.id, other.token)).status).toBe(404);
  });

  it('turns 50 concurrent checkouts of one cart into exactly one payment', async () => {
    const { buyer, product } = await market(app, { price: '1000', stock: 100, funds: '100000' });
    const cart = await cartWith([{ product_id: product.id, quantity: 3 }], buyer.token);
    const answers = await Promise.all(Array.from({ length: 50 }, () => checkout(cart.id, buyer.token)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(201));
    expect(new Set(answers.map((answer) => answer.body.results.id)).size).toBe(1);
    expect(await stockOf(product.id)).toBe(97);
    expect((await walletOf(app, buyer.token)).available).toBe('97000');
    const payments = await app.api<PaymentJson[]>('GET', '/payments', { token: buyer.token });
    expect(payments.body.results).toHaveLength(1);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });
});

describe('the order checkout with expected prices', () => {
  it('refuses a line whose price is not the one expected, in its own transaction', async () => {
    const { buyer, product } = await market(app, { price: '10000', stock: 5, funds: '100000' });
    const refused = await app.platform.payments.checkout
      .create(
        { userId: buyer.id, role: 'buyer' },
        { items: [{ product_id: product.id, quantity: 1, expected_unit_price_minor: 9000n }] },
      )
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'price_changed_since_quote' });
    expect(await stockOf(product.id)).toBe(5);
    const paid = await app.platform.payments.checkout.create(
      { userId: buyer.id, role: 'buyer' },
      { items: [{ product_id: product.id, quantity: 1, expected_unit_price_minor: 10000n }] },
    );
    expect(paid.status).toBe('succeeded');
  });

  // A split gateway serves no gRPC itself: its REST tests above cross gRPC already.
  it.skipIf(process.env.MAMLAKA_TEST_SPLIT === '1')(
    'refuses it over gRPC too, through CreatePayment’s optional expected_unit_price_minor',
    async () => {
      const { buyer, product } = await market(app, { price: '10000', stock: 5, funds: '100000' });
      const clients = grpcClients(app.grpcAddress);
      try {
        const line = (expected: string) => ({
          items: [{ product_id: product.id, quantity: 1, expected_unit_price_minor: expected }],
          payment_method: 'wallet',
        });
        const refused = await call(clients.payments, 'CreatePayment', line('9000'), { token: buyer.token });
        expect(refused.reason).toBe('price_changed_since_quote');
        expect(await stockOf(product.id)).toBe(5);
        const paid = await call<PaymentJson>(clients.payments, 'CreatePayment', line('10000'), {
          token: buyer.token,
        });
        expect(paid.response?.status).toBe('succeeded');
      } finally {
        clients.close();
      }
    },
  );
});
