import { describe, expect, it } from 'vitest';
import {
  assertTransition,
  canTransition,
  PAYMENT_STATUSES,
  PAYMENT_TRANSITIONS,
  statusAfterRefund,
} from './payments.state.js';

const allowed: [string, string][] = [
  ['pending', 'succeeded'],
  ['pending', 'failed'],
  ['pending', 'canceled'],
  ['pending', 'expired'],
  ['succeeded', 'partially_refunded'],
  ['succeeded', 'refunded'],
  ['partially_refunded', 'partially_refunded'],
  ['partially_refunded', 'refunded'],
];

describe('the payment state machine', () => {
  const pairs = PAYMENT_STATUSES.flatMap((from) => PAYMENT_STATUSES.map((to) => [from, to] as const));

  it.each(pairs)('%s → %s is allowed exactly when the table lists it', (from, to) => {
    const expected = allowed.some(([f, t]) => f === from && t === to);
    expect(canTransition(from, to)).toBe(expected);
    if (expected) expect(() => assertTransition(from, to)).not.toThrow();
    else expect(() => assertTransition(from, to)).toThrow(/cannot become/);
  });

  it('has no way out of a final state', () => {
    for (const final of ['failed', 'canceled', 'expired', 'refunded'] as const) {
      expect(PAYMENT_TRANSITIONS[final]).toEqual([]);
    }
  });

  it('is fully refunded only when the refunds add up to the amount', () => {
    expect(statusAfterRefund(1000n, 0n, 400n)).toBe('partially_refunded');
    expect(statusAfterRefund(1000n, 400n, 600n)).toBe('refunded');
    expect(statusAfterRefund(1000n, 0n, 1000n)).toBe('refunded');
  });
});
