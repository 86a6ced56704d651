import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { createProduct, png, productForm } from '../helpers/catalog.js';
import type { OrderDetailJson } from '../helpers/orders.js';
import type { PaymentJson } from '../helpers/payments.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * The access table: for every route, the request each caller makes and the status each
 * must get. Callers: nobody signed in, the buyer and the seller who own the fixtures'
 * objects, another buyer and another seller who own none of them, and an admin.
 */
export const ACTORS = ['anonymous', 'buyer', 'otherBuyer', 'seller', 'otherSeller', 'admin'] as const;
export type Actor = (typeof ACTORS)[number];

interface Person {
  id: string;
  email: string;
  password: string;
  token: string;
}

/** The objects the table's requests point at: each owned by the buyer or the seller. */
export interface MatrixWorld {
  app: TestApp;
  tokens: Record<Actor, string | undefined>;
  people: Record<Exclude<Actor, 'anonymous'>, Person>;
  productId: string;
  paymentId: string;
  refundId: string;
  topUpId: string;
  webhookId: string;
  deliveryId: string;
  uploadPath: string;
}

export interface MatrixRequest {
  path: string;
  body?: unknown;
  form?: FormData;
  /** Overrides the caller's own token (e.g. a fresh session to log out). */
  token?: string;
  headers?: Record<string, string>;
}

interface RouteEntry {
  request(world: MatrixWorld, actor: Actor): MatrixRequest | Promise<MatrixRequest>;
  expect: Record<Actor, number>;
}

const all = (status: number): Record<Actor, number> => ({
  anonymous: status,
  buyer: status,
  otherBuyer: status,
  seller: status,
  otherSeller: status,
  admin: status,
});
/** Signed in: anyone but the anonymous caller gets `status`. */
const signedIn = (status: number) => ({ ...all(status), anonymous: 401 });
/** Sellers and admins (two-factor sign-in); buyers are refused. */
const mfaRoles = (status: number) => ({ ...all(status), anonymous: 401, buyer: 403, otherBuyer: 403 });
/** Admins only. */
const adminOnly = (status: number) => ({ ...all(403), anonymous: 401, admin: status });
/** The buyer's object: the buyer, its seller (where `seller` says) and admins see it; others get 404. */
const buyersObject = (status: number, seller: number) => ({
  anonymous: 401,
  buyer: status,
  otherBuyer: 404,
  seller,
  otherSeller: 404,
  admin: status,
});
/** The seller's object: the seller and admins; everyone else gets 404, never 403 (no existence leak). */
const sellersObject = (status: number) => ({
  anonymous: 401,
  buyer: 404,
  otherBuyer: 404,
  seller: status,
  otherSeller: 404,
  admin: status,
});

const get = (path: (w: MatrixWorld) => string) => (w: MatrixWorld) => ({ path: path(w) });

/** A pending manual payment of the fixture buyer for the fixture product, made for one cell. */
async function freshPendingPayment(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<PaymentJson>('POST', '/payments', {
    token: w.people.buyer.token,
    body: { product_id: w.productId, quantity: 1, payment_method: 'manual' },
  });
  return res.body.results.id;
}

async function freshPaidPayment(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<PaymentJson>('POST', '/payments', {
    token: w.people.buyer.token,
    body: { product_id: w.productId, quantity: 1, payment_method: 'wallet' },
  });
  return res.body.results.id;
}

async function freshPayout(w: MatrixWorld): Promise<string> {
  await freshPaidPayment(w);
  const res = await w.app.api<{ id: string }>('POST', '/wallet/payouts', {
    token: w.people.seller.token,
    body: { amount: '100', currency: 'IDR' },
    headers: { 'idempotency-key': randomUUID() },
  });
  return res.body.results.id;
}

/** The fixture payment's order, as its buyer sees it. */
async function orderOf(w: MatrixWorld, paymentId: string) {
  const payment = await w.app.api<PaymentJson>('GET', `/payments/${paymentId}`, {
    token: w.people.buyer.token,
  });
  const order = await w.app.api<OrderDetailJson>('GET', `/orders/${payment.body.results.order_id}`, {
    token: w.people.buyer.token,
  });
  return order.body.results;
}

/** The path of a fresh paid item of the fixture seller, shipped already when `shipped`. */
async function freshItemPath(w: MatrixWorld, shipped: boolean): Promise<string> {
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
function browserSubscription() {
  const keys = createECDH('prime256v1');
  keys.generateKeys();
  return {
    endpoint: `http://127.0.0.1:9/push/${randomUUID()}`,
    keys: { p256dh: keys.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

/** A new buyer account, for a cell that disables or enables someone. */
async function freshUserId(w: MatrixWorld): Promise<string> {
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
async function freshSession(w: MatrixWorld, actor: Actor) {
  const person = w.people[actor === 'anonymous' ? 'buyer' : actor];
  const res = await w.app.api<{ token: string; refresh_token: string }>('POST', '/users/login', {
    body: { email: person.email, password: person.password },
  });
  return res.body.results;
}

/** A new API client of the fixture seller, for a cell that rotates or revokes it. */
async function freshApiClientId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/oauth/clients', {
    token: w.people.seller.token,
    body: { name: 'Matrix', scopes: ['payments:read'] },
  });
  return res.body.results.id;
}

/** An OAuth endpoint called with the caller's bearer token and a form without client credentials. */
const oauthForm = (path: string) => () => ({
  path,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

/** The fixture buyer's open cart, holding one of the fixture product. */
async function buyersCart(w: MatrixWorld): Promise<{ id: string; lineId: string }> {
  const res = await w.app.api<{ id: string; lines: { id: string }[] }>('POST', '/carts', {
    token: w.people.buyer.token,
    body: { lines: [{ product_id: w.productId, quantity: 1 }] },
  });
  return { id: res.body.results.id, lineId: res.body.results.lines[0]!.id };
}

export const ROUTES: Record<string, RouteEntry> = {
  'GET /health': { request: get(() => '/health'), expect: all(200) },
  'GET /ready': { request: get(() => '/ready'), expect: all(200) },
  'GET /.well-known/jwks.json': { request: get(() => '/.well-known/jwks.json'), expect: all(200) },

  // Only an admin may make an admin; anyone may register a buyer.
  'POST /users/register': {
    request: () => {
      const password = 'matrix password 1';
      return {
        path: '/users/register',
        body: {
          name: 'New',
          email: `new.${randomUUID()}@example.com`,
          role: 'admin',
          password,
          confirm_password: password,
        },
      };
    },
    expect: { ...all(403), admin: 201 },
  },
  'POST /users/login': {
    request: (w) => ({
      path: '/users/login',
      body: { email: w.people.otherBuyer.email, password: w.people.otherBuyer.password },
    }),
    expect: all(200),
  },
  'GET /users/me': { request: get(() => '/users/me'), expect: signedIn(200) },
  'PATCH /users/me': {
    request: () => ({ path: '/users/me', body: { name: 'Renamed' } }),
    expect: signedIn(200),
  },
  'GET /users/:id': {
    request: get((w) => `/users/${w.people.buyer.id}`),
    expect: buyersObject(200, 404),
  },
  'GET /users/me/preferences': { request: get(() => '/users/me/preferences'), expect: signedIn(200) },
  'PUT /users/me/preferences': {
    request: () => ({ path: '/users/me/preferences', body: { marketing: true } }),
    expect: signedIn(200),
  },
  'GET /users/me/privacy': { request: get(() => '/users/me/privacy'), expect: signedIn(200) },
  'PUT /users/me/privacy': {
    request: () => ({ path: '/users/me/privacy', body: { do_not_sell: false } }),
    expect: signedIn(200),
  },
  'GET /users/me/export': { request: get(() => '/users/me/export'), expect: signedIn(200) },
  // Erasure ends the caller: each signed-in cell erases a fresh account of its own instead
  // of the fixture's people; anonymous callers are refused before anything is read.
  'DELETE /users/me': {
    request: async (w, actor) => {
      if (actor === 'anonymous') return { path: '/users/me', body: { password: 'matrix password 1' } };
      const password = 'matrix password 1';
      const email = `erase.${randomUUID()}@example.com`;
      await w.app.api('POST', '/users/register', {
        body: { name: 'Erase me', email, role: 'buyer', password, confirm_password: password },
      });
      const login = await w.app.api<{ token: string }>('POST', '/users/login', { body: { email, password } });
      return { path: '/users/me', body: { password }, token: login.body.results.token };
    },
    expect: signedIn(200),
  },
  // Sign in with OpenID Connect: public by nature (it is how one signs in). The matrix's
  // platform has no OIDC_ISSUER, so every caller gets 404 oidc_not_configured; the flow
  // itself is test/e2e/oidc.test.ts.
  'GET /auth/oidc': { request: get(() => '/auth/oidc'), expect: all(200) },
  'GET /auth/oidc/authorize': { request: get(() => '/auth/oidc/authorize?return_to=/'), expect: all(404) },
  'GET /auth/oidc/callback': { request: get(() => '/auth/oidc/callback?code=x&state=y'), expect: all(404) },
  'POST /auth/oidc/exchange': {
    request: () => ({ path: '/auth/oidc/exchange', body: { code: 'a'.repeat(43) } }),
    expect: all(404),
  },
  'POST /auth/refresh': {
    request: async (w, actor) => ({
      path: '/auth/refresh',
      body: { refresh_token: (await freshSession(w, actor)).refresh_token },
    }),
    expect: all(200),
  },
  'POST /auth/logout': {
    request: async (w, actor) => {
      const session = await freshSession(w, actor);
      return {
        path: '/auth/logout',
        body: { refresh_token: session.refresh_token },
        token: actor === 'anonymous' ? '' : session.token,
      };
    },
    expect: signedIn(200),
  },

  // Account recovery: tokens from mails, so a made-up one is refused whoever sends it.
  'POST /auth/verify-email': {
    request: () => ({ path: '/auth/verify-email', body: { token: randomBytes(32).toString('base64url') } }),
    expect: all(400),
  },
  'POST /auth/verify-email/resend': {
    request: () => ({ path: '/auth/verify-email/resend' }),
    expect: signedIn(202),
  },
  // The same answer for every address, known or not.
  'POST /auth/password-reset': {
    request: (w) => ({ path: '/auth/password-reset', body: { email: w.people.otherBuyer.email } }),
    expect: all(202),
  },
  'POST /auth/password-reset/confirm': {
    request: () => ({
      path: '/auth/password-reset/confirm',
      body: {
        token: randomBytes(32).toString('base64url'),
        password: 'a brand new secret',
        confirm_password: 'a brand new secret',
      },
    }),
    expect: all(400),
  },
  'POST /auth/login/mfa': {
    request: () => ({
      path: '/auth/login/mfa',
      body: { mfa_token: randomBytes(32).toString('base64url'), code: '000000' },
    }),
    expect: all(401),
  },
  // Two-factor sign-in is for sellers and admins.
  'GET /users/me/mfa': { request: get(() => '/users/me/mfa'), expect: mfaRoles(200) },
  'POST /users/me/mfa/totp': { request: () => ({ path: '/users/me/mfa/totp' }), expect: mfaRoles(200) },
  'POST /users/me/mfa/totp/confirm': {
    // Started first, so a wrong code is what refuses the sellers and admins.
    request: async (w, actor) => {
      const token = w.tokens[actor];
      if (token) await w.app.api('POST', '/users/me/mfa/totp', { token });
      return { path: '/users/me/mfa/totp/confirm', body: { code: '000000' } };
    },
    expect: mfaRoles(401),
  },
  // Never turned on in the matrix: 409 for those who may.
  'DELETE /users/me/mfa/totp': {
    request: () => ({ path: '/users/me/mfa/totp', body: { password: 'not the password' } }),
    expect: mfaRoles(409),
  },
  'POST /users/me/mfa/recovery-codes': {
    request: () => ({ path: '/users/me/mfa/recovery-codes', body: { code: '000000' } }),
    expect: mfaRoles(409),
  },

  'GET /products': { request: get(() => '/products'), expect: all(200) },
  'GET /products/:id': { request: get((w) => `/products/${w.productId}`), expect: all(200) },
  'POST /products': {
    request: () => ({ path: '/products', body: { name: 'Kain', price: '1000', stock: 1 } }),
    expect: { ...all(403), anonymous: 401, seller: 201, otherSeller: 201 },
  },
  'PUT /products/:id': {
    request: (w) => ({ path: `/products/${w.productId}`, body: { stock: 100_000 } }),
    // Buyers can change no product at all (a function-level refusal); another seller's is not there.
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  'DELETE /products/:id': {
    request: async (w) => ({
      path: `/products/${(await createProduct(w.app, w.people.seller.token, { price: '1000' })).id}`,
    }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  'GET /uploads/:folder/:file': { request: get((w) => w.uploadPath), expect: all(200) },
  // Catalog depth: the tree and collections are admins' to change; a product's categories
  // and gallery are its seller's (another seller's product is not there).
  'GET /categories': { request: get(() => '/categories'), expect: all(200) },
  'POST /categories': {
    request: () => ({ path: '/categories', body: { name: `Matrix ${randomUUID()}` } }),
    expect: adminOnly(201),
  },
  'PATCH /categories/:id': {
    request: async (w) => ({ path: `/categories/${await freshCategoryId(w)}`, body: { position: 1 } }),
    expect: adminOnly(200),
  },
  'DELETE /categories/:id': {
    request: async (w) => ({ path: `/categories/${await freshCategoryId(w)}` }),
    expect: adminOnly(200),
  },
  'PUT /products/:id/categories': {
    request: (w) => ({ path: `/products/${w.productId}/categories`, body: { category_ids: [] } }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  'GET /collections': { request: get(() => '/collections'), expect: all(200) },
  'GET /collections/:id': {
    request: async (w) => ({ path: `/collections/${await freshCollectionId(w)}` }),
    expect: all(200),
  },
  'POST /collections': {
    request: () => ({ path: '/collections', body: matrixCollection() }),
    expect: adminOnly(201),
  },
  'PATCH /collections/:id': {
    request: async (w) => ({
      path: `/collections/${await freshCollectionId(w)}`,
      body: { title: 'Changed' },
    }),
    expect: adminOnly(200),
  },
  'DELETE /collections/:id': {
    request: async (w) => ({ path: `/collections/${await freshCollectionId(w)}` }),
    expect: adminOnly(200),
  },
  'PUT /collections/:id/products': {
    request: async (w) => ({
      path: `/collections/${await freshCollectionId(w)}/products`,
      body: { product_ids: [w.productId] },
    }),
    expect: adminOnly(200),
  },
  'GET /products/:id/images': { request: get((w) => `/products/${w.productId}/images`), expect: all(200) },
  'POST /products/:id/images': {
    request: async (w) => ({
      path: `/products/${(await createProduct(w.app, w.people.seller.token, { price: '1000' })).id}/images`,
      form: productForm({}, { field: 'image', bytes: png() }),
    }),
    expect: { ...sellersObject(201), buyer: 403, otherBuyer: 403 },
  },
  'PATCH /products/:id/images/order': {
    request: (w) => ({ path: `/products/${w.productId}/images/order`, body: { image_ids: [] } }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },
  'DELETE /products/:id/images/:imageId': {
    request: async (w) => ({ path: await freshGalleryImagePath(w) }),
    expect: { ...sellersObject(200), buyer: 403, otherBuyer: 403 },
  },

  'GET /payments': { request: get(() => '/payments'), expect: signedIn(200) },
  'POST /payments': {
    request: (w) => ({
      path: '/payments',
      body: { product_id: w.productId, quantity: 1, payment_method: 'wallet' },
    }),
    expect: { ...all(403), anonymous: 401, buyer: 201, otherBuyer: 201 },
  },
  'POST /orders': {
    request: (w) => ({
      path: '/orders',
      body: { items: [{ product_id: w.productId, quantity: 1 }], payment_method: 'wallet' },
    }),
    expect: { ...all(403), anonymous: 401, buyer: 201, otherBuyer: 201 },
  },
  'GET /payments/:id': { request: get((w) => `/payments/${w.paymentId}`), expect: buyersObject(200, 200) },
  'POST /payments/:id/cancel': {
    request: async (w) => ({ path: `/payments/${await freshPendingPayment(w)}/cancel` }),
    expect: { anonymous: 401, buyer: 200, otherBuyer: 404, seller: 403, otherSeller: 403, admin: 200 },
  },
  'POST /payments/:id/capture': {
    request: async (w) => ({ path: `/payments/${await freshPendingPayment(w)}/capture` }),
    expect: adminOnly(200),
  },
  // Unauthenticated by design: Midtrans signs it. A forged one is refused whoever sends it.
  'POST /payments/midtrans/webhook': {
    request: (w) => ({
      path: '/payments/midtrans/webhook',
      body: {
        order_id: w.paymentId,
        status_code: '200',
        gross_amount: '1000.00',
        signature_key: '0'.repeat(128),
        transaction_status: 'settlement',
      },
    }),
    expect: all(401),
  },
  'GET /payments/:id/refunds': {
    request: get((w) => `/payments/${w.paymentId}/refunds`),
    expect: buyersObject(200, 200),
  },
  'POST /payments/:id/refunds': {
    request: async (w) => ({
      path: `/payments/${await freshPaidPayment(w)}/refunds`,
      body: { amount: '1', reason: 'matrix' },
    }),
    expect: { anonymous: 401, buyer: 403, otherBuyer: 403, seller: 201, otherSeller: 404, admin: 201 },
  },
  'GET /refunds/:id': { request: get((w) => `/refunds/${w.refundId}`), expect: buyersObject(200, 200) },

  // A seller sees an order holding their items (only those items); shipping is the item's seller's.
  'GET /orders': { request: get(() => '/orders'), expect: signedIn(200) },
  'GET /orders/:id': {
    request: async (w) => ({ path: `/orders/${(await orderOf(w, w.paymentId)).id}` }),
    expect: buyersObject(200, 200),
  },
  'POST /orders/:id/items/:itemId/shipments': {
    request: async (w) => ({
      path: `${await freshItemPath(w, false)}/shipments`,
      body: { carrier: 'JNE', tracking_number: 'MATRIX2' },
    }),
    expect: { anonymous: 401, buyer: 403, otherBuyer: 403, seller: 201, otherSeller: 404, admin: 201 },
  },
  'POST /orders/:id/items/:itemId/delivered': {
    request: async (w) => ({ path: `${await freshItemPath(w, true)}/delivered` }),
    expect: { anonymous: 401, buyer: 403, otherBuyer: 403, seller: 200, otherSeller: 404, admin: 200 },
  },

  'GET /admin/midtrans/notifications': {
    request: get(() => '/admin/midtrans/notifications'),
    expect: adminOnly(200),
  },
  'GET /admin/mail': { request: get(() => '/admin/mail'), expect: adminOnly(200) },
  'POST /admin/announcements': {
    request: () => ({ path: '/admin/announcements', body: { subject: 'Sale', text: 'Everything must go' } }),
    // Accepted: the mails go out in the background.
    expect: adminOnly(202),
  },
  'GET /admin/ledger/check': {
    request: get(() => '/admin/ledger/check?gateway=false'),
    expect: adminOnly(200),
  },

  'GET /wallet': { request: get(() => '/wallet'), expect: signedIn(200) },
  'GET /wallet/transactions': { request: get(() => '/wallet/transactions'), expect: signedIn(200) },
  'GET /wallet/payouts': {
    request: get(() => '/wallet/payouts'),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 200 },
  },
  'GET /sellers/me/sales': {
    request: get(() => '/sellers/me/sales?interval=week'),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 200 },
  },
  'GET /admin/payouts': { request: get(() => '/admin/payouts?status=pending'), expect: adminOnly(200) },
  'GET /admin/payments': { request: get(() => '/admin/payments?code=GC-'), expect: adminOnly(200) },
  'GET /admin/users': { request: get(() => '/admin/users?role=buyer'), expect: adminOnly(200) },
  'POST /admin/users/:id/disable': {
    request: async (w) => ({ path: `/admin/users/${await freshUserId(w)}/disable` }),
    expect: adminOnly(200),
  },
  'POST /admin/users/:id/enable': {
    request: async (w) => ({ path: `/admin/users/${await freshUserId(w)}/enable` }),
    expect: adminOnly(200),
  },
  'DELETE /admin/users/:id': {
    request: async (w) => ({ path: `/admin/users/${await freshUserId(w)}` }),
    expect: adminOnly(200),
  },
  'GET /admin/audit': { request: get(() => '/admin/audit?action=admin.*'), expect: adminOnly(200) },
  'POST /wallet/top-ups': {
    request: () => ({ path: '/wallet/top-ups', body: { amount: '1000', currency: 'IDR', method: 'test' } }),
    expect: signedIn(201),
  },
  'GET /wallet/top-ups/:id': {
    request: get((w) => `/wallet/top-ups/${w.topUpId}`),
    expect: buyersObject(200, 404),
  },
  'POST /wallet/payouts': {
    request: () => ({ path: '/wallet/payouts', body: { amount: '1', currency: 'IDR' } }),
    expect: { ...all(403), anonymous: 401, seller: 201, otherSeller: 201 },
  },
  'POST /admin/payouts/:id/complete': {
    request: async (w) => ({ path: `/admin/payouts/${await freshPayout(w)}/complete` }),
    expect: adminOnly(200),
  },
  'POST /admin/payouts/:id/cancel': {
    request: async (w) => ({ path: `/admin/payouts/${await freshPayout(w)}/cancel` }),
    expect: adminOnly(200),
  },
  // --- payouts ---
  'GET /sellers/me/payout-destinations': {
    request: get(() => '/sellers/me/payout-destinations'),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 200 },
  },
  'POST /sellers/me/payout-destinations': {
    request: () => ({
      path: '/sellers/me/payout-destinations',
      body: { bank_code: 'bca', account_number: '1234567890', holder_name: 'Matrix' },
    }),
    expect: { ...all(403), anonymous: 401, seller: 201, otherSeller: 201 },
  },
  // The fixture seller's destination: its owner removes it, another seller does not see it.
  'DELETE /sellers/me/payout-destinations/:id': {
    request: async (w, actor) => {
      // Refused before any lookup: no destination is spent on them (a seller may keep only five).
      if (actor !== 'seller' && actor !== 'otherSeller') {
        return { path: `/sellers/me/payout-destinations/${randomUUID()}` };
      }
      const made = await w.app.api<{ id: string }>('POST', '/sellers/me/payout-destinations', {
        token: w.people.seller.token,
        body: { bank_code: 'bni', account_number: '99990000', holder_name: 'Matrix' },
      });
      return { path: `/sellers/me/payout-destinations/${made.body.results.id}` };
    },
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 404 },
  },
  'GET /sellers/me/payout-schedule': {
    request: get(() => '/sellers/me/payout-schedule'),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 200 },
  },
  'PUT /sellers/me/payout-schedule': {
    request: () => ({
      path: '/sellers/me/payout-schedule',
      body: { frequency: 'weekly', weekday: 1, minimum_amount: '100000' },
    }),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 200 },
  },
  // Unauthenticated by design: Iris signs it. A forged one is refused whoever sends it.
  'POST /midtrans/iris/notifications': {
    request: () => ({
      path: '/midtrans/iris/notifications',
      body: { reference_no: 'matrix', amount: '1000.00', status: 'completed' },
      headers: { 'iris-signature': '0'.repeat(128) },
    }),
    expect: all(401),
  },

  'GET /webhooks': { request: get(() => '/webhooks'), expect: signedIn(200) },
  'POST /webhooks': {
    request: () => ({
      path: '/webhooks',
      body: { url: 'http://127.0.0.1:9/other', event_types: ['payment.succeeded'] },
    }),
    expect: signedIn(201),
  },
  'DELETE /webhooks/:id': {
    request: async (w) => {
      const made = await w.app.api<{ id: string }>('POST', '/webhooks', {
        token: w.people.seller.token,
        body: { url: 'http://127.0.0.1:9/gone', event_types: ['payment.succeeded'] },
      });
      return { path: `/webhooks/${made.body.results.id}` };
    },
    expect: sellersObject(200),
  },
  'GET /webhooks/:id/deliveries': {
    request: get((w) => `/webhooks/${w.webhookId}/deliveries`),
    expect: sellersObject(200),
  },
  'POST /webhooks/deliveries/:id/replay': {
    request: (w) => ({ path: `/webhooks/deliveries/${w.deliveryId}/replay` }),
    expect: sellersObject(201),
  },
  'GET /push/vapid-key': { request: get(() => '/push/vapid-key'), expect: all(200) },
  'POST /push/subscriptions': {
    request: () => ({ path: '/push/subscriptions', body: browserSubscription() }),
    expect: signedIn(201),
  },
  // A browser belongs to one person: nobody else may unsubscribe it, admins included.
  'DELETE /push/subscriptions/:id': {
    request: async (w) => {
      const made = await w.app.api<{ id: string }>('POST', '/push/subscriptions', {
        token: w.people.buyer.token,
        body: browserSubscription(),
      });
      return { path: `/push/subscriptions/${made.body.results.id}` };
    },
    expect: { ...all(404), anonymous: 401, buyer: 204 },
  },

  // API clients: sellers and admins manage their own; a client belongs to its owner alone.
  'POST /oauth/clients': {
    request: () => ({ path: '/oauth/clients', body: { name: 'Matrix', scopes: ['payments:read'] } }),
    expect: { ...all(201), anonymous: 401, buyer: 403, otherBuyer: 403 },
  },
  'GET /oauth/clients': {
    request: get(() => '/oauth/clients'),
    expect: { ...all(200), anonymous: 401, buyer: 403, otherBuyer: 403 },
  },
  'POST /oauth/clients/:id/rotate-secret': {
    request: async (w) => ({ path: `/oauth/clients/${await freshApiClientId(w)}/rotate-secret` }),
    expect: { ...all(404), anonymous: 401, buyer: 403, otherBuyer: 403, seller: 200 },
  },
  'DELETE /oauth/clients/:id': {
    request: async (w) => ({ path: `/oauth/clients/${await freshApiClientId(w)}` }),
    expect: { ...all(404), anonymous: 401, buyer: 403, otherBuyer: 403, seller: 204 },
  },
  // The OAuth endpoints take client credentials, never a user's bearer token.
  'POST /oauth/token': { request: oauthForm('/oauth/token'), expect: all(401) },
  'POST /oauth/introspect': { request: oauthForm('/oauth/introspect'), expect: all(401) },
  'POST /oauth/revoke': { request: oauthForm('/oauth/revoke'), expect: all(401) },
  'GET /.well-known/oauth-authorization-server': {
    request: get(() => '/.well-known/oauth-authorization-server'),
    expect: all(200),
  },

  // Carts: anyone may keep a guest cart; a buyer's cart is theirs alone (404 to anyone else,
  // anonymous callers included); sellers and admins do not shop.
  'POST /carts': {
    request: (w) => ({ path: '/carts', body: { lines: [{ product_id: w.productId, quantity: 1 }] } }),
    expect: { ...all(403), anonymous: 201, buyer: 201, otherBuyer: 201 },
  },
  'GET /carts/:id': {
    request: async (w) => ({ path: `/carts/${(await buyersCart(w)).id}` }),
    expect: { ...all(403), anonymous: 404, buyer: 200, otherBuyer: 404 },
  },
  'POST /carts/:id/lines': {
    request: async (w) => ({
      path: `/carts/${(await buyersCart(w)).id}/lines`,
      body: { product_id: w.productId, quantity: 1 },
    }),
    expect: { ...all(403), anonymous: 404, buyer: 201, otherBuyer: 404 },
  },
  'PATCH /carts/:id/lines/:lineId': {
    request: async (w) => {
      const cart = await buyersCart(w);
      return { path: `/carts/${cart.id}/lines/${cart.lineId}`, body: { quantity: 1 } };
    },
    expect: { ...all(403), anonymous: 404, buyer: 200, otherBuyer: 404 },
  },
  'DELETE /carts/:id/lines/:lineId': {
    request: async (w) => {
      const cart = await buyersCart(w);
      return { path: `/carts/${cart.id}/lines/${cart.lineId}` };
    },
    expect: { ...all(403), anonymous: 404, buyer: 200, otherBuyer: 404 },
  },
  'POST /carts/:id/accept-prices': {
    request: async (w) => ({ path: `/carts/${(await buyersCart(w)).id}/accept-prices` }),
    expect: { ...all(403), anonymous: 404, buyer: 200, otherBuyer: 404 },
  },
  'POST /carts/:id/checkout': {
    request: async (w) => ({
      path: `/carts/${(await buyersCart(w)).id}/checkout`,
      body: { payment_method: 'wallet' },
    }),
    expect: { ...all(403), anonymous: 401, buyer: 201, otherBuyer: 404 },
  },

  // The address book is the buyer's own: nobody else reaches an address, admins included.
  'GET /users/me/addresses': {
    request: get(() => '/users/me/addresses'),
    expect: { ...all(403), anonymous: 401, buyer: 200, otherBuyer: 200 },
  },
  'POST /users/me/addresses': {
    request: () => ({ path: '/users/me/addresses', body: matrixAddress() }),
    expect: { ...all(403), anonymous: 401, buyer: 201, otherBuyer: 201 },
  },
  'PATCH /users/me/addresses/:id': {
    request: async (w) => ({
      path: `/users/me/addresses/${await freshAddressId(w)}`,
      body: { city: 'Bogor' },
    }),
    expect: { ...all(403), anonymous: 401, buyer: 200, otherBuyer: 404 },
  },
  'DELETE /users/me/addresses/:id': {
    request: async (w) => ({ path: `/users/me/addresses/${await freshAddressId(w)}` }),
    expect: { ...all(403), anonymous: 401, buyer: 204, otherBuyer: 404 },
  },
  // Shipping options are public to read, and each seller's own to change.
  'GET /sellers/:id/shipping-options': {
    request: get((w) => `/sellers/${w.people.seller.id}/shipping-options`),
    expect: all(200),
  },
  'GET /sellers/me/shipping-options': {
    request: get(() => '/sellers/me/shipping-options'),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 200 },
  },
  'POST /sellers/me/shipping-options': {
    request: () => ({ path: '/sellers/me/shipping-options', body: matrixShippingOption() }),
    expect: { ...all(403), anonymous: 401, seller: 201, otherSeller: 201 },
  },
  'PATCH /sellers/me/shipping-options/:id': {
    request: async (w) => ({
      path: `/sellers/me/shipping-options/${await freshShippingOptionId(w)}`,
      body: { amount: '12000' },
    }),
    expect: { ...all(403), anonymous: 401, seller: 200, otherSeller: 404 },
  },
  'DELETE /sellers/me/shipping-options/:id': {
    request: async (w) => ({ path: `/sellers/me/shipping-options/${await freshShippingOptionId(w)}` }),
    expect: { ...all(403), anonymous: 401, seller: 204, otherSeller: 404 },
  },
  'GET /admin/tax-rates': { request: get(() => '/admin/tax-rates'), expect: adminOnly(200) },
  'POST /admin/tax-rates': {
    request: () => ({ path: '/admin/tax-rates', body: matrixTaxRate() }),
    expect: adminOnly(201),
  },
  'PATCH /admin/tax-rates/:id': {
    request: async (w) => ({ path: `/admin/tax-rates/${await freshTaxRateId(w)}`, body: { rate_bps: 700 } }),
    expect: adminOnly(200),
  },
  'DELETE /admin/tax-rates/:id': {
    request: async (w) => ({ path: `/admin/tax-rates/${await freshTaxRateId(w)}` }),
    expect: adminOnly(204),
  },
};

const matrixAddress = () => ({
  name: 'Matrix',
  line1: 'Jl. Matrix 1',
  city: 'Bandung',
  region: 'Jawa Barat',
  postal_code: '40111',
  country: 'ID',
});

/** A new address of the fixture buyer, for a cell that changes or deletes it. */
async function freshAddressId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/users/me/addresses', {
    token: w.people.buyer.token,
    body: matrixAddress(),
  });
  return res.body.results.id;
}

const matrixShippingOption = () => ({ name: 'Matrix', kind: 'flat', currency: 'IDR', amount: '10000' });

/** A new shipping option of the fixture seller, for a cell that changes or deletes it. */
async function freshShippingOptionId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/sellers/me/shipping-options', {
    token: w.people.seller.token,
    body: matrixShippingOption(),
  });
  return res.body.results.id;
}

// A region of its own, so each rate made is unique.
const matrixTaxRate = () => ({ country: 'ID', region: `M-${randomUUID()}`, rate_bps: 500, inclusive: false });

/** A new tax rate, for a cell that changes or deletes it. */
async function freshTaxRateId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/admin/tax-rates', {
    token: w.people.admin.token,
    body: matrixTaxRate(),
  });
  return res.body.results.id;
}

/** A new top-level category, for a cell that changes or deletes it. */
async function freshCategoryId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/categories', {
    token: w.people.admin.token,
    body: { name: `Matrix ${randomUUID()}` },
  });
  return res.body.results.id;
}

const matrixCollection = () => ({ title: 'Matrix', slug: `matrix-${randomUUID()}` });

/** A new collection, for a cell that reads, changes or deletes it. */
async function freshCollectionId(w: MatrixWorld): Promise<string> {
  const res = await w.app.api<{ id: string }>('POST', '/collections', {
    token: w.people.admin.token,
    body: matrixCollection(),
  });
  return res.body.results.id;
}

/** The path of an image in the gallery of a new product of the fixture seller. */
async function freshGalleryImagePath(w: MatrixWorld): Promise<string> {
  const product = await createProduct(w.app, w.people.seller.token, { price: '1000' });
  const res = await w.app.api<{ id: string }>('POST', `/products/${product.id}/images`, {
    token: w.people.seller.token,
    form: productForm({}, { field: 'image', bytes: png() }),
  });
  return `/products/${product.id}/images/${res.body.results.id}`;
}
