import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Ed25519 key that signs access tokens, as PKCS#8 PEM. Taken from configuration when
 * given; otherwise (sandbox only, config enforces it) generated once and kept under
 * DATA_DIR so tokens survive restarts.
 */
export function loadSigningKeyPem(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'keys', 'jwt-ed25519.pem');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // 'wx' so that two processes starting together cannot overwrite each other's key.
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8');
    throw error;
  }
  return pem;
}
