import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProduct } from '../helpers/catalog.js';
import type { OrderDetailJson } from '../helpers/orders.js';
import { adminOf, type PaymentJson, reconcile, topUp } from '../helpers/payments.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof adminOf>>;

beforeAll(async () => {
  app = await startTestApp({ RATE_LIMIT_PER_USER: '100000', WEBHOOK_ALLOW_LIST: '127.0.0.1' });
  admin = await adminOf(app);
});
afterAll(() => app?.close());

interface ErrorField {
  field: string;
  code: string;
}
const blockerCodes = (body: { meta: Record<string, unknown> }) =>
  ((body.meta.errors ?? []) as ErrorField[]).map((error) => error.code).sort();

/** A buyer who spent everything on one order from a seller, and the order. */
async function boughtOnce() {
  const seller = await signUp(app, { role: 'seller' });
  const buyer = await signUp(app);
  const product = await createProduct(app, seller.token, { price: '5000', stock: 5 });
  await topUp(app, buyer.token, '5000');
  const paid = await app.api<PaymentJson>('POST', '/orders', {
    token: buyer.token,
    body: { items: [{ product_id: product.id, quantity: 1 }], payment_method: 'wallet' },
  });
  expect(paid.status).toBe(201);
  const order = await app.api<OrderDetailJson>('GET', `/orders/${paid.body.results.order_id}`, {
    token: buyer.token,
  });
  return { seller, buyer, payment: paid.body.results, order: order.body.results };
}

async function deliver(seller: { token: string }, order: OrderDetailJson) {
  const path = `/orders/${order.id}/items/${order.items[0]!.id}`;
  const shipped = await app.api('POST', `${path}/shipments`, {
    token: seller.token,
    body: { carrier: 'JNE', tracking_number: 'ERASE1' },
  });
  expect(shipped.status).toBe(201);
  expect((await app.api('POST', `${path}/delivered`, { token: seller.token })).status).toBe(200);
}

describe('erasing your own account', () => {
  it('is refused with what must happen first while an order is open or money is held', async () => {
    const { seller, buyer } = await boughtOnce();
    const asBuyer = await app.api('DELETE', '/users/me', {
      token: buyer.token,
      body: { password: buyer.password },
    });
    expect(asBuyer.status).toBe(409);
    expect(asBuyer.body.meta.code).toBe('erasure_blocked');
    expect(blockerCodes(asBuyer.body)).toEqual(['order_not_delivered']);

    const asSeller = await app.api('DELETE', '/users/me', {
      token: seller.token,
      body: { password: seller.password },
    });
    expect(asSeller.status).toBe(409);
    expect(blockerCodes(asSeller.body)).toEqual(['order_to_fulfil', 'wallet_balance']);
    // Nothing changed: both still work.
    expect((await app.api('GET', '/users/me', { token: buyer.token })).status).toBe(200);
  });

  it('wants the password, and counts a wrong one', async () => {
    const someone = await signUp(app);
    const missing = await app.api('DELETE', '/users/me', { token: someone.token, body: {} });
    expect(missing.status).toBe(400);
    const wrong = await app.api('DELETE', '/users/me', {
      token: someone.token,
      body: { password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.meta.code).toBe('invalid_credentials');
  });

  it('anonymises the person, ends their sessions and keeps the books balanced', async () => {
    const { seller, buyer, payment, order } = await boughtOnce();
    await deliver(seller, order);
    const hook = await app.api<{ id: string }>('POST', '/webhooks', {
      token: buyer.token,
      body: { url: 'http://127.0.0.1:9/hooks', event_types: ['payment.succeeded'] },
    });
    expect(hook.status).toBe(201);
    await app.api('PUT', '/users/me/preferences', { token: buyer.token, body: { marketing: false } });

    const erased = await app.api<{ id: string; status: string }>('DELETE', '/users/me', {
      token: buyer.token,
      body: { password: buyer.password },
      headers: { 'user-agent': 'erasure-test' },
    });
    expect(erased.status).toBe(200);
    expect(erased.body.results).toMatchObject({ id: buyer.id, status: 'erased' });

    // The session is over, the old credentials open nothing.
    expect((await app.api('GET', '/users/me', { token: buyer.token })).status).toBe(401);
    const login = await app.api('POST', '/users/login', {
      body: { email: buyer.email, password: buyer.password },
    });
    expect(login.status).toBe(401);
    const refresh = await app.api('POST', '/auth/refresh', { body: { refresh_token: buyer.refresh } });
    expect(refresh.status).not.toBe(200);

    // What is left of the account names nobody.
    const row = await app.api<{ name: string; email: string; status: string }>('GET', `/users/${buyer.id}`, {
      token: admin.token,
    });
    expect(row.body.results).toMatchObject({
      name: 'Erased user',
      email: `erased-${buyer.id}@erased.invalid`,
      status: 'erased',
    });
    const hooks = await app.api<{ owner_id: string }[]>('GET', '/webhooks', { token: admin.token });
    expect(hooks.body.results.filter((endpoint) => endpoint.owner_id === buyer.id)).toEqual([]);

    // The money stays where the law wants it, under the pseudonym.
    const kept = await app.api<PaymentJson>('GET', `/payments/${payment.id}`, { token: seller.token });
    expect(kept.status).toBe(200);
    expect(kept.body.results.user_id).toBe(buyer.id);
    expect(await reconcile(app, admin.token)).toMatchObject({ ok: true });

    // The erasure is on the record, with where it came from and no personal value.
    const audit = await app.api<{ action: string; user_agent: string; actor: { id: string } }[]>(
      'GET',
      `/admin/audit?subject_user_id=${buyer.id}&action=user.erase`,
      { token: admin.token },
    );
    expect(audit.body.results).toHaveLength(1);
    expect(audit.body.results[0]).toMatchObject({ actor: { id: buyer.id }, user_agent: 'erasure-test' });
    expect(JSON.stringify(audit.body.results)).not.toContain(buyer.email);

    // The address is free again: the same person may come back as a new account.
    const again = await app.api<{ id: string }>('POST', '/users/register', {
      body: {
        name: 'Back again',
        email: buyer.email,
        role: 'buyer',
        password: buyer.password,
        confirm_password: buyer.password,
      },
    });
    expect(again.status).toBe(201);
    expect(again.body.results.id).not.toBe(buyer.id);
  });
});

describe('erasure by an admin', () => {
  it('erases someone else, never the admin themself, and only for admins', async () => {
    const target = await signUp(app);
    const bystander = await signUp(app);
    expect((await app.api('DELETE', `/admin/users/${target.id}`, { token: bystander.token })).status).toBe(
      403,
    );
    const self = await app.api('DELETE', `/admin/users/${admin.id}`, { token: admin.token });
    expect(self.status).toBe(409);
    expect(self.body.meta.code).toBe('cannot_erase_self');

    const erased = await app.api('DELETE', `/admin/users/${target.id}`, { token: admin.token });
    expect(erased.status).toBe(200);
    expect((await app.api('GET', '/users/me', { token: target.token })).status).toBe(401);
    // Erased once: a second erasure finds no one, and nobody can enable the account again.
    expect((await app.api('DELETE', `/admin/users/${target.id}`, { token: admin.token })).status).toBe(404);
    expect((await app.api('POST', `/admin/users/${target.id}/enable`, { token: admin.token })).status).toBe(
      404,
    );

    const audit = await app.api<{ action: string; actor: { id: string; role: string } }[]>(
      'GET',
      `/admin/audit?subject_user_id=${target.id}&action=admin.user.erase`,
      { token: admin.token },
    );
    expect(audit.body.results.map((entry) => entry.actor)).toEqual([
      { id: admin.id, role: 'admin', client_id: null },
    ]);
  });
});
