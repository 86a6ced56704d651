import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/grpc.js';
import { newUser, startLiveApp, startTestApp, type TestApp } from '../helpers/test-app.js';
import { h2Request, handshake, http1Request, testCertificates, tlsEnv, usersClient } from '../helpers/tls.js';

/**
 * TLS_CERT/TLS_KEY turn REST into HTTPS with HTTP/2 and HTTP/1.1 and gRPC into TLS;
 * GRPC_TLS_CA makes gRPC mutual. Real clients: node:http2, node:https, node:tls, grpc-js.
 */
const { ours, foreign } = testCertificates();
const ca = ours.ca.cert;
const portOf = (url: string) => Number(new URL(url).port);
const grpcPortOf = (address: string) => Number(address.split(':').pop());

describe('with TLS_CERT, TLS_KEY and GRPC_TLS_CA (sandbox)', () => {
  let app: TestApp;
  let origin: string;
  beforeAll(async () => {
    app = await startTestApp(tlsEnv(ours, true));
    origin = app.url.replace('http://', 'https://');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('serves the API over HTTP/2 to a client that offers h2', async () => {
    const health = await h2Request(origin, 'GET', '/health', ca);
    expect(health).toMatchObject({ status: 200, alpn: 'h2' });
    const registered = await h2Request(origin, 'POST', '/users/register', ca, newUser());
    expect(registered.status).toBe(201);
    expect(JSON.parse(registered.body)).toMatchObject({
      meta: { success: true },
      results: { role: 'buyer' },
    });
  });

  it('serves HTTP/1.1 to a client that offers only it, readiness included', async () => {
    const ready = await http1Request(origin, 'GET', '/ready', ca);
    expect(ready).toMatchObject({ status: 200, alpn: 'http/1.1', httpVersion: '1.1' });
  });

  it('refuses TLS 1.0 and 1.1 and accepts 1.2 and 1.3', async () => {
    // SECLEVEL=0 lets this client offer the old versions at all: the refusal must be the server's.
    const old = { ca, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
    for (const maxVersion of ['TLSv1', 'TLSv1.1'] as const) {
      const refused = await handshake(portOf(origin), { ...old, maxVersion });
      expect(refused).toMatchObject({ ok: false, code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    }
    expect(await handshake(portOf(origin), { ...old, maxVersion: 'TLSv1.2' })).toMatchObject({
      ok: true,
      protocol: 'TLSv1.2',
    });
    expect(await handshake(portOf(origin), { ca })).toMatchObject({ ok: true, protocol: 'TLSv1.3' });
  });

  it('refuses TLS 1.2 suites without forward secrecy or an AEAD cipher', async () => {
    for (const cipher of [
      'AES128-SHA',
      'AES256-GCM-SHA384',
      'ECDHE-RSA-AES128-SHA',
      'ECDHE-RSA-AES256-SHA384',
    ]) {
      const refused = await handshake(portOf(origin), {
        ca,
        maxVersion: 'TLSv1.2',
        ciphers: `${cipher}@SECLEVEL=0`,
      });
      expect(refused, cipher).toMatchObject({ ok: false, code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
    }
    const modern = await handshake(portOf(origin), {
      ca,
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
    });
    expect(modern).toMatchObject({ ok: true, cipher: 'ECDHE-RSA-AES128-GCM-SHA256' });
  });

  it('sends no HSTS in sandbox mode, where it would pin localhost to HTTPS', async () => {
    const health = await h2Request(origin, 'GET', '/health', ca);
    expect(health.headers['strict-transport-security']).toBeUndefined();
    expect(health.headers['x-content-type-options']).toBe('nosniff');
  });

  describe('gRPC, mutual', () => {
    const attempt = async (credentials: grpc.ChannelCredentials) => {
      const client = usersClient(app.grpcAddress, credentials);
      try {
        return await call<{ id: string }>(client, 'RegisterUser', newUser(), { deadlineMs: 5_000 });
      } finally {
        client.close();
      }
    };

    it('accepts a client certificate signed by GRPC_TLS_CA', async () => {
      const outcome = await attempt(
        grpc.credentials.createSsl(
          Buffer.from(ca),
          Buffer.from(ours.client.key),
          Buffer.from(ours.client.cert),
        ),
      );
      expect(outcome.error).toBeUndefined();
      expect(outcome.response?.id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('refuses a client without a certificate, one of another CA, and plain text', async () => {
      const refused = [
        grpc.credentials.createSsl(Buffer.from(ca)),
        grpc.credentials.createSsl(
          Buffer.from(ca),
          Buffer.from(foreign.client.key),
          Buffer.from(foreign.client.cert),
        ),
        grpc.credentials.createInsecure(),
      ];
      for (const credentials of refused) {
        const outcome = await attempt(credentials);
        expect(outcome.response).toBeUndefined();
        expect(outcome.error?.code).toBe(grpc.status.UNAVAILABLE);
      }
    });

    it('refuses TLS 1.1 on the gRPC port too', async () => {
      const refused = await handshake(grpcPortOf(app.grpcAddress), {
        ca,
        cert: ours.client.cert,
        key: ours.client.key,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      expect(refused).toMatchObject({ ok: false, code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
    });
  });
});

describe('with TLS_CERT and TLS_KEY in live mode', () => {
  let app: TestApp;
  let origin: string;
  beforeAll(async () => {
    app = await startLiveApp(tlsEnv(ours, false));
    origin = app.url.replace('http://', 'https://');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sends HSTS for two years, subdomains included', async () => {
    const health = await h2Request(origin, 'GET', '/health', ca);
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  });

  it('serves gRPC over TLS to a client without a certificate, and not in plain text', async () => {
    const secure = usersClient(app.grpcAddress, grpc.credentials.createSsl(Buffer.from(ca)));
    const plain = usersClient(app.grpcAddress, grpc.credentials.createInsecure());
    try {
      const body = newUser();
      const registered = await call<{ id: string }>(secure, 'RegisterUser', body);
      expect(registered.error).toBeUndefined();
      const viaPlain = await call(plain, 'RegisterUser', newUser(), { deadlineMs: 5_000 });
      expect(viaPlain.error?.code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      secure.close();
      plain.close();
    }
  });
});
