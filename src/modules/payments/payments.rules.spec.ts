import { describe, expect, it } from 'vitest';
import { isSameCheckout } from './payments.rules.js';

describe('isSameCheckout', () => {
  const earlier = {
    payment_method: 'wallet',
    items: [
      { product_id: 'a', quantity: 2 },
      { product_id: 'b', quantity: 1 },
    ],
  };
  it('accepts the same lines in any order, split or merged, with the same method', () => {
    expect(
      isSameCheckout(
        {
          items: [
            { product_id: 'b', quantity: 1 },
            { product_id: 'a', quantity: 2 },
          ],
        },
        'wallet',
        earlier,
      ),
    ).toBe(true);
    expect(
      isSameCheckout(
        {
          items: [
            { product_id: 'a', quantity: 1 },
            { product_id: 'b', quantity: 1 },
            { product_id: 'a', quantity: 1 },
          ],
        },
        'wallet',
        earlier,
      ),
    ).toBe(true);
  });
  it('refuses another method, another quantity, or another product', () => {
    const same = [
      { product_id: 'a', quantity: 2 },
      { product_id: 'b', quantity: 1 },
    ];
    expect(isSameCheckout({ items: same }, 'manual', earlier)).toBe(false);
    expect(
      isSameCheckout(
        {
          items: [
            { product_id: 'a', quantity: 3 },
            { product_id: 'b', quantity: 1 },
          ],
        },
        'wallet',
        earlier,
      ),
    ).toBe(false);
    expect(isSameCheckout({ items: [{ product_id: 'a', quantity: 2 }] }, 'wallet', earlier)).toBe(false);
    expect(isSameCheckout({ items: [...same, { product_id: 'c', quantity: 1 }] }, 'wallet', earlier)).toBe(
      false,
    );
  });
});
