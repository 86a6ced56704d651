import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatedRoutesOf } from '../../src/platform/http/auth-hook.js';
import { ALL_SCOPES } from '../../src/platform/auth/scopes.js';
import { call, grpcClients } from '../helpers/grpc.js';
import { basic, createApiClient, postForm } from '../helpers/oauth.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Scopes everywhere: every authenticated REST route and gRPC method says what a client
 * token needs, the OpenAPI document says the same, and a client token is refused wherever
 * its scopes do not reach, over REST and gRPC alike.
 */

let app: TestApp;
let seller: Awaited<ReturnType<typeof signUp>>;
let clients: ReturnType<typeof grpcClients>;

beforeAll(async () => {
  app = await startTestApp();
  seller = await signUp(app, { role: 'seller' });
  clients = grpcClients(app.grpcAddress);
});
afterAll(async () => {
  clients?.close();
  await app?.close();
});

async function clientToken(scopes: string[]): Promise<string> {
  const apiClient = await createApiClient(app, seller.token, scopes);
  const res = await postForm(
    app,
    '/oauth/token',
    { grant_type: 'client_credentials' },
    {
      authorization: basic(apiClient.id, apiClient.secret),
    },
  );
  return res.json.access_token as string;
}

type Operation = { security?: Record<string, string[]>[]; 'x-sessions-only'?: boolean };

describe('every authenticated route declares its scope', () => {
  it('names a scope or sessions-only on every route with auth (add `scope` to the route config)', () => {
    const routes = authenticatedRoutesOf(app.platform.app);
    expect(routes.length).toBeGreaterThan(40);
    const undeclared = routes.filter((route) => route.scope === undefined).map((r) => `${r.method} ${r.url}`);
    expect(undeclared).toEqual([]);
    const unknown = routes.filter((r) => r.scope !== 'sessions-only' && !ALL_SCOPES.includes(r.scope!));
    expect(unknown).toEqual([]);
  });

  it('documents the oauth2 client-credentials scheme and each operation’s scope in OpenAPI', async () => {
    const doc = (await app.api<never>('GET', '/openapi.json')).body as unknown as {
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: Record<string, { type: string; flows?: Record<string, unknown> }> };
    };
    const oauth2 = doc.components.securitySchemes.oauth2!;
    expect(oauth2.type).toBe('oauth2');
    expect(oauth2.flows).toEqual({
      clientCredentials: { tokenUrl: `${app.config.publicUrl}/oauth/token`, scopes: expect.any(Object) },
    });
    expect(doc.paths['/products']!.post!.security).toEqual([
      { bearerAuth: [] },
      { oauth2: ['products:write'] },
    ]);
    expect(doc.paths['/users/me']!.patch!['x-sessions-only']).toBe(true);
    expect(doc.paths['/users/me']!.patch!.security).toEqual([{ bearerAuth: [] }]);
    const bearerOnly = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security?.some((each) => 'bearerAuth' in each))
        .filter(([, op]) => !op['x-sessions-only'] && !op.security!.some((each) => 'oauth2' in each))
        .map(([method]) => `${method} ${path}`),
    );
    expect(bearerOnly).toEqual([]);
  });
});

describe('a client token over REST', () => {
  it('is refused wherever its scopes do not reach, and on sessions-only routes', async () => {
    const token = await clientToken(['payments:read']);
    expect((await app.api('GET', '/payments', { token })).status).toBe(200);
    for (const [method, path, scope] of [
      ['GET', '/wallet', 'wallet:read'],
      ['GET', '/webhooks', 'webhooks:read'],
      ['GET', '/users/me', 'profile:read'],
      ['GET', '/orders', 'orders:read'],
    ] as const) {
      const res = await app.api(method, path, { token });
      expect({ path, status: res.status, code: res.body.meta.code }).toEqual({
        path,
        status: 403,
        code: 'insufficient_scope',
      });
      expect(res.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="${scope}"`);
    }
    for (const [method, path, body] of [
      ['PATCH', '/users/me', { name: 'Renamed by a robot' }],
      ['GET', '/oauth/clients', undefined],
      ['POST', '/oauth/clients', { name: 'more', scopes: ['payments:read'] }],
      ['GET', '/users/me/preferences', undefined],
    ] as const) {
      const res = await app.api(method, path, { token, body });
      expect({ path, status: res.status, code: res.body.meta.code }).toEqual({
        path,
        status: 403,
        code: 'insufficient_scope',
      });
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    }
  });

  it('keeps the owner’s role and ownership rules: a scope never widens what the owner may do', async () => {
    const token = await clientToken(['payments:write']);
    // Sellers do not buy; holding payments:write does not change that.
    const res = await app.api('POST', '/payments', {
      token,
      body: { product_id: '00000000-0000-4000-8000-000000000000', quantity: 1 },
    });
    expect(res.status).toBe(403);
    expect(res.body.meta.code).toBe('role_not_allowed');
  });

  it('a user’s own session keeps every route its role allows', async () => {
    expect((await app.api('GET', '/wallet', { token: seller.token })).status).toBe(200);
    expect((await app.api('GET', '/users/me/preferences', { token: seller.token })).status).toBe(200);
  });
});

describe('a client token over gRPC', () => {
  it('makes the calls its scopes allow and gets PERMISSION_DENIED for the others', async () => {
    const token = await clientToken(['profile:read', 'products:read']);
    const me = await call<{ id: string }>(clients.users, 'GetMe', {}, { token });
    expect(me.error).toBeUndefined();
    expect(me.response!.id).toBe(seller.id);
    expect((await call(clients.catalog, 'ListProducts', {}, { token })).error).toBeUndefined();

    const payments = await call(clients.payments, 'ListPayments', {}, { token });
    expect(payments.error?.code).toBe(status.PERMISSION_DENIED);
    expect(payments.reason).toBe('insufficient_scope');
    const update = await call(clients.users, 'UpdateMe', { name: 'Robot' }, { token });
    expect(update.error?.code).toBe(status.PERMISSION_DENIED);

    const narrow = await clientToken(['payments:read']);
    expect((await call(clients.payments, 'ListPayments', {}, { token: narrow })).error).toBeUndefined();
    expect((await call(clients.catalog, 'ListProducts', {}, { token: narrow })).error?.code).toBe(
      status.PERMISSION_DENIED,
    );
    // Anonymous reads stay anonymous.
    expect((await call(clients.catalog, 'ListProducts', {})).error).toBeUndefined();
  });
});
