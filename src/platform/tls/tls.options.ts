import { createSecureContext, type SecureContextOptions } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import type { TlsSettings } from '../../config.tls.js';

/**
 * TLS 1.3's suites, then TLS 1.2's with forward secrecy and an AEAD cipher only (Mozilla's
 * "intermediate" profile without finite-field DHE): no CBC, SHA-1 MACs, 3DES, RC4, NULL or
 * export suites, which Node's default list (it includes `HIGH`) would still offer.
 */
export const MODERN_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** What every TLS endpoint and client of the platform shares: TLS 1.2 or 1.3, modern suites. */
export const HARDENED: SecureContextOptions = {
  minVersion: 'TLSv1.2',
  ciphers: MODERN_CIPHERS,
  honorCipherOrder: true,
};

/** Options for Fastify's `https` with `http2: true`: HTTP/2, and HTTP/1.1 by ALPN for older clients. */
export function httpsOptions(tls: TlsSettings) {
  if (!tls.cert || !tls.key) return undefined;
  return { ...HARDENED, cert: tls.cert, key: tls.key, allowHTTP1: true };
}

/**
 * grpc-js's `createSsl` takes no TLS version or cipher list (only a process-wide variable),
 * so these credentials hand it the hardened options directly. With a CA, a client must
 * present a certificate that CA signed or the handshake fails before any call is read.
 */
class HardenedServerCredentials extends grpc.ServerCredentials {
  constructor(cert: string, key: string, ca: string | undefined) {
    super(
      { ...HARDENED, requestCert: ca !== undefined, rejectUnauthorized: ca !== undefined },
      { ca, cert, key },
    );
  }

  _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

/** The gRPC listener's credentials: TLS with a certificate, mutual TLS with GRPC_TLS_CA too. */
export function grpcServerCredentials(tls: TlsSettings): grpc.ServerCredentials {
  if (!tls.grpcCert || !tls.grpcKey) return grpc.ServerCredentials.createInsecure();
  return new HardenedServerCredentials(tls.grpcCert, tls.grpcKey, tls.grpcCa);
}

/**
 * The gateway's credentials towards the services: with GRPC_TLS_CA, TLS that trusts only
 * that CA (internal certificates are rarely publicly trusted) and presents this process's
 * certificate for the services that require one; without it, plain text as before, so
 * services that serve TLS need GRPC_TLS_CA on their gateway.
 */
export function grpcChannelCredentials(tls: TlsSettings): grpc.ChannelCredentials {
  if (!tls.grpcCa) return grpc.credentials.createInsecure();
  const context = createSecureContext({ ...HARDENED, ca: tls.grpcCa, cert: tls.grpcCert, key: tls.grpcKey });
  return grpc.credentials.createFromSecureContext(context);
}
