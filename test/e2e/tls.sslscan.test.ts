import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { testCertificates, tlsEnv } from '../helpers/tls.js';

/**
 * An outside scanner's view of both TLS listeners: Debian's sslscan tries every protocol
 * version and cipher suite its OpenSSL knows. Locally a missing sslscan skips this file,
 * loudly; in CI (.ci/run installs it) it fails the run instead.
 */
const SSLSCAN = '/usr/bin/sslscan';
const hasSslscan = existsSync(SSLSCAN);
if (!hasSslscan) {
  if (process.env.CI)
    throw new Error(`${SSLSCAN} not found: CI must scan the TLS listeners (apt-get install sslscan)`);
  console.warn(`TLS scan skipped: ${SSLSCAN} not found; apt-get install sslscan`);
}

interface Scan {
  protocols: Record<string, 'enabled' | 'disabled'>;
  ciphers: { protocol: string; bits: number; name: string }[];
  output: string;
}

async function sslscan(port: number): Promise<Scan> {
  const { stdout } = await promisify(execFile)(SSLSCAN, ['--no-colour', `127.0.0.1:${port}`], {
    timeout: 120_000,
  });
  const protocols = Object.fromEntries(
    [...stdout.matchAll(/^(SSLv2|SSLv3|TLSv1\.[0-3])\s+(enabled|disabled)$/gm)].map((m) => [m[1]!, m[2]!]),
  ) as Scan['protocols'];
  const ciphers = [
    ...stdout.matchAll(/^(?:Preferred|Accepted)\s+(TLSv1\.[0-3]|SSLv[23])\s+(\d+) bits\s+(\S+)/gm),
  ].map((m) => ({ protocol: m[1]!, bits: Number(m[2]), name: m[3]! }));
  return { protocols, ciphers, output: stdout };
}

/** What "weak" means here: broken ciphers, no forward secrecy, or no AEAD (CBC with SHA-1/SHA-2 MACs). */
function weakness(cipher: Scan['ciphers'][number]): string | undefined {
  if (/RC4|DES|NULL|EXP|MD5|anon|ADH|AECDH|PSK|SRP|IDEA|SEED|CAMELLIA/i.test(cipher.name))
    return 'broken or obsolete';
  if (cipher.bits < 128) return 'under 128 bits';
  if (cipher.protocol === 'TLSv1.2' && !/^ECDHE-/.test(cipher.name)) return 'no forward secrecy';
  if (!/GCM|CHACHA20|CCM/.test(cipher.name)) return 'no AEAD';
  return undefined;
}

describe.skipIf(!hasSslscan)('sslscan against the HTTPS and gRPC listeners', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(tlsEnv(testCertificates().ours, false));
  });
  afterAll(async () => {
    await app?.close();
  });

  const listeners = {
    'REST (HTTPS)': () => Number(new URL(app.url).port),
    gRPC: () => Number(app.grpcAddress.split(':').pop()),
  };
  for (const [name, port] of Object.entries(listeners)) {
    it(`finds only TLS 1.2 and 1.3 and only modern suites on ${name}`, async () => {
      const scan = await sslscan(port());
      // The scan must have reached the server, or an empty result would pass for a clean one.
      expect(scan.protocols, scan.output).toEqual({
        SSLv2: 'disabled',
        SSLv3: 'disabled',
        'TLSv1.0': 'disabled',
        'TLSv1.1': 'disabled',
        'TLSv1.2': 'enabled',
        'TLSv1.3': 'enabled',
      });
      expect(scan.ciphers.length, scan.output).toBeGreaterThanOrEqual(4);
      const weak = scan.ciphers.flatMap((cipher) => {
        const why = weakness(cipher);
        return why ? [`${cipher.protocol} ${cipher.name}: ${why}`] : [];
      });
      expect(weak).toEqual([]);
      expect(scan.ciphers.map((cipher) => cipher.protocol)).not.toContain('TLSv1.1');
    });
  }
});
