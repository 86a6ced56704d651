import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BankPayoutStatus, type LedgerEffect, isOpen, stepOf } from './payouts.state.js';

const STATUSES: BankPayoutStatus[] = ['created', 'queued', 'processed', 'completed', 'failed'];

/** Replays steps from `created`, applying only the allowed ones, as the service does. */
function replay(targets: readonly BankPayoutStatus[]) {
  let status: BankPayoutStatus = 'created';
  const effects: LedgerEffect[] = [];
  for (const target of targets) {
    const step = stepOf(status, target);
    if (!step.allowed) continue;
    effects.push(step.effect);
    status = target;
  }
  return { status, effects };
}

describe('bank payout state machine', () => {
  it('settles the hold on completion and releases it on failure', () => {
    expect(stepOf('queued', 'completed')).toEqual({ allowed: true, effect: 'post' });
    expect(stepOf('processed', 'failed')).toEqual({ allowed: true, effect: 'void' });
    expect(stepOf('created', 'failed')).toEqual({ allowed: true, effect: 'void' });
    expect(stepOf('queued', 'processed')).toEqual({ allowed: true, effect: 'none' });
  });

  it('reverses a completed payout that the bank returns', () => {
    expect(stepOf('completed', 'failed')).toEqual({ allowed: true, effect: 'reverse' });
  });

  it('ignores repeats and refuses going back or leaving a failure', () => {
    for (const status of STATUSES)
      expect(stepOf(status, status)).toEqual({ allowed: false, reason: 'unchanged' });
    expect(stepOf('completed', 'queued')).toEqual({ allowed: false, reason: 'refused' });
    expect(stepOf('processed', 'queued')).toEqual({ allowed: false, reason: 'refused' });
    for (const status of STATUSES.filter((s) => s !== 'failed'))
      expect(stepOf('failed', status)).toEqual({ allowed: false, reason: 'refused' });
  });

  it('never returns or pays the money twice, whatever order notifications come in', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...STATUSES), { maxLength: 30 }), (targets) => {
        const { status, effects } = replay(targets);
        const count = (effect: LedgerEffect) => effects.filter((e) => e === effect).length;
        // The hold is resolved at most once, and only a posted hold is ever reversed.
        expect(count('post') + count('void')).toBeLessThanOrEqual(1);
        expect(count('reverse')).toBeLessThanOrEqual(count('post'));
        // The money is back with the seller exactly when the payout ended failed.
        const returned = count('void') + count('reverse') === 1;
        expect(returned).toBe(status === 'failed');
        expect(count('post') - count('reverse') === 1).toBe(status === 'completed');
      }),
    );
  });

  it('counts only unfinished payouts as open', () => {
    expect(STATUSES.filter(isOpen)).toEqual(['created', 'queued', 'processed']);
  });
});
