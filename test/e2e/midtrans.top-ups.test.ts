import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MidtransSandbox } from '../../src/modules/midtrans/sandbox/sandbox.server.js';
import type { GatewayTopUp } from '../../src/modules/wallets/wallets.gateway-top-ups.js';
import type { StoredNotification } from '../../src/modules/midtrans/midtrans.notifications.js';
import { startMidtransWorld } from '../helpers/midtrans.js';
import { adminOf, market, type PaymentJson, reconcile, walletOf } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

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

const startTopUp = (token: string, amount: string, currency = 'IDR') =>
  app.api<GatewayTopUp>('POST', '/wallet/top-ups', {
    token,
    body: { amount, currency, method: 'midtrans' },
  });
const topUpOf = async (token: string, id: string) =>
  (await app.api<GatewayTopUp>('GET', `/wallet/top-ups/${id}`, { token })).body.results;
const heldForReview = async (orderId: string) =>
  (
    await app.api<StoredNotification[]>(
      'GET',
      `/admin/midtrans/notifications?outcome=held_for_review&order_id=${orderId}`,
      { token: admin.token },
    )
  ).body.results;

describe('wallet top-ups through Midtrans', () => {
  it('credits the wallet once Midtrans confirms the payment, and only once', async () => {
    const buyer = await signUp(app);
    const created = await startTopUp(buyer.token, '150000');
    expect(created.status).toBe(201);
    expect(created.body.results).toMatchObject({ kind: 'top_up', status: 'pending', amount: '150000' });
    expect(created.body.results.payment_url).toContain('/snap/v2/vtweb/');
    expect(created.body.results.token).toBeTruthy();
    expect((await walletOf(app, buyer.token)).available).toBe('0');

    const id = created.body.results.id;
    await sandbox.pay(id, 'settlement');
    await Promise.all(Array.from({ length: 5 }, () => sandbox.sendNotification(id, 'settlement')));
    await sandbox.sendNotification(id, 'pending');
    await sandbox.idle();
    expect(await topUpOf(buyer.token, id)).toMatchObject({ status: 'succeeded', amount: '150000' });
    expect((await walletOf(app, buyer.token)).available).toBe('150000');
    expect((await reconcile(app, admin.token)).ok).toBe(true);
  });

  it('leaves the wallet untouched when the payment is denied or expires', async () => {
    const buyer = await signUp(app);
    const denied = (await startTopUp(buyer.token, '20000')).body.results;
    const expiring = (await startTopUp(buyer.token, '30000')).body.results;
    await sandbox.pay(denied.id, 'deny');
    await sandbox.pay(expiring.id, 'expire');
    expect((await topUpOf(buyer.token, denied.id)).status).toBe('failed');
    expect((await topUpOf(buyer.token, expiring.id)).status).toBe('expired');
    expect((await walletOf(app, buyer.token)).available).toBe('0');
  });

  it("shows a top-up to its owner and admins only, and refuses currencies Snap can't charge", async () => {
    const owner = await signUp(app);
    const stranger = await signUp(app);
    const { id } = (await startTopUp(owner.token, '10000')).body.results;
    expect((await app.api('GET', `/wallet/top-ups/${id}`, { token: stranger.token })).status).toBe(404);
    expect((await app.api('GET', `/wallet/top-ups/${id}`, { token: admin.token })).status).toBe(200);
    const usd = await startTopUp(owner.token, '10.00', 'USD');
    expect(usd.status).toBe(400);
    expect(usd.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'currency', code: 'currency_not_supported' }),
    ]);
  });
});

describe('a notification whose amount differs from ours', () => {
  it('holds a payment for review instead of settling it, and shows it to admins', async () => {
    const { seller, buyer, product } = await market(app, { price: '40000', funds: '0' });
    const payment = (
      await app.api<PaymentJson>('POST', '/payments', {
        token: buyer.token,
        body: { product_id: product.id, quantity: 1, payment_method: 'midtrans' },
      })
    ).body.results;
    sandbox.recordGrossAmount(payment.id, 1000n);
    await sandbox.pay(payment.id, 'settlement');

    const after = await app.api<PaymentJson>('GET', `/payments/${payment.id}`, { token: buyer.token });
    expect(after.body.results.status).toBe('pending');
    expect((await walletOf(app, seller.token)).available).toBe('0');
    const held = await heldForReview(payment.id);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ signature_valid: true, transaction_status: 'settlement' });
    expect(held[0]!.raw).toMatchObject({ order_id: payment.id, gross_amount: '1000.00' });
    expect((await reconcile(app, admin.token)).ok).toBe(true);

    const notAdmin = await app.api('GET', '/admin/midtrans/notifications', { token: seller.token });
    expect(notAdmin.status).toBe(403);
  });

  it('holds a top-up for review without crediting the wallet', async () => {
    const buyer = await signUp(app);
    const { id } = (await startTopUp(buyer.token, '50000')).body.results;
    sandbox.recordGrossAmount(id, 5_000_000n);
    await sandbox.pay(id, 'settlement');
    expect((await topUpOf(buyer.token, id)).status).toBe('pending');
    expect((await walletOf(app, buyer.token)).available).toBe('0');
    expect(await heldForReview(id)).toHaveLength(1);
  });
});

describe('a top-up while the gateway is down', () => {
  it('answers 503 and leaves the top-up failed, the wallet untouched', async () => {
    const down = await startTestApp({
      MIDTRANS_SERVER_KEY: 'SB-Mid-server-down',
      MIDTRANS_SNAP_URL: 'http://127.0.0.1:9',
      MIDTRANS_API_URL: 'http://127.0.0.1:9',
    });
    try {
      const buyer = await signUp(down);
      const res = await down.api('POST', '/wallet/top-ups', {
        token: buyer.token,
        body: { amount: '10000', currency: 'IDR', method: 'midtrans' },
      });
      expect(res.status).toBe(503);
      expect(res.body.meta.code).toBe('gateway_unavailable');
      expect((await walletOf(down, buyer.token)).available).toBe('0');
    } finally {
      await down.close();
    }
  });
});
