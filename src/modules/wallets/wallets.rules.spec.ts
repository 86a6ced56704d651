import { describe, expect, it } from 'vitest';
import { canMoveTopUp, type TopUpStatus } from './wallets.rules.js';

const all: TopUpStatus[] = ['pending', 'succeeded', 'failed', 'canceled', 'expired'];

describe('top-up state machine', () => {
  it('moves a pending top-up to any end, once', () => {
    for (const to of all) expect(canMoveTopUp('pending', to)).toBe(to !== 'pending');
  });

  it('never leaves an end state', () => {
    for (const from of all.filter((status) => status !== 'pending'))
      for (const to of all) expect(canMoveTopUp(from, to)).toBe(false);
  });
});
