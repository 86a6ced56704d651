import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct, png, productForm } from '../helpers/catalog.js';
import { startMidtransWorld } from '../helpers/midtrans.js';
import { adminOf, type PaymentJson, topUp } from '../helpers/payments.js';
import { signUp, type TestApp } from '../helpers/test-app.js';
import { untilQuiet } from '../helpers/quiet.js';
import { type Actor, ACTORS, type MatrixWorld, ROUTES } from './access.routes.js';

/**
 * Object- and function-level authorization (OWASP API1 and API5): every route of the
 * OpenAPI document, called by each kind of caller on objects that are theirs and objects
 * that are not, must answer exactly the status its table says. The table is checked
 * against the document, so a new route without an entry fails this suite.
 */

let world: Awaited<ReturnType<typeof startMidtransWorld>>;
// A webhook receiver that takes everything, so the seller's endpoint stays enabled.
const receiver = createServer((_request, response) => response.end('ok'));
let app: TestApp;
let matrix: MatrixWorld;

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  world = await startMidtransWorld({
    RATE_LIMIT_PER_USER: '100000',
    RATE_LIMIT_REGISTER_PER_IP: '100000',
    RATE_LIMIT_LOGIN_PER_IP: '100000',
    WEBHOOK_ALLOW_LIST: '127.0.0.1',
    WEBHOOK_DELIVERY_INTERVAL: '50ms',
  });
  app = world.app;
  const seller = await signUp(app, { role: 'seller' });
  const otherSeller = await signUp(app, { role: 'seller' });
  const buyer = await signUp(app);
  const otherBuyer = await signUp(app);
  const admin = await adminOf(app);
  await topUp(app, buyer.token, '100000000');
  await topUp(app, otherSeller.token, '100000');
  const product = await createProduct(app, seller.token, { price: '1000', stock: 100_000 });
  const hook = await app.api<{ id: string }>('POST', '/webhooks', {
    token: seller.token,
    body: { url: hookUrl, event_types: ['*'] },
  });
  const payment = await app.api<PaymentJson>('POST', '/payments', {
    token: buyer.token,
    body: { product_id: product.id, quantity: 1, payment_method: 'wallet' },
  });
  const refund = await app.api<{ id: string }>('POST', `/payments/${payment.body.results.id}/refunds`, {
    token: seller.token,
    body: { amount: '1', reason: 'matrix' },
  });
  const topUpByMidtrans = await app.api<{ id: string }>('POST', '/wallet/top-ups', {
    token: buyer.token,
    body: { amount: '10000', currency: 'IDR', method: 'midtrans' },
  });
  await untilQuiet(app.platform);
  const deliveries = await app.api<{ id: string }[]>('GET', `/webhooks/${hook.body.results.id}/deliveries`, {
    token: seller.token,
  });
  const withImage = await app.api<{ image_url: string }>('POST', '/products', {
    token: seller.token,
    form: productForm({ name: 'With image', price: '1000', stock: '1' }, { field: 'image', bytes: png() }),
  });
  matrix = {
    app,
    tokens: {
      anonymous: undefined,
      buyer: buyer.token,
      otherBuyer: otherBuyer.token,
      seller: seller.token,
      otherSeller: otherSeller.token,
      admin: admin.token,
    },
    people: { buyer, otherBuyer, seller, otherSeller, admin },
    productId: product.id,
    paymentId: payment.body.results.id,
    refundId: refund.body.results.id,
    topUpId: topUpByMidtrans.body.results.id,
    webhookId: hook.body.results.id,
    deliveryId: deliveries.body.results[0]!.id,
    uploadPath: new URL(withImage.body.results.image_url).pathname,
  };
});
afterAll(async () => {
  await world?.close();
  receiver.close();
});

describe('the access matrix', () => {
  it('has an entry for every operation of the OpenAPI document, and none for routes that do not exist', async () => {
    const doc = (await app.api<never>('GET', '/openapi.json')).body as unknown as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) =>
        Object.keys(ops).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    expect(Object.keys(ROUTES).sort()).toEqual(documented);
  });

  it('documents as x-roles the roles a route lets through, and the table refuses every other role', async () => {
    const doc = (await app.api<never>('GET', '/openapi.json')).body as unknown as {
      paths: Record<string, Record<string, { 'x-roles'?: string[] }>>;
    };
    const roleOf = {
      buyer: 'buyer',
      otherBuyer: 'buyer',
      seller: 'seller',
      otherSeller: 'seller',
      admin: 'admin',
    };
    const refused = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        (Object.keys(roleOf) as (keyof typeof roleOf)[])
          .filter((actor) => op['x-roles'] && !op['x-roles'].includes(roleOf[actor]))
          .map((actor) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')} as ${actor}`),
      ),
    );
    expect(refused).toContain('POST /payments/:id/capture as seller');
    for (const cell of refused) {
      const [route, actor] = cell.split(' as ') as [string, Actor];
      expect({ cell, status: ROUTES[route]?.expect[actor] }).toEqual({ cell, status: 403 });
    }
  });

  const cells = Object.keys(ROUTES).flatMap((route) => ACTORS.map((actor) => [route, actor] as const));
  it.each(cells)('%s as %s answers as its table says', async (route, actor: Actor) => {
    const entry = ROUTES[route]!;
    const request = await entry.request(matrix, actor);
    const [method] = route.split(' ');
    const res = await app.api(method!, request.path, {
      token: request.token === undefined ? matrix.tokens[actor] : request.token,
      body: request.body,
      form: request.form,
      headers: request.headers ?? { 'idempotency-key': randomUUID() },
    });
    expect({ route, actor, status: res.status }).toEqual({ route, actor, status: entry.expect[actor] });
  });
});
