import { status } from '@grpc/grpc-js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countProducts, createProduct, type ProductJson, productForm } from '../helpers/catalog.js';
import { emailIndexOf } from '../../src/modules/users/users.encryption.js';
import { call, grpcClients } from '../helpers/grpc.js';
import { adminOf, market, type PaymentJson } from '../helpers/payments.js';
import { newUser, signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

// PostgreSQL text cannot hold U+0000 (the insert fails); a lone surrogate has no UTF-8 form
// (the driver silently stores U+FFFD instead). Both must be refused before any handler runs.
const NUL = 'Bat\u0000ik';
const LONE_SURROGATE = 'Bat\uD800ik';

let app: TestApp;
let clients: ReturnType<typeof grpcClients>;
let seller: Awaited<ReturnType<typeof signUp>>;
let product: ProductJson;

beforeAll(async () => {
  // Midtrans configured (never called: every notification here is refused) for its webhook.
  app = await startTestApp({
    MIDTRANS_SERVER_KEY: 'SB-Mid-server-test-key',
    MIDTRANS_SNAP_URL: 'http://127.0.0.1:9',
    MIDTRANS_API_URL: 'http://127.0.0.1:9',
  });
  clients = grpcClients(app.grpcAddress);
  seller = await signUp(app, { role: 'seller' });
  product = await createProduct(app, seller.token);
});
afterAll(async () => {
  clients?.close();
  await app?.close();
});

/** E-mails are stored encrypted; rows are found by the address's blind index. */
const indexOf = (email: string) => emailIndexOf(app.platform.keyring, email);
const count = async (query: ReturnType<typeof sql<{ n: number }>>) =>
  Number((await query.execute(app.db.database.db)).rows[0]!.n);

/** The envelope of a refusal: 400, validation_failed, and the one field named. */
function expectRefused(res: Awaited<ReturnType<TestApp['api']>>, field: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.meta.code).toBe('validation_failed');
  expect(res.body.meta.errors).toEqual([expect.objectContaining({ field, code: 'invalid_characters' })]);
}

describe('text a database cannot store is refused on REST with the field named', () => {
  it('refuses a NUL or a lone surrogate in the name at registration, creating no user', async () => {
    for (const name of [NUL, LONE_SURROGATE]) {
      const body = newUser({ name });
      expectRefused(await app.api('POST', '/users/register', { body }), 'name');
      expect(
        await count(sql`select count(*) as n from users where email_index = ${indexOf(body.email)}`),
      ).toBe(0);
    }
  });

  it('refuses a NUL in PATCH /users/me, leaving the profile as it was', async () => {
    const user = await signUp(app);
    expectRefused(await app.api('PATCH', '/users/me', { token: user.token, body: { name: NUL } }), 'name');
    const me = await app.api<{ name: string }>('GET', '/users/me', { token: user.token });
    expect(me.body.results.name).toBe(user.name);
  });

  it('refuses a NUL in a new product, as JSON and as a multipart form', async () => {
    const before = await countProducts(app);
    const valid = { name: 'Batik', description: 'Cotton', price: '1000', stock: 1 };
    expectRefused(
      await app.api('POST', '/products', { token: seller.token, body: { ...valid, name: NUL } }),
      'name',
    );
    expectRefused(
      await app.api('POST', '/products', { token: seller.token, body: { ...valid, description: NUL } }),
      'description',
    );
    const form = productForm({ name: 'Batik', description: NUL, price: '1000', stock: '1' });
    expectRefused(await app.api('POST', '/products', { token: seller.token, form }), 'description');
    expect(await countProducts(app)).toBe(before);
  });

  it('refuses a NUL in a product update, as JSON and as a multipart form, changing nothing', async () => {
    const route = `/products/${product.id}`;
    expectRefused(await app.api('PUT', route, { token: seller.token, body: { name: NUL } }), 'name');
    expectRefused(
      await app.api('PUT', route, { token: seller.token, form: productForm({ description: NUL }) }),
      'description',
    );
    const after = await app.api<ProductJson>('GET', route);
    expect(after.body.results).toMatchObject({ name: product.name, description: product.description });
  });

  it('refuses a NUL in a refund reason, refunding nothing', async () => {
    const world = await market(app, { price: '10000', funds: '10000' });
    const paid = await app.api<PaymentJson>('POST', '/payments', {
      token: world.buyer.token,
      body: { product_id: world.product.id, quantity: 1, payment_method: 'wallet' },
    });
    expect(paid.status).toBe(201);
    const id = paid.body.results.id;
    expectRefused(
      await app.api('POST', `/payments/${id}/refunds`, { token: world.seller.token, body: { reason: NUL } }),
      'reason',
    );
    expect(await count(sql`select count(*) as n from refunds where payment_id = ${id}`)).toBe(0);
  });

  it('refuses a NUL in an announcement, queueing nothing', async () => {
    const admin = await adminOf(app);
    const announced = () =>
      count(sql`select count(*) as n from outbox_events where type = 'announcement.published'`);
    const before = await announced();
    expectRefused(
      await app.api('POST', '/admin/announcements', {
        token: admin.token,
        body: { subject: 'Sale', text: NUL },
      }),
      'text',
    );
    expect(await announced()).toBe(before);
  });

  it('refuses a NUL anywhere in a Midtrans notification, known field, extra field or field name', async () => {
    const notification = {
      order_id: 'order-1',
      status_code: '200',
      gross_amount: '10000.00',
      signature_key: 'not-checked-before-the-characters',
      transaction_status: 'settlement',
    };
    const stored = () => count(sql`select count(*) as n from midtrans_notifications`);
    const before = await stored();
    const webhook = (body: object) => app.api('POST', '/payments/midtrans/webhook', { body });
    expectRefused(await webhook({ ...notification, order_id: NUL }), 'order_id');
    expectRefused(await webhook({ ...notification, transaction_status: NUL }), 'transaction_status');
    // Extra fields are kept raw (jsonb), so they are checked as much as the known ones.
    expectRefused(await webhook({ ...notification, va_numbers: [{ bank: NUL }] }), 'va_numbers.0.bank');
    expectRefused(await webhook({ ...notification, ['x\u0000y']: 'z' }), 'x\uFFFDy');
    expect(await stored()).toBe(before);
  });

  it('refuses a NUL in a query string', async () => {
    const admin = await adminOf(app);
    expectRefused(
      await app.api('GET', '/admin/midtrans/notifications?order_id=a%00b', { token: admin.token }),
      'order_id',
    );
  });
});

describe('text a database cannot store is refused on gRPC with a field violation', () => {
  const refusal = { code: status.INVALID_ARGUMENT, reason: 'validation_failed' };

  it('refuses a NUL in RegisterUser, creating no user', async () => {
    const body = newUser({ name: NUL });
    const outcome = await call(clients.users, 'RegisterUser', body);
    expect({ code: outcome.error?.code, reason: outcome.reason }).toEqual(refusal);
    expect(outcome.fields).toEqual([{ field: 'name', reason: 'invalid_characters' }]);
    expect(await count(sql`select count(*) as n from users where email_index = ${indexOf(body.email)}`)).toBe(
      0,
    );
  });

  it('refuses a NUL in UpdateMe, leaving the profile as it was', async () => {
    const user = await signUp(app);
    const outcome = await call(clients.users, 'UpdateMe', { name: NUL }, { token: user.token });
    expect({ code: outcome.error?.code, reason: outcome.reason }).toEqual(refusal);
    expect(outcome.fields).toEqual([{ field: 'name', reason: 'invalid_characters' }]);
    const me = await app.api<{ name: string }>('GET', '/users/me', { token: user.token });
    expect(me.body.results.name).toBe(user.name);
  });

  it('refuses a NUL in CreateProduct, creating no product', async () => {
    const before = await countProducts(app);
    const outcome = await call(
      clients.catalog,
      'CreateProduct',
      { name: 'Batik', description: NUL, price: '1000', stock: 1 },
      { token: seller.token },
    );
    expect({ code: outcome.error?.code, reason: outcome.reason }).toEqual(refusal);
    expect(outcome.fields).toEqual([{ field: 'description', reason: 'invalid_characters' }]);
    expect(await countProducts(app)).toBe(before);
  });
});
