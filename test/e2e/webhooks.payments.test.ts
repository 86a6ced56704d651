import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { market, type PaymentJson } from '../helpers/payments.js';
import { untilQuiet } from '../helpers/quiet.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let receiver: Server;
let url: string;
const received: { type: string; data: { id: string; status: string }; signatureOk: boolean }[] = [];
let secret = '';

beforeAll(async () => {
  receiver = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    // An independent check, as an integrator would write it from the docs.
    const header = String(request.headers['mamlaka-signature'] ?? '');
    const t = /t=(\d+)/.exec(header)?.[1] ?? '';
    const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1] ?? '';
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    const event = JSON.parse(body) as { type: string; data: { id: string; status: string } };
    received.push({ type: event.type, data: event.data, signatureOk: v1 === expected });
    response.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  app = await startTestApp({ WEBHOOK_ALLOW_LIST: '127.0.0.1', WEBHOOK_DELIVERY_INTERVAL: '100ms' });
});
afterAll(async () => {
  await app?.close();
  receiver?.close();
});

describe('payment events to integrators’ webhooks', () => {
  it('deliver signed payment.created and payment.succeeded events to the buyer’s endpoint', async () => {
    const { buyer, product } = await market(app, { funds: '100000' });
    const registered = await app.api<{ id: string; secret: string }>('POST', '/webhooks', {
      token: buyer.token,
      body: { url, event_types: ['payment.created', 'payment.succeeded'] },
    });
    expect(registered.status).toBe(201);
    secret = registered.body.results.secret;
    const paid = await app.api<PaymentJson>('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
    });
    for (let i = 0; i < 50 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(received.map((event) => event.type).sort()).toEqual(['payment.created', 'payment.succeeded']);
    expect(received.every((event) => event.signatureOk && event.data.id === paid.body.results.id)).toBe(true);
  });

  it('announce a seller’s payout request once', async () => {
    const { seller, buyer, product } = await market(app, { price: '10000', funds: '10000' });
    await app.api('POST', '/payments', {
      token: buyer.token,
      body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
    });
    const registered = await app.api<{ secret: string }>('POST', '/webhooks', {
      token: seller.token,
      body: { url, event_types: ['payout.requested'] },
    });
    secret = registered.body.results.secret;
    received.length = 0;
    const headers = { 'idempotency-key': 'payout-1' };
    const body = { amount: '5000', currency: 'IDR' };
    await app.api('POST', '/wallet/payouts', { token: seller.token, headers, body });
    await app.api('POST', '/wallet/payouts', { token: seller.token, headers, body });
    for (let i = 0; i < 50 && received.length < 1; i++) await new Promise((r) => setTimeout(r, 100));
    // A second announcement, if the replay made one, would be delivered by now.
    await untilQuiet(app.platform);
    expect(received.map((event) => event.type)).toEqual(['payout.requested']);
    expect(received[0]!.signatureOk).toBe(true);
  });

  it('refuses an endpoint on a private address that is not allow-listed', async () => {
    const { buyer } = await market(app, { funds: '0' });
    const res = await app.api('POST', '/webhooks', {
      token: buyer.token,
      body: { url: 'http://10.1.2.3/hooks', event_types: ['*'] },
    });
    expect(res.status).toBe(400);
  });
});
