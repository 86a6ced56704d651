import { describe, expect, it } from 'vitest';
import { isAppError } from '../../platform/errors.js';
import {
  CANCELED_BY_FULL_REFUND,
  canFulfil,
  FULFILMENT_ACTIONS,
  FULFILMENT_STATUSES,
  type FulfilmentAction,
  nextFulfilment,
} from './payments.fulfilment-state.js';
import { PAYMENT_STATUSES } from './payments.state.js';

// Written out rather than derived from the table, so a change to the table fails here.
const allowed: [FulfilmentAction, string, string, string][] = [
  ['ship', 'unfulfilled', 'succeeded', 'shipped'],
  ['ship', 'unfulfilled', 'partially_refunded', 'shipped'],
  ['deliver', 'shipped', 'succeeded', 'delivered'],
  ['deliver', 'shipped', 'partially_refunded', 'delivered'],
  ['cancel', 'unfulfilled', 'refunded', 'canceled'],
  ['cancel', 'shipped', 'refunded', 'canceled'],
];

const refusalCode: Record<FulfilmentAction, string> = {
  ship: 'item_not_shippable',
  deliver: 'item_not_deliverable',
  cancel: 'item_not_cancelable',
};

describe('the fulfilment state machine', () => {
  const cases = FULFILMENT_ACTIONS.flatMap((action) =>
    FULFILMENT_STATUSES.flatMap((item) =>
      PAYMENT_STATUSES.map((payment) => [action, item, payment] as const),
    ),
  );

  it.each(cases)(
    '%s of a %s item under a %s payment is allowed exactly when the table lists it',
    (action, item, payment) => {
      const listed = allowed.find(([a, i, p]) => a === action && i === item && p === payment);
      expect(canFulfil(action, item, payment)).toBe(listed !== undefined);
      if (listed) {
        expect(nextFulfilment(action, item, payment)).toBe(listed[3]);
        return;
      }
      let thrown: unknown;
      try {
        nextFulfilment(action, item, payment);
      } catch (error) {
        thrown = error;
      }
      expect(isAppError(thrown)).toBe(true);
      expect(thrown).toMatchObject({ kind: 'conflict', code: refusalCode[action] });
    },
  );

  it('never leaves a delivered or canceled item', () => {
    for (const action of FULFILMENT_ACTIONS)
      for (const payment of PAYMENT_STATUSES) {
        expect(canFulfil(action, 'delivered', payment)).toBe(false);
        expect(canFulfil(action, 'canceled', payment)).toBe(false);
      }
  });

  it('ships nothing whose payment is not in', () => {
    for (const payment of ['pending', 'failed', 'canceled', 'expired', 'refunded'] as const) {
      expect(() => nextFulfilment('ship', 'unfulfilled', payment)).toThrow(`while its payment is ${payment}`);
    }
  });

  it('says the item is the obstacle when it is', () => {
    expect(() => nextFulfilment('ship', 'shipped', 'succeeded')).toThrow('a shipped item cannot be shipped');
  });

  it('cancels on a full refund what has not been delivered', () => {
    expect([...CANCELED_BY_FULL_REFUND].sort()).toEqual(['shipped', 'unfulfilled']);
  });
});
