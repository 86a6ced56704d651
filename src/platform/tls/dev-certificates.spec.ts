import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tlsSettings } from '../../config.tls.js';
import { createDevCertificates } from './dev-certificates.js';

describe('development certificates', () => {
  const certs = createDevCertificates();
  const ca = new X509Certificate(certs.ca.cert);
  const server = new X509Certificate(certs.server.cert);
  const client = new X509Certificate(certs.client.cert);

  it('signs the server and client certificates with the CA', () => {
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
  });

  it('names localhost and both loopback addresses in the server certificate', () => {
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(server.checkHost('example.com')).toBeUndefined();
  });

  it('makes the server certificate usable as a client certificate, the client one only as that', () => {
    expect(server.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('stays within the 398 days browsers accept for a server certificate', () => {
    const days = (Date.parse(server.validTo) - Date.parse(server.validFrom)) / 86_400_000;
    expect(days).toBeLessThanOrEqual(398);
    expect(Date.parse(server.validFrom)).toBeLessThan(Date.now());
  });

  it('is accepted by the TLS settings, which refuse a key of another certificate', () => {
    const env = { TLS_CERT: certs.server.cert, TLS_KEY: certs.server.key, GRPC_TLS_CA: certs.ca.cert };
    expect(tlsSettings(env, () => '')).toMatchObject({
      grpcCert: certs.server.cert.trim(),
      grpcCa: certs.ca.cert.trim(),
    });
    expect(() => tlsSettings({ ...env, TLS_KEY: certs.client.key }, () => '')).toThrow(
      /TLS_KEY: does not belong to the certificate in TLS_CERT/,
    );
  });
});
