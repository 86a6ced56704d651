import { describe, expect, it } from 'vitest';
import {
  assertRefundMove,
  canMoveRefund,
  nextCheckDelayMs,
  type RefundStatus,
} from './payments.refund-state.js';

const STATUSES: RefundStatus[] = ['pending', 'succeeded', 'failed'];
const allowed = new Set(['pending→succeeded', 'pending→failed']);

describe('the refund state machine', () => {
  const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

  it.each(pairs)('%s → %s is allowed exactly when the table lists it', (from, to) => {
    const expected = allowed.has(`${from}→${to}`);
    expect(canMoveRefund(from, to)).toBe(expected);
    if (expected) expect(() => assertRefundMove(from, to)).not.toThrow();
    else expect(() => assertRefundMove(from, to)).toThrow(/cannot become/);
  });

  it('waits longer after each unanswered check, up to the cap', () => {
    expect([0, 1, 2, 3].map((n) => nextCheckDelayMs(n, 1_000, 5_000))).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(nextCheckDelayMs(1_000, 1_000, 60_000)).toBe(60_000);
  });
});
