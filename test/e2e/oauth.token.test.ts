import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClientJson, basic, createApiClient, discover, postForm } from '../helpers/oauth.js';
import { signUp, startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * The client-credentials grant (RFC 6749 §4.4), introspection (RFC 7662), revocation
 * (RFC 7009) and the server metadata (RFC 8414), driven by a standard client library
 * (openid-client) and, for what a library never sends, by hand.
 */

let app: TestApp;
let seller: Awaited<ReturnType<typeof signUp>>;
let apiClient: ApiClientJson;
let config: client.Configuration;

beforeAll(async () => {
  app = await startTestApp();
  seller = await signUp(app, { role: 'seller' });
  apiClient = await createApiClient(app, seller.token, ['products:write', 'payments:read']);
  config = await discover(app, apiClient.id, client.ClientSecretBasic(apiClient.secret));
});
afterAll(async () => {
  await app?.close();
});

const product = { name: 'Synced item', price: '1500', stock: 3, description: 'from the shop' };

describe('server metadata (RFC 8414)', () => {
  it('names the endpoints, the grant, the client authentication methods and every scope', async () => {
    const res = await fetch(`${app.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const metadata = (await res.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: app.config.auth.issuer,
      token_endpoint: `${app.config.publicUrl}/oauth/token`,
      introspection_endpoint: `${app.config.publicUrl}/oauth/introspect`,
      revocation_endpoint: `${app.config.publicUrl}/oauth/revoke`,
      jwks_uri: `${app.config.publicUrl}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['products:write', 'refunds:write']));
    // What openid-client discovered is the same document.
    expect(config.serverMetadata().token_endpoint).toBe(metadata.token_endpoint);
  });
});

describe('the client-credentials grant', () => {
  it('issues a bearer token for the owner with all the client’s scopes, which calls the API', async () => {
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('payments:read products:write');
    expect(tokens.expires_in).toBe(Math.floor(app.config.auth.accessTokenTtlMs / 1000));
    expect(tokens.refresh_token).toBeUndefined();

    const created = await app.api<{ user_id: string }>('POST', '/products', {
      token: tokens.access_token,
      body: product,
    });
    expect(created.status).toBe(201);
    expect(created.body.results.user_id).toBe(seller.id);
    expect((await app.api('GET', '/payments', { token: tokens.access_token })).status).toBe(200);
  });

  it('narrows the token to the scope asked for, and refuses one the client does not hold', async () => {
    const narrow = await client.clientCredentialsGrant(config, { scope: 'payments:read' });
    expect(narrow.scope).toBe('payments:read');
    const refused = await app.api('POST', '/products', { token: narrow.access_token, body: product });
    expect(refused.status).toBe(403);
    expect(refused.body.meta.code).toBe('insufficient_scope');
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="products:write"',
    );

    const error = await client
      .clientCredentialsGrant(config, { scope: 'wallet:read' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    expect((error as client.ResponseBodyError).error).toBe('invalid_scope');
    const unknown = await client
      .clientCredentialsGrant(config, { scope: 'everything' })
      .catch((e: unknown) => e);
    expect((unknown as client.ResponseBodyError).error).toBe('invalid_scope');
  });

  it('authenticates the client in the form too (client_secret_post)', async () => {
    const post = await discover(app, apiClient.id, client.ClientSecretPost(apiClient.secret));
    const tokens = await client.clientCredentialsGrant(post, { scope: 'products:write' });
    expect(tokens.scope).toBe('products:write');
  });

  it('decodes Basic credentials as form-urlencoded (RFC 6749 §2.3.1)', async () => {
    const id = apiClient.id.replace(/_/g, '%5F');
    const res = await postForm(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      {
        authorization: `Basic ${Buffer.from(`${id}:${apiClient.secret}`).toString('base64')}`,
      },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys(res.json).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
  });

  it('answers RFC 6749 errors, not the envelope', async () => {
    const wrong = await postForm(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials' },
      {
        authorization: basic(apiClient.id, `${apiClient.secret}x`),
      },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('invalid_client');
    expect(wrong.json.meta).toBeUndefined();
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(wrong.headers.get('cache-control')).toBe('no-store');

    const unknownPost = await postForm(app, '/oauth/token', {
      grant_type: 'client_credentials',
      client_id: 'mk_client_AAAAAAAAAAAAAAAAAAAAAA',
      client_secret: 'nope',
    });
    expect(unknownPost).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    expect(unknownPost.headers.get('www-authenticate')).toBeNull();

    const both = await postForm(
      app,
      '/oauth/token',
      { grant_type: 'client_credentials', client_id: apiClient.id, client_secret: apiClient.secret },
      { authorization: basic(apiClient.id, apiClient.secret) },
    );
    expect(both).toMatchObject({ status: 400, json: { error: 'invalid_request' } });

    const auth = { authorization: basic(apiClient.id, apiClient.secret) };
    const password = await postForm(app, '/oauth/token', { grant_type: 'password' }, auth);
    expect(password).toMatchObject({ status: 400, json: { error: 'unsupported_grant_type' } });
    const missing = await postForm(app, '/oauth/token', {}, auth);
    expect(missing).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
    const repeated = await postForm(
      app,
      '/oauth/token',
      'grant_type=client_credentials&scope=payments%3Aread&scope=products%3Awrite',
      auth,
    );
    expect(repeated).toMatchObject({ status: 400, json: { error: 'invalid_request' } });

    const json = await fetch(`${app.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('introspection (RFC 7662) and revocation (RFC 7009)', () => {
  it('reports the client’s own live token, and anything else as inactive', async () => {
    const tokens = await client.clientCredentialsGrant(config);
    const seen = await client.tokenIntrospection(config, tokens.access_token);
    expect(seen).toMatchObject({
      active: true,
      scope: 'payments:read products:write',
      client_id: apiClient.id,
      sub: seller.id,
      token_type: 'Bearer',
      iss: app.config.auth.issuer,
      aud: app.config.auth.audience,
    });
    expect(seen.exp! - seen.iat!).toBe(Math.floor(app.config.auth.accessTokenTtlMs / 1000));

    // A user's session token and another client's token are not this client's to read.
    expect(await client.tokenIntrospection(config, seller.token)).toEqual({ active: false });
    const other = await createApiClient(app, seller.token, ['payments:read'], 'Other');
    const otherConfig = await discover(app, other.id, client.ClientSecretBasic(other.secret));
    const otherToken = await client.clientCredentialsGrant(otherConfig);
    expect(await client.tokenIntrospection(config, otherToken.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(config, 'not-a-token')).toEqual({ active: false });
  });

  it('revokes the token (and its family) at once; a new token works, unknown tokens are accepted', async () => {
    const first = await client.clientCredentialsGrant(config);
    const sibling = await client.clientCredentialsGrant(config, { scope: 'payments:read' });
    await client.tokenRevocation(config, first.access_token);
    expect((await app.api('GET', '/payments', { token: first.access_token })).status).toBe(401);
    expect((await app.api('GET', '/payments', { token: sibling.access_token })).status).toBe(401);
    expect(await client.tokenIntrospection(config, first.access_token)).toEqual({ active: false });

    const next = await client.clientCredentialsGrant(config);
    expect((await app.api('GET', '/payments', { token: next.access_token })).status).toBe(200);
    await expect(client.tokenRevocation(config, 'never-issued')).resolves.toBeUndefined();
    // Another client cannot revoke this client's token.
    const other = await createApiClient(app, seller.token, ['payments:read'], 'Not yours');
    const revokeAsOther = await postForm(
      app,
      '/oauth/revoke',
      { token: next.access_token },
      {
        authorization: basic(other.id, other.secret),
      },
    );
    expect(revokeAsOther.status).toBe(200);
    expect((await app.api('GET', '/payments', { token: next.access_token })).status).toBe(200);
  });

  it('refuses introspection and revocation to an unauthenticated caller', async () => {
    const tokens = await client.clientCredentialsGrant(config);
    const anonymous = await postForm(app, '/oauth/introspect', { token: tokens.access_token });
    expect(anonymous).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    const wrong = await postForm(
      app,
      '/oauth/revoke',
      { token: tokens.access_token },
      {
        authorization: basic(apiClient.id, 'wrong'),
      },
    );
    expect(wrong).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    expect((await app.api('GET', '/payments', { token: tokens.access_token })).status).toBe(200);
  });
});
