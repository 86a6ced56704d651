import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import type { OrderDetailJson } from '../helpers/orders.js';
import type { PaymentJson } from '../helpers/payments.js';
import { type Actor, type MatrixWorld } from './access.shapes.js';

// Objects the access table's requests need fresh (a request may consume the fixture's own).
export async function freshPendingPayment(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<PaymentJson>('POST', '/payments', {
    token: w.people.buyer.token,
    body: { product_id: w.productId, quantity: 1, payment_method: 'manual' },
  });
  return res.body.results.id;
}

export async function freshPaidPayment(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<PaymentJson>('POST', '/payments', {
    token: w.people.buyer.token,
    body: { product_id: w.productId, quantity: 1, payment_method: 'wallet' },
  });
  return res.body.results.id;
}

export async function freshPayout(w: MatrixWorld): Promise<string> {
  await freshPaidPayment(w);
  const res = await w.app.api<{ id: string }>('POST', '/wallet/payouts', {
    token: w.people.seller.token,
    body: { amount: '100', currency: 'IDR' },
    headers: { 'idempotency-key': randomUUID() },
  });
  return res.body.results.id;
}

/** The fixture payment's order, as its buyer sees it. */
export async function orderOf(w: MatrixWorld, paymentId: string) {
  const payment = await w.app.api<PaymentJson>('GET', `/payments/${paymentId}`, {
    token: w.people.buyer.token,
  });
  const order = await w.app.api<OrderDetailJson>('GET', `/orders/${payment.body.results.order_id}`, {
    token: w.people.buyer.token,
  });
  return order.body.results;
}

/** The path of a fresh paid item of the fixture seller, shipped already when `shipped`. */
export async function freshItemPath(w: MatrixWorld, shipped: boolean): Promise<string> {
  const order = await orderOf(w, await freshPaidPayment(w));
  const path = `/orders/${order.id}/items/${order.items[0]!.id}`;
  if (shipped) {
    await w.app.api('POST', `${path}/shipments`, {
      token: w.people.seller.token,
      body: { carrier: 'JNE', tracking_number: 'MATRIX1' },
    });
  }
  return path;
}

/** A browser's push subscription JSON, its endpoint a closed local port (pushes to it just fail). */
export function browserSubscription() {
  const keys = createECDH('prime256v1');
  keys.generateKeys();
  return {
    endpoint: `http://127.0.0.1:9/push/${randomUUID()}`,
    keys: { p256dh: keys.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

/** A new buyer account, for a cell that disables or enables someone. */
export async function freshUserId(w: MatrixWorld): Promise<string> {
  const password = 'matrix password 1';
  const res = await w.app.api<{ id: string }>('POST', '/users/register', {
    body: {
      name: 'Target',
      email: `target.${randomUUID()}@example.com`,
      role: 'buyer',
      password,
      confirm_password: password,
    },
  });
  return res.body.results.id;
}

/** A new session of the caller (a login), so logging it out leaves the caller's own token alone. */
export async function freshSession(w: MatrixWorld, actor: Actor) {
  const person = w.people[actor === 'anonymous' ? 'buyer' : actor];
  const res = await w.app.api<{ token: string; refresh_token: string }>('POST', '/users/login', {
    body: { email: person.email, password: person.password },
  });
  return res.body.results;
}

/** A new API client of the fixture seller, for a cell that rotates or revokes it. */
export async function freshApiClientId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/oauth/clients', {
    token: w.people.seller.token,
    body: { name: 'Matrix', scopes: ['payments:read'] },
  });
  return res.body.results.id;
}

/** An OAuth endpoint called with the caller's bearer token and a form without client credentials. */
export const oauthForm = (path: string) => () => ({
  path,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

/** The fixture buyer's open cart, holding one of the fixture product. */
