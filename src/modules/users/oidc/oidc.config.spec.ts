import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config.js';

const base = { DATA_DIR: '/tmp/mamlaka-oidc-config' };
const live = {
  ...base,
  MAMLAKA_MODE: 'live',
  PUBLIC_URL: 'https://shop.example',
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----',
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
  VAPID_PUBLIC_KEY: 'BPz8rX7cVb0pVH1f9ZbFmMq3xN4uKQ1h0Xv8s3J2l6kqZ7yE9aR5tD2wC1uF3gH4jK5lM6nO7pQ8rS9tU0vW1xY',
  VAPID_PRIVATE_KEY: 'a'.repeat(43),
};

describe('OIDC settings', () => {
  it('are off without OIDC_ISSUER', () => {
    expect(loadConfig(base).oidc).toMatchObject({ issuer: undefined, clientId: undefined });
  });

  it('read the client secret from a file and name the provider after its host by default', () => {
    const config = loadConfig(
      {
        ...base,
        OIDC_ISSUER: 'https://id.example/realms/shop/',
        OIDC_CLIENT_ID: 'shop',
        OIDC_CLIENT_SECRET_FILE: '/run/secrets/oidc',
      },
      () => 's3cret\n',
    );
    expect(config.oidc).toEqual({
      issuer: 'https://id.example/realms/shop/',
      clientId: 'shop',
      clientSecret: 's3cret',
      providerName: 'id.example',
      allowHttp: false,
    });
  });

  it('allow a plain-http issuer only in the sandbox, on loopback or when told', () => {
    const http = { ...base, OIDC_CLIENT_ID: 'shop' };
    expect(loadConfig({ ...http, OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc.allowHttp).toBe(true);
    expect(() => loadConfig({ ...http, OIDC_ISSUER: 'http://id.internal' })).toThrow(/OIDC_ISSUER/);
    expect(
      loadConfig({ ...http, OIDC_ISSUER: 'http://id.internal', OIDC_ALLOW_HTTP: 'true' }).oidc.allowHttp,
    ).toBe(true);
  });

  it('refuse an http issuer and OIDC_ALLOW_HTTP in live mode, and an issuer without a client id', () => {
    const liveHttp = { ...live, OIDC_ISSUER: 'http://127.0.0.1:9000', OIDC_CLIENT_ID: 'shop' };
    expect(() => loadConfig(liveHttp)).toThrow(/OIDC_ISSUER: must be https in live mode/);
    expect(() => loadConfig({ ...live, OIDC_ALLOW_HTTP: 'true' })).toThrow(/OIDC_ALLOW_HTTP/);
    expect(() => loadConfig({ ...base, OIDC_ISSUER: 'https://id.example' })).toThrow(/OIDC_CLIENT_ID/);
  });
});
