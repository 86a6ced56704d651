import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  irisAmount,
  irisOutcomeOf,
  irisSignature,
  isValidIrisSignature,
  parseIrisAmount,
} from './iris.rules.js';

describe('Iris amounts', () => {
  it('writes rupiah with two zero decimals, exactly, for any size', () => {
    expect(irisAmount(10_000n)).toBe('10000.00');
    expect(irisAmount(999_999_999_999_999n)).toBe('999999999999999.00');
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n - 1n }), (rupiah) => {
        expect(parseIrisAmount(irisAmount(rupiah))).toBe(rupiah);
      }),
    );
  });

  it('refuses to write a zero or negative amount', () => {
    expect(() => irisAmount(0n)).toThrow(RangeError);
    expect(() => irisAmount(-5n)).toThrow(RangeError);
  });

  it.each(['10000.50', '-1', '0', '0.00', '1e5', '', 'abc', '1.000', null])(
    'reads %j as no amount',
    (text) => {
      expect(parseIrisAmount(text)).toBeUndefined();
    },
  );

  it('reads whole amounts with or without decimals', () => {
    expect(parseIrisAmount('25000')).toBe(25_000n);
    expect(parseIrisAmount('25000.0')).toBe(25_000n);
    expect(parseIrisAmount(25000)).toBe(25_000n);
  });
});

describe('Iris signatures', () => {
  const body = '{"reference_no":"ref1","amount":"10000.00","status":"completed"}';

  it('is SHA-512 hex of the body followed by the merchant key', () => {
    expect(irisSignature(body, 'key')).toMatch(/^[0-9a-f]{128}$/);
    expect(irisSignature(body, 'key')).not.toBe(irisSignature(body, 'other'));
    expect(irisSignature(`${body} `, 'key')).not.toBe(irisSignature(body, 'key'));
  });

  it('accepts only the signature of these very bytes under this key', () => {
    const good = irisSignature(body, 'key');
    expect(isValidIrisSignature(body, 'key', good)).toBe(true);
    expect(isValidIrisSignature(body, 'key', good.toUpperCase())).toBe(true);
    expect(isValidIrisSignature(body.replace('10000', '90000'), 'key', good)).toBe(false);
    expect(isValidIrisSignature(body, 'wrong', good)).toBe(false);
    for (const bad of [undefined, '', good.slice(2), `${good}00`, 'z'.repeat(128), ['a']]) {
      expect(isValidIrisSignature(body, 'key', bad)).toBe(false);
    }
  });
});

describe('Iris statuses', () => {
  it('maps what Iris reports onto what the platform acts on, and nothing else', () => {
    expect(irisOutcomeOf('queued')).toBe('queued');
    expect(irisOutcomeOf('approved')).toBe('processed');
    expect(irisOutcomeOf('processed')).toBe('processed');
    expect(irisOutcomeOf('completed')).toBe('completed');
    expect(irisOutcomeOf('rejected')).toBe('failed');
    expect(irisOutcomeOf('failed')).toBe('failed');
    expect(irisOutcomeOf('paid')).toBeUndefined();
    expect(irisOutcomeOf(undefined)).toBeUndefined();
  });
});
