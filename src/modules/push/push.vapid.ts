import { createECDH } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The application server's VAPID key pair (RFC 8292), both base64url as web-push takes them. */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/**
 * Taken from configuration when given; otherwise (sandbox only, config enforces it)
 * generated once and kept under DATA_DIR. Browsers bind each subscription to the public
 * key they subscribed with, so a key that changed at every restart would silently break
 * every subscription.
 */
export function loadVapidKeys(configured: VapidKeys | undefined, dataDir: string): VapidKeys {
  if (configured) return configured;
  const file = path.join(dataDir, 'keys', 'vapid-p256.json');
  if (existsSync(file)) return readKeys(file);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const keys = generateVapidKeys();
  // 'wx' so that two processes starting together cannot overwrite each other's key.
  try {
    writeFileSync(file, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeys(file);
    throw error;
  }
  return keys;
}

function readKeys(file: string): VapidKeys {
  const { publicKey, privateKey } = JSON.parse(readFileSync(file, 'utf8')) as VapidKeys;
  return { publicKey, privateKey };
}

/** A P-256 key pair as web-push's generateVAPIDKeys makes it, without loading web-push at start-up. */
function generateVapidKeys(): VapidKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  // The private scalar may have leading zero bytes, which getPrivateKey drops; VAPID wants 32.
  const scalar = ecdh.getPrivateKey();
  const privateKey = Buffer.concat([Buffer.alloc(32 - scalar.length), scalar]);
  return {
    publicKey: ecdh.getPublicKey().toString('base64url'),
    privateKey: privateKey.toString('base64url'),
  };
}
