import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, isCiphertext, keyIdOf, KeyRing, type RingKey } from './keyring.js';

const key = (id: string): RingKey => ({ id, key: randomBytes(32) });
const blindIndexKey = randomBytes(32);
const ringOf = (...keys: RingKey[]) => new KeyRing({ keys, blindIndexKey });

/** Flips one bit of the base64url part `part` (2 = nonce, 3 = body and tag) at byte `at`. */
function flipBit(ciphertext: string, part: 2 | 3, at: number): string {
  const parts = ciphertext.split(':');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[at < 0 ? bytes.length + at : at]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join(':');
}

describe('KeyRing', () => {
  const a = key('a');
  const b = key('b');
  const ring = ringOf(a, b);
  const context = 'users.name:0b6f1f5c-1111-4c4c-9d9d-000000000001';

  it('draws a fresh nonce for each of 1,000,000 encryptions under one key', () => {
    const single = ringOf(key('one'));
    const nonces = new Set<string>();
    for (let i = 0; i < 1_000_000; i += 1) nonces.add(single.encrypt('x', 'c').split(':')[2]!);
    expect(nonces.size).toBe(1_000_000);
  }, 120_000);

  it('round-trips text of any size, names the key used and hides equal plaintexts', () => {
    for (const text of ['', 'Ada Lovelace', 'ü'.repeat(10_000)]) {
      const sealed = ring.encrypt(text, context);
      expect(sealed.startsWith('v1:a:')).toBe(true);
      expect(isCiphertext(sealed)).toBe(true);
      expect(keyIdOf(sealed)).toBe('a');
      expect(ring.decrypt(sealed, context)).toBe(text);
    }
    expect(ring.encrypt('same', context)).not.toBe(ring.encrypt('same', context));
  });

  it('refuses a ciphertext with one bit flipped in the nonce, the body or the tag', () => {
    const sealed = ring.encrypt('Ada Lovelace', context);
    for (const tampered of [
      flipBit(sealed, 2, 0),
      flipBit(sealed, 2, -1),
      flipBit(sealed, 3, 0),
      flipBit(sealed, 3, 5),
      flipBit(sealed, 3, -1),
    ]) {
      expect(tampered).not.toBe(sealed);
      expect(() => ring.decrypt(tampered, context)).toThrow(DecryptionError);
    }
  });

  it('refuses a ciphertext relabelled with another known key id', () => {
    const sealed = ring.encrypt('whsec_secret', context);
    const relabelled = sealed.replace(/^v1:a:/, 'v1:b:');
    expect(() => ring.decrypt(relabelled, context)).toThrow(DecryptionError);
    // Even when the other id names the very same key bytes, the id is authenticated.
    const twin = ringOf(a, { id: 'twin', key: a.key });
    expect(() => twin.decrypt(twin.encrypt('x', context).replace(/^v1:a:/, 'v1:twin:'), context)).toThrow(
      DecryptionError,
    );
  });

  it('refuses a ciphertext moved to another row or column (another context)', () => {
    const sealed = ring.encrypt('Ada Lovelace', context);
    expect(() => ring.decrypt(sealed, 'users.name:another-id')).toThrow(DecryptionError);
    expect(() => ring.decrypt(sealed, 'users.email:0b6f1f5c-1111-4c4c-9d9d-000000000001')).toThrow(
      DecryptionError,
    );
  });

  it('refuses an unknown key id and anything not a v1 ciphertext', () => {
    const stranger = ringOf(key('zz'));
    expect(() => ring.decrypt(stranger.encrypt('x', context), context)).toThrow(/unknown key id "zz"/);
    for (const junk of ['', 'plain', 'v2:a:b:c', 'v1:a:AAAA:AAAA', 'v1:a:b']) {
      expect(() => ring.decrypt(junk, context)).toThrow(DecryptionError);
    }
  });

  it('decrypts what an older key encrypted, and encrypts only with the first key', () => {
    const old = ringOf(b);
    const sealedUnderB = old.encrypt('Ada', context);
    expect(ring.decrypt(sealedUnderB, context)).toBe('Ada');
    expect(ring.isCurrent(sealedUnderB)).toBe(false);
    expect(ring.isCurrent(ring.encrypt('Ada', context))).toBe(true);
  });

  it('reads its source again to learn a key id it does not know yet', () => {
    let keys = [a];
    const reloading = new KeyRing({ keys, blindIndexKey }, () => ({ keys, blindIndexKey }));
    const fresh = key('fresh');
    const sealed = ringOf(fresh, a).encrypt('Ada', context);
    keys = [fresh, a];
    expect(reloading.decrypt(sealed, context)).toBe('Ada');
    expect(reloading.activeKeyId).toBe('fresh');
  });

  it('opens legacy plaintext as it is but never a damaged ciphertext', () => {
    expect(ring.open('ada@example.com', context)).toBe('ada@example.com');
    expect(ring.openOptional(null, context)).toBeNull();
    const sealed = ring.encrypt('Ada', context);
    expect(ring.open(sealed, context)).toBe('Ada');
    expect(() => ring.open(flipBit(sealed, 3, 0), context)).toThrow(DecryptionError);
  });

  it('gives a blind index that is stable, keyed and separate per purpose', () => {
    const index = ring.blindIndex('ada@example.com', 'users.email');
    expect(ring.blindIndex('ada@example.com', 'users.email')).toBe(index);
    expect(ring.blindIndex('ada@example.com', 'other.purpose')).not.toBe(index);
    expect(ringOf(a).blindIndex('ada@example.com', 'users.email')).toBe(index);
    const otherKey = new KeyRing({ keys: [a], blindIndexKey: randomBytes(32) });
    expect(otherKey.blindIndex('ada@example.com', 'users.email')).not.toBe(index);
    expect(index).not.toContain('ada');
  });
});
