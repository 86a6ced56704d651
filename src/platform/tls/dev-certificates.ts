import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

const { pki } = forge;

export interface PemPair {
  cert: string;
  key: string;
}

/** A local CA, a server certificate it signed and a client certificate for mutual TLS. */
export interface DevCertificates {
  ca: PemPair;
  /** For TLS_CERT/TLS_KEY; also valid as a client certificate, so one pair serves every process. */
  server: PemPair;
  /** For GRPC_TLS_CERT/GRPC_TLS_KEY of a gateway that should not hold the server's key. */
  client: PemPair;
}

export const DEV_HOSTS = ['localhost', '127.0.0.1', '::1'];
const CA_DAYS = 3650;
// Browsers refuse leaf certificates valid for longer than 398 days.
const LEAF_DAYS = 397;
const DAY_MS = 86_400_000;

/**
 * Certificates for trying TLS on one machine. Node's own crypto has no certificate
 * builder, so node-forge writes them (its RSA key generation uses Node's native one).
 * Never for production: the CA's key sits on disk beside them.
 */
export function createDevCertificates(hosts: string[] = DEV_HOSTS): DevCertificates {
  const caKeys = pki.rsa.generateKeyPair({ bits: 2048 });
  const caCert = certificate(
    caKeys.publicKey,
    [{ name: 'commonName', value: 'Mamlaka local development CA' }],
    CA_DAYS,
  );
  caCert.setIssuer(caCert.subject.attributes);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(caKeys.privateKey, forge.md.sha256.create());

  const leaf = (commonName: string, extensions: object[]): PemPair => {
    const keys = pki.rsa.generateKeyPair({ bits: 2048 });
    const cert = certificate(keys.publicKey, [{ name: 'commonName', value: commonName }], LEAF_DAYS);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
      ...extensions,
    ]);
    cert.sign(caKeys.privateKey, forge.md.sha256.create());
    return { cert: pki.certificateToPem(cert), key: pki.privateKeyToPem(keys.privateKey) };
  };

  return {
    ca: { cert: pki.certificateToPem(caCert), key: pki.privateKeyToPem(caKeys.privateKey) },
    server: leaf(hosts[0] ?? 'localhost', [
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: hosts.map(altName) },
    ]),
    client: leaf('mamlaka-gateway', [{ name: 'extKeyUsage', clientAuth: true }]),
  };
}

function certificate(
  publicKey: forge.pki.PublicKey,
  subject: forge.pki.CertificateField[],
  days: number,
): forge.pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive 128-bit serial: unique per certificate without keeping a counter.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  // An hour back, so a clock slightly behind still accepts a certificate made just now.
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
  cert.setSubject(subject);
  return cert;
}

/** subjectAltName entries: type 7 is an IP address, 2 a DNS name. */
function altName(host: string) {
  return isIP(host) ? { type: 7, ip: host } : { type: 2, value: host };
}
