import { randomBytes, randomUUID } from 'node:crypto';
import { createProduct } from '../helpers/catalog.js';
import { COMMERCE_ROUTES } from './access.commerce-routes.js';
import {
  adminOnly,
  all,
  buyersObject,
  get,
  mfaRoles,
  type RouteEntry,
  sellersObject,
  signedIn,
} from './access.shapes.js';
import {
  browserSubscription,
  freshApiClientId,
  freshItemPath,
  freshPaidPayment,
  freshPayout,
  freshPendingPayment,
  freshSession,
  freshUserId,
  oauthForm,
  orderOf,
} from './access.fixtures.js';

export { ACTORS, type Actor, type MatrixRequest, type MatrixWorld } from './access.shapes.js';

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

  ...COMMERCE_ROUTES,
};
