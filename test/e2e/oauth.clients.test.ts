import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminOf } from '../helpers/payments.js';
import { type ApiClientJson, basic, createApiClient, postForm } from '../helpers/oauth.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/** API clients as their owners manage them: create, list, rotate the secret, revoke. */

let app: TestApp;
let seller: Awaited<ReturnType<typeof signUp>>;

beforeAll(async () => {
  app = await startTestApp();
  seller = await signUp(app, { role: 'seller' });
});
afterAll(async () => {
  await app?.close();
});

async function tokenFor(apiClient: { id: string; secret: string }, scope?: string) {
  return postForm(
    app,
    '/oauth/token',
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    { authorization: basic(apiClient.id, apiClient.secret) },
  );
}

describe('creating and listing API clients', () => {
  it('shows the secret once, stores only its hash, and lists the client without it', async () => {
    const created = await createApiClient(app, seller.token, ['webhooks:write', 'products:write']);
    expect(created.id).toMatch(/^mk_client_/);
    expect(created.secret).toMatch(/^mk_secret_[A-Za-z0-9_-]{43}$/);
    expect(created.scopes).toEqual(['products:write', 'webhooks:write']);
    expect(created.owner_id).toBe(seller.id);

    const listed = await app.api<ApiClientJson[]>('GET', '/oauth/clients', { token: seller.token });
    expect(listed.status).toBe(200);
    const mine = listed.body.results.find((each) => each.id === created.id)!;
    expect(mine).toMatchObject({ name: 'Shop sync', revoked_at: null, last_used_at: null });
    expect(JSON.stringify(listed.body)).not.toContain(created.secret);

    const stored = await app.platform.database.db
      .selectFrom('oauth_clients' as never)
      .selectAll()
      .where('id' as never, '=', created.id as never)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(created.secret);

    expect((await tokenFor(created)).status).toBe(200);
    const used = await app.api<ApiClientJson[]>('GET', '/oauth/clients', { token: seller.token });
    expect(used.body.results.find((each) => each.id === created.id)!.last_used_at).not.toBeNull();
  });

  it('refuses buyers, scopes the owner’s role may not give, and other people’s clients', async () => {
    const buyer = await signUp(app);
    const byBuyer = await app.api('POST', '/oauth/clients', {
      token: buyer.token,
      body: { name: 'x', scopes: ['payments:read'] },
    });
    expect(byBuyer.status).toBe(403);
    const adminScope = await app.api('POST', '/oauth/clients', {
      token: seller.token,
      body: { name: 'x', scopes: ['admin:read'] },
    });
    expect(adminScope.status).toBe(400);
    expect(adminScope.body.meta.errors).toEqual([
      expect.objectContaining({ field: 'scopes', code: 'scope_not_allowed' }),
    ]);
    const unknown = await app.api('POST', '/oauth/clients', {
      token: seller.token,
      body: { name: 'x', scopes: ['root'] },
    });
    expect(unknown.status).toBe(400);

    const mine = await createApiClient(app, seller.token, ['payments:read']);
    const otherSeller = await signUp(app, { role: 'seller' });
    for (const [method, path] of [
      ['POST', `/oauth/clients/${mine.id}/rotate-secret`],
      ['DELETE', `/oauth/clients/${mine.id}`],
    ] as const) {
      expect((await app.api(method, path, { token: otherSeller.token })).status).toBe(404);
    }
    expect((await tokenFor(mine)).status).toBe(200);
  });

  it('lets an admin give admin scopes, which then open the admin routes', async () => {
    const admin = await adminOf(app);
    const adminClient = await createApiClient(app, admin.token, ['admin:read']);
    const token = (await tokenFor(adminClient)).json.access_token as string;
    expect((await app.api('GET', '/admin/users?role=buyer', { token })).status).toBe(200);
    expect((await app.api('POST', `/admin/users/${seller.id}/disable`, { token })).status).toBe(403);
  });
});

describe('rotating and revoking', () => {
  it('rotation: the old secret and every token issued with it stop working at once', async () => {
    const apiClient = await createApiClient(app, seller.token, ['payments:read']);
    const before = (await tokenFor(apiClient)).json.access_token as string;
    expect((await app.api('GET', '/payments', { token: before })).status).toBe(200);

    const rotated = await app.api<ApiClientJson>('POST', `/oauth/clients/${apiClient.id}/rotate-secret`, {
      token: seller.token,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.results.secret).not.toBe(apiClient.secret);
    expect((await app.api('GET', '/payments', { token: before })).status).toBe(401);
    expect(await tokenFor(apiClient)).toMatchObject({ status: 401, json: { error: 'invalid_client' } });

    const after = await tokenFor({ id: apiClient.id, secret: rotated.body.results.secret });
    expect(after.status).toBe(200);
    expect((await app.api('GET', '/payments', { token: after.json.access_token })).status).toBe(200);
  });

  it('revocation ends the client and its tokens, and is idempotent', async () => {
    const apiClient = await createApiClient(app, seller.token, ['payments:read']);
    const token = (await tokenFor(apiClient)).json.access_token as string;
    expect((await app.api('DELETE', `/oauth/clients/${apiClient.id}`, { token: seller.token })).status).toBe(
      204,
    );
    expect((await app.api('GET', '/payments', { token })).status).toBe(401);
    expect(await tokenFor(apiClient)).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    expect((await app.api('DELETE', `/oauth/clients/${apiClient.id}`, { token: seller.token })).status).toBe(
      204,
    );
    const rotate = await app.api('POST', `/oauth/clients/${apiClient.id}/rotate-secret`, {
      token: seller.token,
    });
    expect(rotate.status).toBe(404);
    const listed = await app.api<ApiClientJson[]>('GET', '/oauth/clients', { token: seller.token });
    expect(listed.body.results.find((each) => each.id === apiClient.id)!.revoked_at).not.toBeNull();
  });

  it('revokeClientsOf ends every client of a user (as erasure does)', async () => {
    const owner = await signUp(app, { role: 'seller' });
    const one = await createApiClient(app, owner.token, ['payments:read']);
    const two = await createApiClient(app, owner.token, ['webhooks:read']);
    const token = (await tokenFor(two)).json.access_token as string;
    expect(await app.platform.oauth.revokeClientsOf(owner.id)).toBe(2);
    expect((await app.api('GET', '/webhooks', { token })).status).toBe(401);
    for (const each of [one, two]) expect((await tokenFor(each)).status).toBe(401);
    expect(await app.platform.oauth.revokeClientsOf(owner.id)).toBe(0);
  });

  it('a disabled owner’s clients get no tokens', async () => {
    const owner = await signUp(app, { role: 'seller' });
    const apiClient = await createApiClient(app, owner.token, ['payments:read']);
    const admin = await adminOf(app);
    expect((await app.api('POST', `/admin/users/${owner.id}/disable`, { token: admin.token })).status).toBe(
      200,
    );
    expect(await tokenFor(apiClient)).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
  });

  it('caps the active clients of one owner', async () => {
    const owner = await signUp(app, { role: 'seller' });
    const made = await Promise.all(
      Array.from({ length: 27 }, (_, i) =>
        app.api('POST', '/oauth/clients', {
          token: owner.token,
          body: { name: `c${i}`, scopes: ['payments:read'] },
        }),
      ),
    );
    expect(made.filter((res) => res.status === 201)).toHaveLength(25);
    expect(made.filter((res) => res.status === 409).map((res) => res.body.meta.code)).toEqual([
      'too_many_clients',
      'too_many_clients',
    ]);
  });
});

describe('a disabled owner', () => {
  it('ends the live tokens of their clients at once, and their clients work again once re-enabled', async () => {
    const owner = await signUp(app, { role: 'seller' });
    const admin = await adminOf(app);
    const apiClient = await createApiClient(app, owner.token, ['webhooks:read']);
    const issued = await tokenFor(apiClient);
    const token = issued.json.access_token as string;
    expect((await app.api('GET', '/webhooks', { token })).status).toBe(200);

    const disabled = await app.api('POST', `/admin/users/${owner.id}/disable`, { token: admin.token });
    expect(disabled.status).toBe(200);
    expect((await app.api('GET', '/webhooks', { token })).status).toBe(401);
    expect((await tokenFor(apiClient)).status).toBe(401);

    await app.api('POST', `/admin/users/${owner.id}/enable`, { token: admin.token });
    const again = await tokenFor(apiClient);
    expect(again.status).toBe(200);
    const fresh = again.json.access_token as string;
    expect((await app.api('GET', '/webhooks', { token: fresh })).status).toBe(200);
    expect((await app.api('GET', '/webhooks', { token })).status).toBe(401);
  });
});
