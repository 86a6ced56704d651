import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { MAX_AMOUNT_MINOR } from '../../platform/money.js';
import { checkOrderLimits, forOneProduct, type OrderLimits, type PriceOf } from './payments.limits.js';

const limits: OrderLimits = { maxOrderAmountMinor: 100_000n, maxLineQuantity: 10 };
const pricedAt =
  (prices: Record<string, bigint>): PriceOf =>
  (id) =>
    prices[id] === undefined ? undefined : { unitPriceMinor: prices[id], currency: 'IDR' };

/** The field errors a check refuses with, or undefined when it accepts. */
function refusal(lines: { product_id: string; quantity: number }[], priceOf: PriceOf, bounds = limits) {
  try {
    checkOrderLimits(lines, priceOf, bounds);
    return undefined;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    expect(error.kind).toBe('invalid');
    return error.details.fields;
  }
}

describe('checkOrderLimits', () => {
  it('accepts an order whose total is exactly the maximum', () => {
    expect(refusal([{ product_id: 'a', quantity: 10 }], pricedAt({ a: 10_000n }))).toBeUndefined();
    expect(
      refusal(
        [
          { product_id: 'a', quantity: 5 },
          { product_id: 'b', quantity: 1 },
        ],
        pricedAt({ a: 10_000n, b: 50_000n }),
      ),
    ).toBeUndefined();
  });

  it('refuses a total one minor unit above the maximum, naming items', () => {
    expect(
      refusal(
        [
          { product_id: 'a', quantity: 5 },
          { product_id: 'b', quantity: 1 },
        ],
        pricedAt({ a: 10_000n, b: 50_001n }),
      ),
    ).toEqual([expect.objectContaining({ field: 'items', code: 'amount_too_large' })]);
  });

  it('names the line whose amount alone is above the maximum', () => {
    expect(
      refusal(
        [
          { product_id: 'a', quantity: 1 },
          { product_id: 'b', quantity: 3 },
        ],
        pricedAt({ a: 1n, b: 40_000n }),
      ),
    ).toEqual([expect.objectContaining({ field: 'items.1.quantity', code: 'amount_too_large' })]);
  });

  it('refuses a quantity above the line maximum before it knows any price', () => {
    expect(refusal([{ product_id: 'a', quantity: 11 }], () => undefined)).toEqual([
      expect.objectContaining({ field: 'items.0.quantity', code: 'amount_too_large' }),
    ]);
  });

  it('adds up the lines of one product against the line maximum', () => {
    const lines = [
      { product_id: 'a', quantity: 6 },
      { product_id: 'b', quantity: 1 },
      { product_id: 'a', quantity: 5 },
    ];
    expect(refusal(lines, () => undefined)).toEqual([
      expect.objectContaining({ field: 'items.2.quantity', code: 'amount_too_large' }),
    ]);
  });

  it('counts a product named on two lines once in the total, at its summed quantity', () => {
    const lines = [
      { product_id: 'a', quantity: 4 },
      { product_id: 'a', quantity: 6 },
    ];
    expect(refusal(lines, pricedAt({ a: 10_000n }))).toBeUndefined();
    expect(refusal(lines, pricedAt({ a: 10_001n }))).toEqual([
      expect.objectContaining({ field: 'items.1.quantity', code: 'amount_too_large' }),
    ]);
  });

  it('leaves products it has no price for to whoever reserves them', () => {
    expect(
      refusal(
        [
          { product_id: 'gone', quantity: 10 },
          { product_id: 'a', quantity: 1 },
        ],
        pricedAt({ a: 100_000n }),
      ),
    ).toBeUndefined();
  });

  it('refuses, without overflowing, fifty lines at the largest price a catalog takes', () => {
    const lines = Array.from({ length: 50 }, (_, i) => ({ product_id: `p${i}`, quantity: 10_000 }));
    const fields = refusal(lines, () => ({ unitPriceMinor: MAX_AMOUNT_MINOR, currency: 'IDR' }), {
      maxOrderAmountMinor: MAX_AMOUNT_MINOR,
      maxLineQuantity: 10_000,
    });
    expect(fields).toEqual([
      expect.objectContaining({ field: 'items.0.quantity', code: 'amount_too_large' }),
    ]);
  });

  it('accepts exactly the orders whose summed subtotals are within the maximum', () => {
    const line = fc.record({
      product_id: fc.constantFrom('a', 'b', 'c', 'd'),
      quantity: fc.integer({ min: 1, max: 20 }),
    });
    const price = fc.bigInt({ min: 1n, max: 60_000n });
    fc.assert(
      fc.property(
        fc.array(line, { minLength: 1, maxLength: 8 }),
        price,
        price,
        price,
        price,
        (lines, ...ps) => {
          const prices = { a: ps[0], b: ps[1], c: ps[2], d: ps[3] };
          const quantities = new Map<string, number>();
          for (const each of lines)
            quantities.set(each.product_id, (quantities.get(each.product_id) ?? 0) + each.quantity);
          const total = [...quantities].reduce(
            (sum, [id, quantity]) => sum + prices[id as keyof typeof prices] * BigInt(quantity),
            0n,
          );
          const withinQuantity = [...quantities.values()].every(
            (quantity) => quantity <= limits.maxLineQuantity,
          );
          const accepted = refusal(lines, pricedAt(prices)) === undefined;
          expect(accepted).toBe(withinQuantity && total <= limits.maxOrderAmountMinor);
        },
      ),
    );
  });
});

describe('forOneProduct', () => {
  it('names the body’s quantity instead of the first line or the items', () => {
    for (const field of ['items.0.quantity', 'items']) {
      let error: unknown;
      try {
        checkOrderLimits(
          [{ product_id: 'a', quantity: field === 'items' ? 10 : 11 }],
          field === 'items' ? pricedAt({ a: 10_001n }) : () => undefined,
          limits,
        );
      } catch (caught) {
        error = caught;
      }
      const renamed = forOneProduct(error) as AppError;
      expect(renamed).toBeInstanceOf(AppError);
      expect(renamed.code).toBe('validation_failed');
      expect(renamed.details.fields).toEqual([
        expect.objectContaining({ field: 'quantity', code: 'amount_too_large' }),
      ]);
    }
  });

  it('passes any other error through untouched', () => {
    const other = new Error('boom');
    expect(forOneProduct(other)).toBe(other);
  });
});
