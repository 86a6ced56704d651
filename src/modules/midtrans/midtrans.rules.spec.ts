import { describe, expect, it } from 'vitest';
import {
  grossAmountMatches,
  isValidSignature,
  midtransSignature,
  targetStatus,
  utf8Prefix,
} from './midtrans.rules.js';

describe('Midtrans notifications', () => {
  const key = 'SB-Mid-server-test';
  const base = { order_id: 'order-1', status_code: '200', gross_amount: '10000.00' };

  it('accept the signature Midtrans computes and refuse anything else', () => {
    const signature_key = midtransSignature('order-1', '200', '10000.00', key);
    expect(signature_key).toMatch(/^[0-9a-f]{128}$/);
    expect(isValidSignature({ ...base, signature_key }, key)).toBe(true);
    expect(isValidSignature({ ...base, gross_amount: '99999.00', signature_key }, key)).toBe(false);
    expect(isValidSignature({ ...base, signature_key }, 'another key')).toBe(false);
    expect(isValidSignature({ ...base, signature_key: 'abc' }, key)).toBe(false);
    expect(isValidSignature({ ...base, signature_key: 'not hex at all' }, key)).toBe(false);
  });

  it.each([
    ['capture', 'accept', 'succeeded'],
    ['capture', 'challenge', 'ignore'],
    ['capture', 'deny', 'failed'],
    ['settlement', undefined, 'succeeded'],
    ['pending', undefined, 'ignore'],
    ['deny', undefined, 'failed'],
    ['failure', undefined, 'failed'],
    ['cancel', undefined, 'canceled'],
    ['expire', undefined, 'expired'],
    ['refund', undefined, 'ignore'],
    ['partial_refund', undefined, 'ignore'],
  ])('map %s (fraud %s) to %s', (status, fraud, expected) => {
    expect(targetStatus(status, fraud)).toBe(expected);
  });

  it('compare gross amounts in whole rupiah', () => {
    expect(grossAmountMatches('10000.00', 10000n)).toBe(true);
    expect(grossAmountMatches('10000', 10000n)).toBe(true);
    expect(grossAmountMatches('10000.50', 10000n)).toBe(false);
    expect(grossAmountMatches('9999.00', 10000n)).toBe(false);
    expect(grossAmountMatches('1e4', 10000n)).toBe(false);
  });
});

describe('a sample of a forged notification', () => {
  it('keeps short text whole', () => {
    expect(utf8Prefix('{"order_id":"x"}', 1024)).toBe('{"order_id":"x"}');
  });

  it('is cut to the byte limit between characters, whatever their width', () => {
    for (const char of ['a', 'é', '€', '😀']) {
      const text = char.repeat(2000);
      for (const limit of [0, 1, 2, 3, 1023, 1024]) {
        const sample = utf8Prefix(text, limit);
        expect(Buffer.byteLength(sample, 'utf8')).toBeLessThanOrEqual(limit);
        expect(Buffer.byteLength(sample, 'utf8')).toBeGreaterThan(limit - Buffer.byteLength(char));
        expect(text.startsWith(sample)).toBe(true);
      }
    }
  });
});
