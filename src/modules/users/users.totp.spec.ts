import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  hotp,
  matchingStep,
  newTotpSecret,
  otpauthUri,
  timeStep,
  totpAt,
} from './users.totp.js';

// RFC 6238 Appendix B: the seeds are the ASCII strings below, one per hash, 8 digits, 30 s steps.
const SEEDS = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};
const VECTORS: [number, string, keyof typeof SEEDS][] = [
  [59, '94287082', 'sha1'],
  [59, '46119246', 'sha256'],
  [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'],
  [1111111109, '68084774', 'sha256'],
  [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'],
  [1111111111, '67062674', 'sha256'],
  [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'],
  [1234567890, '91819424', 'sha256'],
  [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'],
  [2000000000, '90698825', 'sha256'],
  [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'],
  [20000000000, '77737706', 'sha256'],
  [20000000000, '47863826', 'sha512'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at %i s gives %s with %s (Appendix B)', (seconds, code, algorithm) => {
    expect(totpAt(SEEDS[algorithm], seconds * 1000, { algorithm, digits: 8 })).toBe(code);
  });

  it('gives the RFC 4226 Appendix D HOTP values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583'];
    expected.forEach((code, counter) => expect(hotp(SEEDS.sha1, BigInt(counter))).toBe(code));
  });

  it('accepts the previous, current and next step and nothing further', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_015_000;
    const step = timeStep(now);
    for (const delta of [-1, 0, 1]) {
      const code = hotp(secret, step + BigInt(delta));
      expect(matchingStep(secret, code, now)).toBe(step + BigInt(delta));
    }
    for (const delta of [-2, 2]) {
      const code = hotp(secret, step + BigInt(delta));
      // A far step may collide by chance with a near one (1 in 10^6): only a non-match is asserted.
      if (![-1, 0, 1].some((near) => hotp(secret, step + BigInt(near)) === code)) {
        expect(matchingStep(secret, code, now)).toBeUndefined();
      }
    }
  });

  it('refuses codes that are not six digits', () => {
    const secret = newTotpSecret();
    const code = totpAt(secret, Date.now());
    expect(matchingStep(secret, ` ${code}`, Date.now())).toBeUndefined();
    expect(matchingStep(secret, code.slice(1), Date.now())).toBeUndefined();
    expect(matchingStep(secret, 'abcdef', Date.now())).toBeUndefined();
  });

  it('round-trips base32 (RFC 4648 test vectors)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    const secret = newTotpSecret();
    expect(base32Decode(base32Encode(secret))).toEqual(secret);
    expect(() => base32Decode('not base32!')).toThrow();
  });

  it('writes an otpauth:// URI authenticator apps read', () => {
    const text = otpauthUri(SEEDS.sha1, 'Mamlaka', 'a@example.com');
    expect(text.startsWith('otpauth://totp/Mamlaka:a%40example.com?')).toBe(true);
    const uri = new URL(text);
    expect(uri.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(uri.searchParams.get('issuer')).toBe('Mamlaka');
  });
});
