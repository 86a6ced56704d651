import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MidtransSandbox } from '../../src/modules/midtrans/sandbox/sandbox.server.js';
import { midtransSignature } from '../../src/modules/midtrans/sandbox/signature.js';
import type { ProductJson } from '../helpers/catalog.js';
import {
  adminOf,
  market,
  type PaymentJson,
  reconcile,
  type RefundJson,
  walletOf,
} from '../helpers/payments.js';
import { SANDBOX_SERVER_KEY as SERVER_KEY, startMidtransWorld } from '../helpers/midtrans.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let world: Awaited<ReturnType<typeof startMidtransWorld>>;
let sandbox: MidtransSandbox;
let app: TestApp;
let admin: { token: string };

beforeAll(async () => {
  world = await startMidtransWorld();
  ({ app, sandbox } = world);
  admin = await adminOf(app);
});
afterAll(async () => {
  await world?.close();
});

const stockOf = async (id: string) =>
  (await app.api<ProductJson>('GET', `/products/${id}`)).body.results.stock;
const get = async (token: string, id: string) =>
  (await app.api<PaymentJson>('GET', `/payments/${id}`, { token })).body.results;
const checkout = (token: string, productId: string, quantity = 1) =>
  app.api<PaymentJson & { token: string; payment_url: string }>('POST', '/payments', {
    token,
    body: { product_id: productId, quantity, payment_method: 'midtrans' },
  });

describe('paying through Midtrans Snap (local sandbox)', () => {
  it('creates a Snap transaction, then settles on the signed notification: ledger posted, stock kept', async () => {
    const { seller, buyer, product } = await market(app, { price: '25000', stock: 5, funds: '0' });
    const created = await checkout(buyer.token, product.id, 2);
    expect(created.status).toBe(201);
    expect(created.body.results).toMatchObject({
      status: 'pending',
      total_amount: '50000',
      payment_method: 'midtrans',
    });
    expect(created.body.results.token).toBeTruthy();
    expect(created.body.results.payment_url).toContain('/snap/v2/vtweb/');
    expect(await stockOf(product.id)).toBe(3);

    await sandbox.pay(created.body.results.id, 'settlement');
    expect((await get(buyer.token, created.body.results.id)).status).toBe('succeeded');
    expect((await walletOf(app, seller.token)).available).toBe('48750');
    expect(await stockOf(product.id)).toBe(3);
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('is the method of a checkout that names none, as the seed’s clients expect', async () => {
    const { buyer, product } = await market(app, { funds: '0' });
    const res = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1 },
    });
    expect(res.status).toBe(201);
    expect(res.body.results).toMatchObject({ payment_method: 'midtrans', status: 'pending' });
  });

  it('releases the stock when the payment is denied or expires', async () => {
    const { buyer, product } = await market(app, { stock: 4, funds: '0' });
    const denied = (await checkout(buyer.token, product.id, 1)).body.results;
    const expiring = (await checkout(buyer.token, product.id, 2)).body.results;
    expect(await stockOf(product.id)).toBe(1);
    await sandbox.pay(denied.id, 'deny');
    await sandbox.pay(expiring.id, 'expire');
    expect((await get(buyer.token, denied.id)).status).toBe('failed');
    expect((await get(buyer.token, expiring.id)).status).toBe('expired');
    expect(await stockOf(product.id)).toBe(4);
  });

  it('refuses a forged notification with 401 and changes nothing', async () => {
    const { buyer, product } = await market(app, { funds: '0' });
    const pending = (await checkout(buyer.token, product.id)).body.results;
    const forged = {
      order_id: pending.id,
      status_code: '200',
      gross_amount: '10000.00',
      transaction_status: 'settlement',
      signature_key: midtransSignature(pending.id, '200', '10000.00', 'not the server key'),
    };
    const res = await app.api('POST', '/payments/midtrans/webhook', { body: forged });
    expect(res.status).toBe(401);
    expect(res.body.meta.code).toBe('invalid_signature');
    const malformed = await app.api('POST', '/payments/midtrans/webhook', { body: { order_id: pending.id } });
    expect(malformed.status).toBe(400);
    expect((await get(buyer.token, pending.id)).status).toBe('pending');
  });

  it('stays settled through duplicate, late and concurrent notifications, posting the ledger once', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', funds: '0' });
    const pending = (await checkout(buyer.token, product.id)).body.results;
    await sandbox.pay(pending.id, 'settlement');
    await Promise.all(Array.from({ length: 8 }, () => sandbox.sendNotification(pending.id, 'settlement')));
    await sandbox.sendNotification(pending.id, 'pending');
    await sandbox.idle();
    expect((await get(buyer.token, pending.id)).status).toBe('succeeded');
    expect((await walletOf(app, seller.token)).available).toBe('9750');
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('refunds through Midtrans and books the reversal', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', funds: '0' });
    const pending = (await checkout(buyer.token, product.id)).body.results;
    await sandbox.pay(pending.id, 'settlement');
    const refunded = await app.api<RefundJson>('POST', `/payments/${pending.id}/refunds`, {
      token: seller.token,
      body: { amount: '4000', reason: 'damaged' },
    });
    expect(refunded.status).toBe(201);
    expect(refunded.body.results).toMatchObject({ status: 'succeeded', payment_method: 'midtrans' });
    expect((await get(buyer.token, pending.id)).status).toBe('partially_refunded');
    const status = await fetch(
      `${(app.config.midtrans.apiUrl ?? '').replace(/\/$/, '')}/v2/${pending.id}/status`,
      {
        headers: { authorization: `Basic ${Buffer.from(`${SERVER_KEY}:`).toString('base64')}` },
      },
    );
    expect(((await status.json()) as { transaction_status: string }).transaction_status).toBe(
      'partial_refund',
    );
    expect((await walletOf(app, seller.token)).available).toBe('5850'); // 9750 − 4000 × 97.5 %
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });
});

describe('when the gateway is slow', () => {
  it('gives up after MIDTRANS_TIMEOUT, fails the payment and releases the stock', async () => {
    // Accepts connections and never answers.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const slow = await startTestApp({
      MIDTRANS_SERVER_KEY: SERVER_KEY,
      MIDTRANS_SNAP_URL: silentUrl,
      MIDTRANS_API_URL: silentUrl,
      MIDTRANS_TIMEOUT: '200ms',
    });
    try {
      const { buyer, product } = await market(slow, { stock: 2, funds: '0' });
      const res = await slow.api('POST', '/payments', {
        token: buyer.token,
        body: { product_id: product.id, quantity: 1, payment_method: 'midtrans' },
      });
      expect(res.status).toBe(503);
      expect((await slow.api<ProductJson>('GET', `/products/${product.id}`)).body.results.stock).toBe(2);
    } finally {
      await slow.close();
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('when the gateway is down', () => {
  it('fails the checkout with 503 and leaves no reserved stock and no pending payment', async () => {
    const down = await startTestApp({
      MIDTRANS_SERVER_KEY: SERVER_KEY,
      MIDTRANS_SNAP_URL: 'http://127.0.0.1:9',
      MIDTRANS_API_URL: 'http://127.0.0.1:9',
    });
    try {
      const { buyer, product } = await market(down, { stock: 3, funds: '0' });
      const res = await down.api('POST', '/payments', {
        token: buyer.token,
        body: { product_id: product.id, quantity: 2, payment_method: 'midtrans' },
      });
      expect(res.status).toBe(503);
      expect(res.body.meta.code).toBe('gateway_unavailable');
      expect((await down.api<ProductJson>('GET', `/products/${product.id}`)).body.results.stock).toBe(3);
      const payments = await down.api<PaymentJson[]>('GET', '/payments', { token: buyer.token });
      expect(payments.body.results.map((p) => p.status)).toEqual(['failed']);
      // The same under an Idempotency-Key: the payment it just failed is not an earlier one to
      // answer with, so the checkout still fails with 503.
      const keyed = await down.api('POST', '/payments', {
        token: buyer.token,
        headers: { 'idempotency-key': 'gateway-down' },
        body: { product_id: product.id, quantity: 1, payment_method: 'midtrans' },
      });
      expect(keyed.status).toBe(503);
      expect(keyed.body.meta.code).toBe('gateway_unavailable');
    } finally {
      await down.close();
    }
  });
});
