import { createECDH, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { tlsSettings } from './config.tls.js';
import { createDevCertificates } from './platform/tls/dev-certificates.js';

describe('TLS settings', () => {
  const certs = createDevCertificates();
  const files: Record<string, string> = {
    '/certs/server.crt': certs.server.cert,
    '/certs/server.key': certs.server.key,
  };
  const readFile = (p: string) => {
    if (!(p in files)) throw new Error('ENOENT');
    return files[p]!;
  };

  it('reads the certificate and key from files with the _FILE variables', () => {
    const tls = tlsSettings(
      { TLS_CERT_FILE: '/certs/server.crt', TLS_KEY_FILE: '/certs/server.key' },
      readFile,
    );
    expect(tls.cert).toBe(certs.server.cert.trim());
    expect(tls.grpcCa).toBeUndefined();
  });

  it('wants both halves of a pair', () => {
    expect(() => tlsSettings({ TLS_CERT: certs.server.cert }, readFile)).toThrow(/TLS_KEY: is required/);
    expect(() => tlsSettings({ GRPC_TLS_KEY: certs.client.key }, readFile)).toThrow(
      /GRPC_TLS_CERT: is required/,
    );
  });

  it('refuses text that is no certificate, and a CA without a certificate of its own', () => {
    expect(() => tlsSettings({ TLS_CERT: 'nope', TLS_KEY: certs.server.key }, readFile)).toThrow(
      /TLS_CERT: holds no PEM certificate/,
    );
    expect(() => tlsSettings({ GRPC_TLS_CA: certs.ca.cert }, readFile)).toThrow(
      /GRPC_TLS_CA: needs this process/,
    );
    expect(() => tlsSettings({ TLS_CERT_FILE: '/missing', TLS_KEY: certs.server.key }, readFile)).toThrow(
      /TLS_CERT_FILE: cannot read/,
    );
  });

  it('uses the gRPC pair of its own over the HTTPS one for internal calls', () => {
    const tls = tlsSettings(
      {
        TLS_CERT: certs.server.cert,
        TLS_KEY: certs.server.key,
        GRPC_TLS_CERT: certs.client.cert,
        GRPC_TLS_KEY: certs.client.key,
        GRPC_TLS_CA: certs.ca.cert,
      },
      readFile,
    );
    expect(tls.grpcCert).toBe(certs.client.cert.trim());
    expect(tls.cert).toBe(certs.server.cert.trim());
  });
});

describe('the gRPC listener in live mode', () => {
  const certs = createDevCertificates();
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const live = {
    MAMLAKA_MODE: 'live',
    HOST: '0.0.0.0',
    PUBLIC_URL: 'https://api.example',
    JWT_PRIVATE_KEY: generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    VAPID_PUBLIC_KEY: ecdh.getPublicKey().toString('base64url'),
    VAPID_PRIVATE_KEY: ecdh.getPrivateKey().toString('base64url'),
  };

  it('stays on loopback in plain text, and listens on HOST once it has a certificate', () => {
    expect(loadConfig(live).grpcHost).toBe('127.0.0.1');
    expect(loadConfig({ ...live, TLS_CERT: certs.server.cert, TLS_KEY: certs.server.key }).grpcHost).toBe(
      '0.0.0.0',
    );
    expect(
      loadConfig({ ...live, GRPC_TLS_CERT: certs.server.cert, GRPC_TLS_KEY: certs.server.key }).grpcHost,
    ).toBe('0.0.0.0');
  });
});
