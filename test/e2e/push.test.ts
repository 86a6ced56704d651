import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { eventually } from '../helpers/eventually.js';
import { market, type PaymentJson } from '../helpers/payments.js';
import {
  startPushEndpoint,
  type TestBrowser,
  type TestPushEndpoint,
  verifyVapid,
} from '../helpers/push-endpoint.js';
import { untilQuiet } from '../helpers/quiet.js';
import {
  encryptionEnv,
  signingKeyPem,
  signUp,
  startLiveApp,
  startTestApp,
  type TestApp,
} from '../helpers/test-app.js';

let endpoint: TestPushEndpoint;
let app: TestApp;
let vapidKey: string;

beforeAll(async () => {
  endpoint = await startPushEndpoint();
  app = await startTestApp({ PUSH_SEND_INTERVAL: '50ms', PUSH_RETRY_BASE: '100ms' });
  vapidKey = (await app.api<{ public_key: string }>('GET', '/push/vapid-key')).body.results.public_key;
});
afterAll(async () => {
  await app?.close();
  await endpoint?.stop();
});

async function subscribe(token: string, browser: TestBrowser) {
  const res = await app.api<{ id: string; endpoint: string; created_at: string }>(
    'POST',
    '/push/subscriptions',
    {
      token,
      body: browser.subscription,
    },
  );
  expect(res.status).toBe(201);
  return res.body.results;
}

/** The buyer, subscribed from a new browser, pays for one product from the wallet. */
async function paidByWallet(answers: number[] = []) {
  const { seller, buyer, product } = await market(app, { price: '125000' });
  const browser = endpoint.browser();
  endpoint.answer(browser, answers);
  const subscription = await subscribe(buyer.token, browser);
  const payment = await app.api<PaymentJson>('POST', '/payments', {
    token: buyer.token,
    body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
  });
  expect(payment.status).toBe(201);
  return { seller, buyer, browser, subscription, payment: payment.body.results };
}

const messages = (browser: TestBrowser) =>
  endpoint
    .to(browser)
    .filter((push) => push.status === 201)
    .map((push) => JSON.parse(browser.decrypt(push.body)) as Record<string, string>);

describe('Web Push', () => {
  it('hands out one VAPID public key, kept across calls', async () => {
    expect(Buffer.from(vapidKey, 'base64url')).toHaveLength(65);
    const again = await app.api<{ public_key: string }>('GET', '/push/vapid-key');
    expect(again.body.results.public_key).toBe(vapidKey);
  });

  it('tells the buyer their wallet payment succeeded, encrypted to their browser and signed with VAPID', async () => {
    const { browser, payment } = await paidByWallet();
    const [push] = await eventually(
      () => endpoint.to(browser),
      (pushes) => pushes.length === 1,
    );
    expect(push!.headers['content-encoding']).toBe('aes128gcm');
    expect(push!.headers.ttl).toBe('86400');
    expect(push!.headers.urgency).toBe('normal');
    const vapid = await verifyVapid(push!.headers.authorization, push!.endpoint);
    expect(vapid.key).toBe(vapidKey);
    expect(vapid.claims.sub).toMatch(/^mailto:/);
    expect(JSON.parse(browser.decrypt(push!.body))).toEqual({
      title: 'Payment succeeded',
      body: `Your payment of IDR 125,000 (${payment.payment_code}) went through.`,
      url: `/account/orders/${payment.order_id}`,
      tag: `payment-${payment.id}`,
    });
  });

  it('retries a push the push service failed with 500, and delivers it', async () => {
    const { browser } = await paidByWallet([500]);
    await eventually(
      () => endpoint.to(browser).map((push) => push.status),
      (statuses) => statuses.length === 2,
    );
    await untilQuiet(app.platform);
    expect(endpoint.to(browser).map((push) => push.status)).toEqual([500, 201]);
    expect(messages(browser).map((message) => message.title)).toEqual(['Payment succeeded']);
  });

  it('forgets a subscription its push service says is gone (410)', async () => {
    const { buyer, browser, subscription } = await paidByWallet([410]);
    await eventually(
      () => endpoint.to(browser),
      (pushes) => pushes.length === 1,
    );
    await untilQuiet(app.platform);
    // Subscribing the same browser again makes a new subscription: the old one is gone.
    const again = await subscribe(buyer.token, browser);
    expect(again.id).not.toBe(subscription.id);
    expect(
      (await app.api('DELETE', `/push/subscriptions/${subscription.id}`, { token: buyer.token })).status,
    ).toBe(404);
  });

  it('tells the buyer of a refund once, although the refund and the payment both report it', async () => {
    const { seller, browser, payment } = await paidByWallet();
    await eventually(
      () => messages(browser),
      (received) => received.length === 1,
    );
    const refund = await app.api<{ id: string }>('POST', `/payments/${payment.id}/refunds`, {
      token: seller.token,
      body: { amount: '25000', reason: 'damaged' },
    });
    expect(refund.status).toBe(201);
    await eventually(
      () => messages(browser),
      (received) => received.length === 2,
    );
    await untilQuiet(app.platform);
    expect(messages(browser)[1]).toEqual({
      title: 'Refund completed',
      body: `IDR 25,000 has been refunded to your wallet for payment ${payment.payment_code}.`,
      url: `/account/orders/${payment.order_id}`,
      tag: `refund-${refund.body.results.id}`,
    });
    expect(messages(browser)).toHaveLength(2);
  });

  it('handles a batch in one call: each buyer told once per new event, nothing for a repeat', async () => {
    const bought = [await paidByWallet(), await paidByWallet()];
    const received = () => bought.flatMap(({ browser }) => messages(browser));
    await eventually(received, (all) => all.length === 2);
    const events = bought.map(({ payment }) => ({
      id: randomUUID(),
      type: 'payment.succeeded',
      aggregate: `payment:${payment.id}`,
      created: Date.now(),
      data: payment,
    }));
    const consumer = app.platform.push.push;
    expect((await consumer.handleBatch(events)).map((event) => event.id)).toEqual(
      events.map((event) => event.id),
    );
    expect(await consumer.handleBatch(events)).toEqual([]);
    await eventually(received, (all) => all.length === 4);
    await untilQuiet(app.platform);
    for (const { browser, payment } of bought) {
      expect(messages(browser)).toHaveLength(2);
      expect(messages(browser)[1]!.body).toContain(payment.payment_code);
    }
  });

  it('tells the buyer their item shipped, with carrier and tracking number, then that it arrived', async () => {
    const { seller, browser, payment } = await paidByWallet();
    await eventually(
      () => messages(browser),
      (received) => received.length === 1,
    );
    const order = await app.api<{ items: { id: string; name: string }[] }>(
      'GET',
      `/orders/${payment.order_id}`,
      { token: seller.token },
    );
    const item = order.body.results.items[0]!;
    const path = `/orders/${payment.order_id}/items/${item.id}`;
    const shipped = await app.api('POST', `${path}/shipments`, {
      token: seller.token,
      body: { carrier: 'JNE', tracking_number: 'JNE-7731' },
    });
    expect(shipped.status).toBe(201);
    expect((await app.api('POST', `${path}/delivered`, { token: seller.token })).status).toBe(200);
    await eventually(
      () => messages(browser),
      (received) => received.length === 3,
    );
    const [, onTheWay, arrived] = messages(browser);
    expect(onTheWay).toMatchObject({
      title: 'Order shipped',
      url: `/account/orders/${payment.order_id}`,
      tag: `order-${payment.order_id}-${item.id}`,
    });
    expect(onTheWay!.body).toContain('JNE');
    expect(onTheWay!.body).toContain('JNE-7731');
    expect(arrived).toMatchObject({ title: 'Order delivered', url: `/account/orders/${payment.order_id}` });
  });

  it('updates a subscription sent again for the same endpoint', async () => {
    const buyer = await signUp(app);
    const browser = endpoint.browser();
    const first = await subscribe(buyer.token, browser);
    const again = await subscribe(buyer.token, browser);
    expect(again.id).toBe(first.id);
    expect(again.endpoint).toBe(browser.subscription.endpoint);
  });

  it.each([
    ['a non-loopback http endpoint', { endpoint: 'http://push.example/abc' }],
    ['an endpoint that is no URL', { endpoint: 'not a url' }],
    ['an ftp endpoint', { endpoint: 'ftp://127.0.0.1/push' }],
    ['a private address', { endpoint: 'https://10.0.0.1/push' }],
    ['an endpoint too long', { endpoint: `https://push.example/${'a'.repeat(2100)}` }],
    ['a key off the curve', { keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'AAAAAAAAAAAAAAAAAAAAAA' } }],
    ['an auth secret of 8 bytes', { keys: { p256dh: undefined, auth: 'AAAAAAAAAAA' } }],
    ['no keys', { keys: undefined }],
    ['an unknown field', { extra: true }],
  ])('refuses %s with 400', async (_name, change) => {
    const buyer = await signUp(app);
    const { subscription } = endpoint.browser();
    const keys =
      'keys' in change && change.keys
        ? { p256dh: change.keys.p256dh ?? subscription.keys.p256dh, auth: change.keys.auth }
        : 'keys' in change
          ? undefined
          : subscription.keys;
    const res = await app.api('POST', '/push/subscriptions', {
      token: buyer.token,
      body: { ...subscription, ...change, keys },
    });
    expect(res.status).toBe(400);
    expect(res.body.meta.code).toBe('validation_failed');
  });

  it('lets only its owner delete a subscription: anyone else is told it does not exist', async () => {
    const owner = await signUp(app);
    const other = await signUp(app);
    const { id } = await subscribe(owner.token, endpoint.browser());
    expect((await app.api('DELETE', `/push/subscriptions/${id}`, { token: other.token })).status).toBe(404);
    expect((await app.api('DELETE', `/push/subscriptions/${id}`)).status).toBe(401);
    expect((await app.api('DELETE', `/push/subscriptions/${id}`, { token: owner.token })).status).toBe(204);
    expect((await app.api('DELETE', `/push/subscriptions/${id}`, { token: owner.token })).status).toBe(404);
  });
});

describe('Web Push in live mode', () => {
  it('refuses to boot without VAPID keys', () => {
    const live = {
      MAMLAKA_MODE: 'live',
      JWT_PRIVATE_KEY: signingKeyPem(),
      PUBLIC_URL: 'https://api.example',
      ...encryptionEnv(),
    };
    expect(() => loadConfig(live)).toThrow(/^VAPID_PRIVATE_KEY: is required in live mode/);
  });

  it('hands out the configured key and takes only https endpoints', async () => {
    const live = await startLiveApp();
    try {
      const key = await live.api<{ public_key: string }>('GET', '/push/vapid-key');
      expect(key.body.results.public_key).toBe(live.config.push.vapidKeys!.publicKey);
      const buyer = await signUp(live);
      const res = await live.api('POST', '/push/subscriptions', {
        token: buyer.token,
        body: endpoint.browser().subscription,
      });
      expect(res.status).toBe(400);
      expect(res.body.meta.code).toBe('validation_failed');
    } finally {
      await live.close();
    }
  });
});
