import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createMidtransSandbox,
  type MidtransSandbox,
} from '../../src/modules/midtrans/sandbox/sandbox.server.js';
import { midtransSignature } from '../../src/modules/midtrans/sandbox/signature.js';

const SERVER_KEY = 'SB-Mid-server-test-key';

type Notification = Record<string, string> & { refunds?: unknown };

/** The merchant's notification endpoint: records what arrives, answers from a script of statuses. */
class Receiver {
  readonly received: Notification[] = [];
  answers: number[] = [];
  private waiters: Array<() => void> = [];
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Notification);
      response.statusCode = this.answers.shift() ?? 200;
      response.end('ok');
      for (const wake of this.waiters.splice(0)) wake();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/midtrans/notifications`;
  }

  /** Waits until `count` notifications have arrived in total. */
  async waitFor(count: number, timeoutMs = 5_000): Promise<Notification[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline)
        throw new Error(`expected ${count} notifications, got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.received;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

let receiver: Receiver;
let receiverUrl: string;
let sandbox: MidtransSandbox;
let baseUrl: string;
let orderCounter = 0;
const nextOrderId = () => `order-${Date.now().toString(36)}-${++orderCounter}`;

async function call(
  method: string,
  path: string,
  { body, key = SERVER_KEY }: { body?: unknown; key?: string | null } = {},
) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key !== null) headers.authorization = basic(key);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function createOrder(grossAmount = 10_000, extra: Record<string, unknown> = {}) {
  const orderId = nextOrderId();
  const res = await call('POST', '/snap/v1/transactions', {
    body: { transaction_details: { order_id: orderId, gross_amount: grossAmount }, ...extra },
  });
  expect(res.status).toBe(201);
  return { orderId, token: res.body.token as string, redirectUrl: res.body.redirect_url as string };
}

async function submitPaymentForm(token: string, action: string) {
  const response = await fetch(`${baseUrl}/snap/v2/vtweb/${token}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action }).toString(),
  });
  return { status: response.status, html: await response.text() };
}

const expectSigned = (notification: Notification) =>
  expect(notification.signature_key).toBe(
    midtransSignature(
      notification.order_id!,
      notification.status_code!,
      notification.gross_amount!,
      SERVER_KEY,
    ),
  );

beforeAll(async () => {
  receiver = new Receiver();
  receiverUrl = await receiver.start();
  sandbox = createMidtransSandbox({
    serverKey: SERVER_KEY,
    notificationUrl: receiverUrl,
    retry: { attempts: 4, baseDelayMs: 20 },
  });
  baseUrl = await sandbox.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(async () => {
  await sandbox.idle();
  receiver.received.length = 0;
  receiver.answers = [];
});

describe('midtransSignature', () => {
  it('is the SHA-512 hex of order id, status code, gross amount and server key', () => {
    // Computed independently: printf 'order-120010000.00key' | sha512sum
    expect(midtransSignature('order-1', '200', '10000.00', 'key')).toBe(
      '95aed0800e10e4bf0d8818a06324e4980ed2cda802592dc076f482d057f2bccf' +
        '22039f0919925e31b43042942e5dd03804ca986d3ce6ecfad3eb1ec252bde153',
    );
  });
});

describe('Snap transactions', () => {
  it('refuses a request without the server key, or with another key', async () => {
    const body = { transaction_details: { order_id: nextOrderId(), gross_amount: 10_000 } };
    for (const key of [null, 'SB-Mid-server-wrong']) {
      const res = await call('POST', '/snap/v1/transactions', { body, key });
      expect(res.status).toBe(401);
      expect(res.body.error_messages).toEqual(
        expect.arrayContaining([expect.stringContaining('unauthorized')]),
      );
    }
  });

  it('answers a token and a redirect URL to its payment page', async () => {
    const { token, redirectUrl } = await createOrder();
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect(redirectUrl).toBe(`${baseUrl}/snap/v2/vtweb/${token}`);
    const page = await fetch(redirectUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('10000.00');
    for (const action of ['settlement', 'deny', 'expire']) expect(html).toContain(`value="${action}"`);
  });

  it('refuses invalid order ids and amounts with Midtrans error messages', async () => {
    const invalid = [
      { order_id: '', gross_amount: 10_000 },
      { order_id: 'x'.repeat(51), gross_amount: 10_000 },
      { order_id: nextOrderId(), gross_amount: 0 },
      { order_id: nextOrderId(), gross_amount: -5 },
      { order_id: nextOrderId(), gross_amount: 100.5 },
      { order_id: nextOrderId() },
    ];
    for (const details of invalid) {
      const res = await call('POST', '/snap/v1/transactions', { body: { transaction_details: details } });
      expect(res.status, JSON.stringify(details)).toBe(400);
      expect((res.body.error_messages as string[]).length).toBeGreaterThan(0);
    }
    const fifty = await call('POST', '/snap/v1/transactions', {
      body: { transaction_details: { order_id: 'y'.repeat(50), gross_amount: 1 } },
    });
    expect(fifty.status).toBe(201);
  });

  it('refuses item details that do not add up to the gross amount', async () => {
    const items = [
      { id: 'a', price: 3_000, quantity: 2, name: 'Kopi' },
      { id: 'd', price: -1_000, quantity: 1, name: 'Diskon' },
    ];
    const wrong = await call('POST', '/snap/v1/transactions', {
      body: { transaction_details: { order_id: nextOrderId(), gross_amount: 6_000 }, item_details: items },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error_messages).toContain(
      'transaction_details.gross_amount is not equal to the sum of item_details',
    );
    await createOrder(5_000, { item_details: items });
  });

  it('refuses an order id used before, as Midtrans words it', async () => {
    const { orderId } = await createOrder();
    const res = await call('POST', '/snap/v1/transactions', {
      body: { transaction_details: { order_id: orderId, gross_amount: 20_000 } },
    });
    expect(res).toEqual({
      status: 400,
      body: { error_messages: ['transaction_details.order_id sudah digunakan'] },
    });
  });
});

describe('status', () => {
  it("answers 404 for an unknown order, and for a token nobody has paid with (Midtrans doesn't know it yet)", async () => {
    const unknown = await call('GET', `/v2/${nextOrderId()}/status`);
    expect(unknown).toEqual({
      status: 404,
      body: { status_code: '404', status_message: "Transaction doesn't exist." },
    });
    const { orderId } = await createOrder();
    expect((await call('GET', `/v2/${orderId}/status`)).status).toBe(404);
    expect(receiver.received).toHaveLength(0);
  });

  it('requires the server key', async () => {
    const { orderId } = await createOrder();
    await sandbox.pay(orderId, 'pending');
    expect((await call('GET', `/v2/${orderId}/status`, { key: null })).status).toBe(401);
  });

  it('answers the transaction in Midtrans shape once a payment method is chosen', async () => {
    const { orderId } = await createOrder(25_000);
    await sandbox.pay(orderId, 'pending');
    const pending = await call('GET', `/v2/${orderId}/status`);
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({
      status_code: '201',
      order_id: orderId,
      gross_amount: '25000.00',
      currency: 'IDR',
      payment_type: 'bank_transfer',
      transaction_status: 'pending',
      signature_key: midtransSignature(orderId, '201', '25000.00', SERVER_KEY),
    });
    expect(pending.body.transaction_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(receiver.received.map((n) => n.transaction_status)).toEqual(['pending']);
  });

  it('reports a captured card payment with fraud status accept', async () => {
    const { orderId } = await createOrder();
    await sandbox.pay(orderId, 'capture');
    const res = await call('GET', `/v2/${orderId}/status`);
    expect(res.body).toMatchObject({
      status_code: '200',
      transaction_status: 'capture',
      payment_type: 'credit_card',
      fraud_status: 'accept',
    });
  });
});

describe('paying on the Snap page', () => {
  it('settles, and notifies the merchant with a correct signature', async () => {
    const { orderId, token } = await createOrder(10_000);
    const paid = await submitPaymentForm(token, 'settlement');
    expect(paid.status).toBe(200);
    expect(paid.html).toContain('settlement');
    const [notification] = await receiver.waitFor(1);
    expect(notification).toMatchObject({
      order_id: orderId,
      transaction_status: 'settlement',
      status_code: '200',
      gross_amount: '10000.00',
      currency: 'IDR',
      fraud_status: 'accept',
      status_message: 'midtrans payment notification',
    });
    expect(notification!.merchant_id).toBeTruthy();
    expect(notification!.transaction_id).toMatch(/^[0-9a-f-]{36}$/);
    expectSigned(notification!);
    expect(notification!.signature_key).toBe(midtransSignature(orderId, '200', '10000.00', SERVER_KEY));
    expect((await call('GET', `/v2/${orderId}/status`)).body.transaction_status).toBe('settlement');
  });

  it('denies and expires with status code 202, and refuses to pay afterwards', async () => {
    const denied = await createOrder();
    const expired = await createOrder();
    await submitPaymentForm(denied.token, 'deny');
    await submitPaymentForm(expired.token, 'expire');
    const received = await receiver.waitFor(2);
    const byOrder = new Map(received.map((n) => [n.order_id, n]));
    expect(byOrder.get(denied.orderId)).toMatchObject({ transaction_status: 'deny', status_code: '202' });
    expect(byOrder.get(expired.orderId)).toMatchObject({ transaction_status: 'expire', status_code: '202' });
    received.forEach(expectSigned);
    const again = await submitPaymentForm(expired.token, 'settlement');
    expect(again.status).toBe(409);
    await expect(sandbox.pay(denied.orderId, 'settlement')).rejects.toThrow(/cannot become settlement/);
  });

  it('answers 404 for an unknown token and 400 for an unknown action', async () => {
    expect((await fetch(`${baseUrl}/snap/v2/vtweb/nope`)).status).toBe(404);
    const { token } = await createOrder();
    expect((await submitPaymentForm(token, 'steal')).status).toBe(400);
  });
});

describe('refunds', () => {
  it('refunds partially, then fully, notifying each new status', async () => {
    const { orderId } = await createOrder(10_000);
    await sandbox.pay(orderId, 'settlement');
    const partial = await call('POST', `/v2/${orderId}/refund`, {
      body: { refund_key: `${orderId}-r1`, amount: 4_000, reason: 'one item out of stock' },
    });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({
      status_code: '200',
      status_message: 'Success, refund request is approved',
      order_id: orderId,
      refund_key: `${orderId}-r1`,
      refund_amount: '4000.00',
      transaction_status: 'partial_refund',
    });
    const tooMuch = await call('POST', `/v2/${orderId}/refund`, {
      body: { refund_key: `${orderId}-r2`, amount: 6_001 },
    });
    expect(tooMuch.status).toBe(400);
    const rest = await call('POST', `/v2/${orderId}/refund`, { body: { refund_key: `${orderId}-r3` } });
    expect(rest.body).toMatchObject({ refund_amount: '6000.00', transaction_status: 'refund' });

    const status = await call('GET', `/v2/${orderId}/status`);
    expect(status.body).toMatchObject({ transaction_status: 'refund', refund_amount: '10000.00' });
    expect(status.body.refunds).toHaveLength(2);

    const received = await receiver.waitFor(3);
    expect(received.map((n) => n.transaction_status)).toEqual(['settlement', 'partial_refund', 'refund']);
    received.forEach(expectSigned);

    const more = await call('POST', `/v2/${orderId}/refund`, {
      body: { refund_key: `${orderId}-r4`, amount: 1 },
    });
    expect(more.status).toBe(412);
  });

  it('answers the same refund for the same refund_key without refunding twice', async () => {
    const { orderId } = await createOrder(10_000);
    await sandbox.pay(orderId, 'capture');
    const body = { refund_key: `${orderId}-once`, amount: 3_000 };
    const first = await call('POST', `/v2/${orderId}/refund`, { body });
    const second = await call('POST', `/v2/${orderId}/refund`, { body });
    expect(second).toEqual(first);
    const status = await call('GET', `/v2/${orderId}/status`);
    expect(status.body).toMatchObject({ transaction_status: 'partial_refund', refund_amount: '3000.00' });
    await sandbox.idle();
    expect(receiver.received.map((n) => n.transaction_status)).toEqual(['capture', 'partial_refund']);
  });

  it('refuses to refund a pending or unknown transaction, and without the server key', async () => {
    const { orderId } = await createOrder();
    await sandbox.pay(orderId, 'pending');
    const pending = await call('POST', `/v2/${orderId}/refund`, { body: { refund_key: 'k1' } });
    expect(pending).toEqual({
      status: 412,
      body: { status_code: '412', status_message: 'Merchant cannot modify the status of the transaction' },
    });
    expect((await call('POST', `/v2/${nextOrderId()}/refund`, { body: { refund_key: 'k2' } })).status).toBe(
      404,
    );
    expect(
      (await call('POST', `/v2/${orderId}/refund`, { body: { refund_key: 'k3' }, key: null })).status,
    ).toBe(401);
  });
});

describe('notification delivery', () => {
  it('retries with backoff while the merchant answers 500, until it answers 200', async () => {
    receiver.answers = [500, 500];
    const { orderId } = await createOrder();
    const before = sandbox.notifications.sent.length;
    const started = Date.now();
    await sandbox.pay(orderId, 'settlement');
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40 - 5);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((n) => JSON.stringify(n))).size).toBe(1);
    expect(sandbox.notifications.sent.slice(before).map(({ status, attempt }) => [status, attempt])).toEqual([
      [500, 1],
      [500, 2],
      [200, 3],
    ]);
  });

  it('gives up after the configured attempts', async () => {
    receiver.answers = [503, 503, 503, 503, 503];
    const { orderId } = await createOrder();
    await sandbox.pay(orderId, 'expire');
    expect(receiver.received).toHaveLength(4);
  });

  it('retries when the merchant cannot be reached at all', async () => {
    const dead = new Receiver();
    const deadUrl = await dead.start();
    await dead.close();
    const lonely = createMidtransSandbox({
      serverKey: SERVER_KEY,
      notificationUrl: deadUrl,
      retry: { attempts: 3, baseDelayMs: 5 },
    });
    try {
      const transaction = await lonely.app.inject({
        method: 'POST',
        url: '/snap/v1/transactions',
        headers: { authorization: basic(SERVER_KEY) },
        payload: { transaction_details: { order_id: 'unreachable-1', gross_amount: 1_000 } },
      });
      expect(transaction.statusCode).toBe(201);
      await lonely.pay('unreachable-1', 'settlement');
      expect(lonely.notifications.sent.map((s) => s.status)).toEqual([0, 0, 0]);
    } finally {
      await lonely.close();
    }
  });

  it('delivers the same notification twice on demand', async () => {
    const { orderId } = await createOrder();
    await sandbox.pay(orderId, 'settlement');
    await sandbox.sendNotification(orderId);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]).toEqual(receiver.received[0]);
  });

  it('delivers a stale pending after settlement, signed for the status it carries', async () => {
    const { orderId } = await createOrder();
    await sandbox.pay(orderId, 'pending');
    await sandbox.pay(orderId, 'settlement');
    await sandbox.sendNotification(orderId, 'pending');
    expect(receiver.received.map((n) => [n.transaction_status, n.status_code])).toEqual([
      ['pending', '201'],
      ['settlement', '200'],
      ['pending', '201'],
    ]);
    receiver.received.forEach(expectSigned);
    expect((await call('GET', `/v2/${orderId}/status`)).body.transaction_status).toBe('settlement');
  });
});

describe('state kept in a directory', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'midtrans-sandbox-state-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('opens, pays and refunds a transaction created before a restart', async () => {
    const before = createMidtransSandbox({ serverKey: SERVER_KEY, stateDir });
    const beforeUrl = await before.listen();
    const created = await fetch(`${beforeUrl}/snap/v1/transactions`, {
      method: 'POST',
      headers: { authorization: basic(SERVER_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ transaction_details: { order_id: 'kept-1', gross_amount: 15_000 } }),
    });
    const { token } = (await created.json()) as { token: string };
    await before.close();

    const after = createMidtransSandbox({ serverKey: SERVER_KEY, stateDir });
    const afterUrl = await after.listen();
    try {
      const page = await fetch(`${afterUrl}/snap/v2/vtweb/${token}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('15000.00');
      await after.pay('kept-1', 'settlement');
      const refund = await fetch(`${afterUrl}/v2/kept-1/refund`, {
        method: 'POST',
        headers: { authorization: basic(SERVER_KEY), 'content-type': 'application/json' },
        body: JSON.stringify({ refund_key: 'rk-kept', amount: 5_000 }),
      });
      expect(refund.status).toBe(200);
    } finally {
      await after.close();
    }
    const again = createMidtransSandbox({ serverKey: SERVER_KEY, stateDir });
    expect(again.refunds('kept-1').map((refund) => refund.amount)).toEqual([5_000n]);
    await again.close();
  });

  it('delivers after a restart a notification still being retried, signed with the new server key', async () => {
    receiver.answers = [500, 500, 500, 500];
    const before = createMidtransSandbox({
      serverKey: SERVER_KEY,
      stateDir,
      notificationUrl: receiverUrl,
      retry: { attempts: 5, baseDelayMs: 60_000 },
    });
    const beforeUrl = await before.listen();
    await fetch(`${beforeUrl}/snap/v1/transactions`, {
      method: 'POST',
      headers: { authorization: basic(SERVER_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ transaction_details: { order_id: 'kept-2', gross_amount: 10_000 } }),
    });
    const paying = before.pay('kept-2', 'settlement');
    await receiver.waitFor(1);
    // The second attempt is a minute away: the sandbox stops before it.
    await before.close();
    await paying;
    expect(receiver.received).toHaveLength(1);

    receiver.answers = [];
    const newKey = 'SB-Mid-server-another-key';
    const after = createMidtransSandbox({
      serverKey: newKey,
      stateDir,
      retry: { attempts: 5, baseDelayMs: 10 },
    });
    try {
      // Mounted on a server whose address comes later, as the all-in-one server does.
      after.connect({ notificationUrl: receiverUrl, publicUrl: 'http://127.0.0.1:1/midtrans-sandbox' });
      const [, redelivered] = await receiver.waitFor(2);
      expect(redelivered).toMatchObject({ order_id: 'kept-2', transaction_status: 'settlement' });
      expect(redelivered!.signature_key).toBe(midtransSignature('kept-2', '200', '10000.00', newKey));
      await after.idle();
    } finally {
      await after.close();
    }
    const third = createMidtransSandbox({ serverKey: newKey, stateDir, notificationUrl: receiverUrl });
    await third.idle();
    expect(receiver.received).toHaveLength(2);
    await third.close();
  });
});
