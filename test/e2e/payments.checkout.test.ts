import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import { adminOf, market, type PaymentJson, reconcile, topUp, walletOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  app = await startTestApp({ PLATFORM_FEE_BPS: '250' });
  admin = await adminOf(app);
});
afterAll(() => app.close());

const stockOf = async (id: string) =>
  (await app.api<ProductJson>('GET', `/products/${id}`)).body.results.stock;

describe('POST /payments with the wallet', () => {
  it('answers the seed shape, settles at once and moves the money buyer → seller + fee', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 5, funds: '50000' });
    const res = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 2, payment_method: 'wallet' },
    });
    expect(res.status).toBe(201);
    expect(res.body.results).toMatchObject({
      product_id: product.id,
      user_id: buyer.id,
      quantity: 2,
      total_amount: '20000',
      status: 'succeeded',
      payment_method: 'wallet',
    });
    expect(res.body.results.payment_code).toMatch(/^GC-\d{4}-\d{4}-\d{4}$/);
    expect(res.body.results).toHaveProperty('payment_url');
    expect(res.body.results).toHaveProperty('token');
    expect(await stockOf(product.id)).toBe(3);
    expect((await walletOf(app, buyer.token)).available).toBe('30000');
    expect((await walletOf(app, seller.token)).available).toBe('19500'); // 2.5 % fee
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('uses the wallet when the seed’s clients send no payment_method', async () => {
    const { buyer, product } = await market(app);
    const res = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1 },
    });
    expect(res.status).toBe(201);
    expect(res.body.results.payment_method).toBe('wallet');
  });

  it('records a failed payment and keeps the stock when the wallet cannot pay', async () => {
    const { buyer, product } = await market(app, { price: '10000', stock: 5, funds: '5000' });
    const res = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1 },
    });
    expect(res.status).toBe(201);
    expect(res.body.results).toMatchObject({ status: 'failed', failure_code: 'insufficient_funds' });
    expect(res.body.meta.message).toBe('payment failed: insufficient funds');
    expect(await stockOf(product.id)).toBe(5);
    expect((await walletOf(app, buyer.token)).available).toBe('5000');
  });

  it.each([
    ['a missing product_id', { product_id: undefined }, 400],
    ['a zero quantity', { quantity: 0 }, 400],
    ['a string quantity', { quantity: '2' }, 400],
    ['an unknown payment method', { payment_method: 'bitcoin' }, 400],
  ])('refuses %s and writes nothing', async (_label, patch, status) => {
    const { buyer, product } = await market(app);
    const body = JSON.parse(JSON.stringify({ product_id: product.id, quantity: 1, ...patch }));
    const res = await app.api('POST', '/payments', { token: buyer.token, body });
    expect(res.status).toBe(status);
    expect(await stockOf(product.id)).toBe(10);
  });

  it('answers 404 for an unknown product and 409 for more than the stock', async () => {
    const { buyer, product } = await market(app, { stock: 2 });
    const missing = await app.api('POST', '/payments', {
      token: buyer.token,
      body: { product_id: '00000000-0000-4000-8000-000000000000', quantity: 1 },
    });
    expect(missing.status).toBe(404);
    const tooMany = await app.api('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 3 },
    });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.meta.code).toBe('insufficient_stock');
    expect(await stockOf(product.id)).toBe(2);
  });

  it('lets only buyers check out', async () => {
    const { seller, product } = await market(app);
    const res = await app.api('POST', '/payments', {
      token: seller.token,
      body: { product_id: product.id, quantity: 1 },
    });
    expect(res.status).toBe(403);
  });
});

describe('POST /orders', () => {
  it('buys from two sellers with one payment and pays each seller their share', async () => {
    const a = await market(app, { price: '10000' });
    const otherSeller = await signUp(app, { role: 'seller' });
    const other = await createProduct(app, otherSeller.token, { price: '4000', stock: 3 });
    const res = await app.api<PaymentJson>('POST', '/orders', {
      token: a.buyer.token,
      body: {
        items: [
          { product_id: a.product.id, quantity: 1 },
          { product_id: other.id, quantity: 2 },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.results).toMatchObject({ total_amount: '18000', status: 'succeeded', quantity: 3 });
    expect(res.body.results.items).toHaveLength(2);
    expect((await walletOf(app, a.seller.token)).available).toBe('9750');
    expect((await walletOf(app, otherSeller.token)).available).toBe('7800');
    expect(await stockOf(other.id)).toBe(1);
  });

  it('refuses items in two currencies and reserves nothing', async () => {
    const { seller, buyer, product } = await market(app);
    const usd = await createProduct(app, seller.token, { price: '5.00', currency: 'USD', stock: 4 });
    const res = await app.api('POST', '/orders', {
      token: buyer.token,
      body: {
        items: [
          { product_id: product.id, quantity: 1 },
          { product_id: usd.id, quantity: 1 },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.meta.code).toBe('mixed_currencies');
    expect(await stockOf(product.id)).toBe(10);
    expect(await stockOf(usd.id)).toBe(4);
  });
});

describe('reading payments', () => {
  it('shows a payment to its buyer, its seller and admins, and 404 to anyone else', async () => {
    const { seller, buyer, product } = await market(app);
    const created = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1 },
    });
    const id = created.body.results.id;
    const stranger = await signUp(app);
    const otherSeller = await signUp(app, { role: 'seller' });
    expect((await app.api('GET', `/payments/${id}`, { token: buyer.token })).status).toBe(200);
    expect((await app.api('GET', `/payments/${id}`, { token: seller.token })).status).toBe(200);
    expect((await app.api('GET', `/payments/${id}`, { token: admin.token })).status).toBe(200);
    expect((await app.api('GET', `/payments/${id}`, { token: stranger.token })).status).toBe(404);
    expect((await app.api('GET', `/payments/${id}`, { token: otherSeller.token })).status).toBe(404);
    const mine = await app.api<PaymentJson[]>('GET', '/payments', { token: buyer.token });
    expect(mine.body.results.map((p) => p.id)).toEqual([id]);
    const sales = await app.api<PaymentJson[]>('GET', '/payments', { token: seller.token });
    expect(sales.body.results.map((p) => p.id)).toEqual([id]);
    expect(
      (await app.api<PaymentJson[]>('GET', '/payments', { token: stranger.token })).body.results,
    ).toEqual([]);
  });
});

describe('concurrency', () => {
  it('sells exactly the stock to 200 concurrent checkouts, the rest a clear 409', async () => {
    const seller = await signUp(app, { role: 'seller' });
    const product = await createProduct(app, seller.token, { price: '1000', stock: 10 });
    const buyers = await Promise.all(Array.from({ length: 8 }, () => signUp(app)));
    for (const b of buyers) await topUp(app, b.token, '1000000');
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        app.api<PaymentJson>('POST', '/payments', {
          token: buyers[i % buyers.length]!.token,
          body: { product_id: product.id, quantity: 1 },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(190);
    for (const r of results.filter((r) => r.status === 409))
      expect(r.body.meta.code).toBe('insufficient_stock');
    expect(await stockOf(product.id)).toBe(0);
    expect((await walletOf(app, seller.token)).available).toBe('9750');
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('never takes a wallet below zero under 50 concurrent payments that exceed it', async () => {
    const { buyer, product } = await market(app, { price: '1000', stock: 100, funds: '20000' });
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        app.api<PaymentJson>('POST', '/payments', {
          token: buyer.token,
          body: { product_id: product.id, quantity: 1 },
        }),
      ),
    );
    const outcomes = results.map((r) => r.body.results.status);
    expect(outcomes.filter((s) => s === 'succeeded')).toHaveLength(20);
    expect(outcomes.filter((s) => s === 'failed')).toHaveLength(30);
    expect((await walletOf(app, buyer.token)).available).toBe('0');
    expect(await stockOf(product.id)).toBe(80);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('creates one payment and one ledger transaction for 100 concurrent requests with one idempotency key', async () => {
    const { buyer, product } = await market(app, { price: '1000', stock: 100 });
    const headers = { 'idempotency-key': `checkout-${Date.now()}` };
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        app.api<PaymentJson>('POST', '/payments', {
          token: buyer.token,
          headers,
          body: { product_id: product.id, quantity: 1 },
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 201);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((r) => JSON.stringify(r.body.results))).size).toBe(1);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    expect(await stockOf(product.id)).toBe(99);
    const mine = await app.api<PaymentJson[]>('GET', '/payments', { token: buyer.token });
    expect(mine.body.results).toHaveLength(1);
    const again = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      headers,
      body: { product_id: product.id, quantity: 1 },
    });
    expect(again.status).toBe(201);
    expect(again.body.results.id).toBe(ok[0]!.body.results.id);
    const other = await app.api('POST', '/payments', {
      token: buyer.token,
      headers,
      body: { product_id: product.id, quantity: 2 },
    });
    expect(other.status).toBe(422);
  });
});
