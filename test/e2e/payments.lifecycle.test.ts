import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, type ProductJson } from '../helpers/catalog.js';
import {
  adminOf,
  market,
  type PaymentJson,
  reconcile,
  type RefundJson,
  walletOf,
} from '../helpers/payments.js';
import { signUp, startLiveApp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: { token: string };
beforeAll(async () => {
  app = await startTestApp({ PLATFORM_FEE_BPS: '1000', PAYMENT_EXPIRY: '1s', PAYMENT_EXPIRY_SWEEP: '100ms' });
  admin = await adminOf(app);
});
afterAll(() => app.close());

const stockOf = async (id: string) =>
  (await app.api<ProductJson>('GET', `/products/${id}`)).body.results.stock;
const pay = (token: string, productId: string, quantity = 1, method = 'wallet') =>
  app.api<PaymentJson>('POST', '/payments', {
    token,
    body: { product_id: productId, quantity, payment_method: method },
  });
const refund = (token: string, id: string, body: Record<string, unknown>) =>
  app.api<RefundJson>('POST', `/payments/${id}/refunds`, { token, body });
const paymentOf = async (token: string, id: string) =>
  (await app.api<PaymentJson>('GET', `/payments/${id}`, { token })).body.results;

describe('refunds', () => {
  it('refund in parts that add up to the total, reversing seller share and fee proportionally', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 5, funds: '10000' });
    const paid = (await pay(buyer.token, product.id)).body.results;
    expect((await walletOf(app, seller.token)).available).toBe('9000');

    const first = await refund(seller.token, paid.id, { amount: '4000', reason: 'one item damaged' });
    expect(first.status).toBe(201);
    expect(first.body.results).toMatchObject({ status: 'succeeded', amount: '4000', payment_id: paid.id });
    expect(await paymentOf(buyer.token, paid.id)).toMatchObject({
      status: 'partially_refunded',
      refunded_amount: '4000',
    });
    expect((await walletOf(app, buyer.token)).available).toBe('4000');
    expect((await walletOf(app, seller.token)).available).toBe('5400');

    const second = await refund(seller.token, paid.id, { reason: 'the rest', restock: true });
    expect(second.body.results).toMatchObject({ status: 'succeeded', amount: '6000', restock: true });
    expect(await paymentOf(buyer.token, paid.id)).toMatchObject({
      status: 'refunded',
      refunded_amount: '10000',
    });
    const listed = await app.api<RefundJson[]>('GET', `/payments/${paid.id}/refunds`, { token: buyer.token });
    expect(listed.body.results.map((r) => [r.id, r.amount])).toEqual([
      [first.body.results.id, '4000'],
      [second.body.results.id, '6000'],
    ]);
    const one = await app.api<RefundJson>('GET', `/refunds/${first.body.results.id}`, {
      token: seller.token,
    });
    expect(one.body.results).toEqual(first.body.results);
    expect((await walletOf(app, buyer.token)).available).toBe('10000');
    expect((await walletOf(app, seller.token)).available).toBe('0');
    expect(await stockOf(product.id)).toBe(5);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('refuses a refund above what is left with 422, changing nothing', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', funds: '10000' });
    const paid = (await pay(buyer.token, product.id)).body.results;
    await refund(seller.token, paid.id, { amount: '7000', reason: 'partial' });
    const tooMuch = await refund(seller.token, paid.id, { amount: '3001', reason: 'too much' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.meta.code).toBe('refund_exceeds_remaining');
    const after = await app.api<PaymentJson>('GET', `/payments/${paid.id}`, { token: buyer.token });
    expect(after.body.results.refunded_amount).toBe('7000');
  });

  it('refuses bad amounts, other sellers, buyers and refunds of a fully refunded payment', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', funds: '10000' });
    const paid = (await pay(buyer.token, product.id)).body.results;
    expect((await refund(seller.token, paid.id, { amount: '1.5', reason: 'x' })).status).toBe(400);
    expect((await refund(seller.token, paid.id, { amount: '0', reason: 'x' })).status).toBe(400);
    expect((await refund(seller.token, paid.id, { amount: '100' })).status).toBe(400);
    const otherSeller = await signUp(app, { role: 'seller' });
    expect((await refund(otherSeller.token, paid.id, { reason: 'not mine' })).status).toBe(404);
    expect((await refund(buyer.token, paid.id, { reason: 'self-service' })).status).toBe(403);
    expect((await refund(admin.token, paid.id, { reason: 'admin refund' })).status).toBe(201);
    const again = await refund(seller.token, paid.id, { reason: 'again' });
    expect(again.status).toBe(422);
    expect(again.body.meta.code).toBe('payment_not_refundable');
  });

  it('splits partial refunds over what each seller has left, so unit refunds empty every wallet exactly', async () => {
    // Two sellers get 1 each; splitting each refund of 1 by the original shares would take
    // both from the first seller, who has only 1 to give back.
    const first = await market(app, { price: '1', funds: '2' });
    const second = await signUp(app, { role: 'seller' });
    const other = await createProduct(app, second.token, { price: '1', stock: 5 });
    const paid = await app.api<PaymentJson>('POST', '/orders', {
      token: first.buyer.token,
      body: {
        items: [
          { product_id: first.product.id, quantity: 1 },
          { product_id: other.id, quantity: 1 },
        ],
        payment_method: 'wallet',
      },
    });
    expect(paid.body.results.status).toBe('succeeded');
    for (const n of [1, 2]) {
      const made = await refund(admin.token, paid.body.results.id, { amount: '1', reason: `unit ${n}` });
      expect(made.status).toBe(201);
    }
    expect((await walletOf(app, first.seller.token)).available).toBe('0');
    expect((await walletOf(app, second.token)).available).toBe('0');
    expect((await walletOf(app, first.buyer.token)).available).toBe('2');
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('never lets concurrent refunds exceed the amount paid', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', funds: '10000' });
    const paid = (await pay(buyer.token, product.id)).body.results;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => refund(seller.token, paid.id, { amount: '3000', reason: 'race' })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    const after = await app.api<PaymentJson>('GET', `/payments/${paid.id}`, { token: buyer.token });
    expect(after.body.results.refunded_amount).toBe('9000');
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });
});

describe('pending payments (manual method)', () => {
  it('hold the stock until an admin captures them; then the money is booked', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', stock: 3, funds: '0' });
    const pending = await pay(buyer.token, product.id, 1, 'manual');
    expect(pending.body.results.status).toBe('pending');
    expect(await stockOf(product.id)).toBe(2);
    expect(
      (await app.api('POST', `/payments/${pending.body.results.id}/capture`, { token: buyer.token })).status,
    ).toBe(403);
    const captured = await app.api<PaymentJson>('POST', `/payments/${pending.body.results.id}/capture`, {
      token: admin.token,
    });
    expect(captured.body.results.status).toBe('succeeded');
    expect((await walletOf(app, seller.token)).available).toBe('9000');
    const twice = await app.api('POST', `/payments/${pending.body.results.id}/capture`, {
      token: admin.token,
    });
    expect(twice.status).toBe(422);
    expect(twice.body.meta.code).toBe('invalid_payment_transition');
  });

  it('can be canceled by their buyer, releasing the stock; not by another buyer', async () => {
    const { buyer, product } = await market(app, { stock: 3, funds: '0' });
    const pending = (await pay(buyer.token, product.id, 2, 'manual')).body.results;
    const stranger = await signUp(app);
    expect((await app.api('POST', `/payments/${pending.id}/cancel`, { token: stranger.token })).status).toBe(
      404,
    );
    const canceled = await app.api<PaymentJson>('POST', `/payments/${pending.id}/cancel`, {
      token: buyer.token,
    });
    expect(canceled.body.results.status).toBe('canceled');
    expect(await stockOf(product.id)).toBe(3);
    expect((await app.api('POST', `/payments/${pending.id}/cancel`, { token: buyer.token })).status).toBe(
      422,
    );
  });

  it('expire after PAYMENT_EXPIRY and give their stock back', async () => {
    const { buyer, product } = await market(app, { stock: 4, funds: '0' });
    const pending = (await pay(buyer.token, product.id, 3, 'manual')).body.results;
    expect(await stockOf(product.id)).toBe(1);
    let status = 'pending';
    for (let i = 0; i < 50 && status === 'pending'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await app.api<PaymentJson>('GET', `/payments/${pending.id}`, { token: buyer.token })).body
        .results.status;
    }
    expect(status).toBe('expired');
    expect(await stockOf(product.id)).toBe(4);
    expect((await app.api('POST', `/payments/${pending.id}/capture`, { token: admin.token })).status).toBe(
      422,
    );
  });
});

describe('wallets', () => {
  it('refuse test top-ups with bad amounts', async () => {
    const buyer = await signUp(app);
    const bad = await app.api('POST', '/wallet/top-ups', {
      token: buyer.token,
      body: { amount: '-5', currency: 'IDR', method: 'test' },
    });
    expect(bad.status).toBe(400);
    const method = await app.api('POST', '/wallet/top-ups', {
      token: buyer.token,
      body: { amount: '5', currency: 'IDR', method: 'card' },
    });
    expect(method.status).toBe(400);
  });

  it('refuse test top-ups in live mode, where they would create money', async () => {
    const live = await startLiveApp();
    try {
      const buyer = await signUp(live);
      const res = await live.api('POST', '/wallet/top-ups', {
        token: buyer.token,
        body: { amount: '5000', currency: 'IDR', method: 'test' },
      });
      expect(res.status).toBe(403);
      expect(res.body.meta.code).toBe('sandbox_only');
      expect(
        (await live.api<{ currency: string }[]>('GET', '/wallet', { token: buyer.token })).body.results,
      ).toEqual([]);
    } finally {
      await live.close();
    }
  });

  it('hold a payout, then release it on cancel or book it when paid', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', funds: '20000' });
    await pay(buyer.token, product.id, 2);
    const payout = await app.api<{ id: string; status: string }>('POST', '/wallet/payouts', {
      token: seller.token,
      body: { amount: '10000', currency: 'IDR' },
    });
    expect(payout.status).toBe(201);
    expect(await walletOf(app, seller.token)).toMatchObject({ available: '8000', held: '10000' });
    const tooMuch = await app.api('POST', '/wallet/payouts', {
      token: seller.token,
      body: { amount: '9000', currency: 'IDR' },
    });
    expect(tooMuch.status).toBe(422);
    await app.api('POST', `/admin/payouts/${payout.body.results.id}/cancel`, { token: admin.token });
    expect(await walletOf(app, seller.token)).toMatchObject({ available: '18000', held: '0' });
    const second = await app.api<{ id: string }>('POST', '/wallet/payouts', {
      token: seller.token,
      body: { amount: '18000', currency: 'IDR' },
    });
    expect(
      (await app.api('POST', `/admin/payouts/${second.body.results.id}/complete`, { token: admin.token }))
        .status,
    ).toBe(200);
    expect(await walletOf(app, seller.token)).toMatchObject({ available: '0', held: '0' });
    expect(
      (await app.api('POST', `/admin/payouts/${second.body.results.id}/cancel`, { token: admin.token }))
        .status,
    ).toBe(409);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });
});
