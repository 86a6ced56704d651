import { randomBytes } from 'node:crypto';
import { KeyRing } from '../../src/platform/crypto/keyring.js';

/** A fresh in-memory key ring, for suites that wire modules without the whole platform. */
export const testKeyRing = (keyId = 'test'): KeyRing =>
  new KeyRing({ keys: [{ id: keyId, key: randomBytes(32) }], blindIndexKey: randomBytes(32) });
