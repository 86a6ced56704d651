import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ConfigError, type Env, readSecret } from './config.env.js';

/** PEM text of the certificates and keys this process serves and calls with. */
export interface TlsSettings {
  /** REST serves HTTPS (HTTP/2 and HTTP/1.1) and gRPC serves TLS with this chain and key. */
  cert: string | undefined;
  key: string | undefined;
  /**
   * The split shape's internal CA: with it the gRPC services accept only clients holding a
   * certificate it signed, and the gateway calls them over TLS trusting only it.
   */
  grpcCa: string | undefined;
  /** This process's certificate on internal gRPC (a service's server, the gateway's client). */
  grpcCert: string | undefined;
  grpcKey: string | undefined;
}

/**
 * TLS_CERT/TLS_KEY, GRPC_TLS_CA and GRPC_TLS_CERT/GRPC_TLS_KEY (each also as `_FILE`), in
 * pairs, parsed here so that a wrong file or a key of another certificate fails start-up
 * with the variable's name rather than the first handshake.
 */
export function tlsSettings(env: Env, readFile: (p: string) => string): TlsSettings {
  const [cert, key] = certificatePair(env, readFile, 'TLS_CERT', 'TLS_KEY');
  const [ownGrpcCert, ownGrpcKey] = certificatePair(env, readFile, 'GRPC_TLS_CERT', 'GRPC_TLS_KEY');
  const grpcCa = readSecret(env, 'GRPC_TLS_CA', readFile);
  if (grpcCa !== undefined) certificates('GRPC_TLS_CA', grpcCa);
  const grpcCert = ownGrpcCert ?? cert;
  const grpcKey = ownGrpcKey ?? key;
  if (grpcCa && !grpcCert) {
    throw new ConfigError(
      'GRPC_TLS_CA',
      "needs this process's certificate for mutual TLS: set GRPC_TLS_CERT and GRPC_TLS_KEY (or TLS_CERT and TLS_KEY)",
    );
  }
  return { cert, key, grpcCa, grpcCert, grpcKey };
}

function certificatePair(
  env: Env,
  readFile: (p: string) => string,
  certName: string,
  keyName: string,
): [string, string] | [undefined, undefined] {
  const cert = readSecret(env, certName, readFile);
  const key = readSecret(env, keyName, readFile);
  if (!cert && !key) return [undefined, undefined];
  if (!cert) throw new ConfigError(certName, `is required when ${keyName} is set`);
  if (!key) throw new ConfigError(keyName, `is required when ${certName} is set`);
  const [leaf] = certificates(certName, cert);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new ConfigError(keyName, 'is not a PEM private key');
  }
  if (!leaf!.checkPrivateKey(privateKey)) {
    throw new ConfigError(keyName, `does not belong to the certificate in ${certName}`);
  }
  return [cert, key];
}

/** Every certificate of a PEM bundle, the first being the leaf of a chain. */
function certificates(name: string, pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ConfigError(name, 'holds no PEM certificate');
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch {
    throw new ConfigError(name, 'holds a certificate that cannot be parsed');
  }
}
