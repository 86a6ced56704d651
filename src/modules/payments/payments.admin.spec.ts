import { describe, expect, it } from 'vitest';
import { isPaymentCodePrefix } from './payments.admin.js';
import { newPaymentCode } from './payments.rules.js';

describe('a payment code search', () => {
  it('takes a whole code or any start of one', () => {
    const code = newPaymentCode();
    for (let length = 1; length <= code.length; length++)
      expect(isPaymentCodePrefix(code.slice(0, length))).toBe(true);
  });

  it('refuses what no code can start with', () => {
    for (const text of ['', 'X', 'GC6', 'GC-12a', 'GC-1234-5678-90123', 'GC-0000-0000-000X', '%', 'GC_']) {
      expect(isPaymentCodePrefix(text)).toBe(false);
    }
  });
});
