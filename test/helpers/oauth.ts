import * as client from 'openid-client';
import type { TestApp } from './test-app.js';

export interface ApiClientJson {
  id: string;
  name: string;
  owner_id: string;
  scopes: string[];
  secret: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** Creates an API client for the signed-in seller or admin behind `token`. */
export async function createApiClient(app: TestApp, token: string, scopes: string[], name = 'Shop sync') {
  const res = await app.api<ApiClientJson>('POST', '/oauth/clients', { token, body: { name, scopes } });
  if (res.status !== 201) throw new Error(`client creation failed: ${JSON.stringify(res.body)}`);
  return res.body.results;
}

/**
 * openid-client configured by discovery of the server's RFC 8414 metadata. The issuer is
 * the app's PUBLIC_URL (no port); requests are sent to the port the test app listens on.
 */
export function discover(app: TestApp, clientId: string, auth: client.ClientAuth) {
  const issuer = new URL(app.config.auth.issuer);
  const toApp: client.CustomFetch = (url, options) =>
    fetch(url.replace(issuer.origin, app.url), options as RequestInit);
  return client
    .discovery(issuer, clientId, undefined, auth, {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
      [client.customFetch]: toApp,
    })
    .then((config) => {
      config[client.customFetch] = toApp;
      return config;
    });
}

/** A raw form POST, for the requests a well-behaved library would never send. */
export async function postForm(
  app: TestApp,
  path: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
) {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const response = await fetch(app.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
