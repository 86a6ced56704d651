import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Addition,
  type CartLine,
  cartTotals,
  checkoutKeyOf,
  checkQuantity,
  hashCartId,
  maskCartId,
  MAX_CART_LINES,
  mergeLines,
  newCartId,
  presentLine,
  priceChanged,
  pricesChangedError,
} from './carts.rules.js';

const limits = { maxLineQuantity: 100 };
const line = (overrides: Partial<CartLine> = {}): CartLine => ({
  id: 'l1',
  product_id: 'p1',
  variant_id: null,
  title: 'Shirt',
  quantity: 1,
  unit_price_minor: 1000n,
  currency: 'IDR',
  ...overrides,
});
const addition = (overrides: Partial<Addition> = {}): Addition => ({
  product_id: 'p1',
  variant_id: null,
  title: 'Shirt',
  quantity: 1,
  unit_price_minor: 1000n,
  currency: 'IDR',
  ...overrides,
});
const product = {
  id: 'p1',
  variantId: null,
  sellerId: 's1',
  name: 'Shirt',
  unitPriceMinor: 1000n,
  currency: 'IDR',
  stock: 5,
  taxClass: 'standard',
};

describe('cart ids', () => {
  it('are 32 base64url characters, distinct, and stored only as their SHA-256', () => {
    const ids = new Set(Array.from({ length: 1000 }, newCartId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const id = [...ids][0]!;
    expect(hashCartId(id)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashCartId(id)).not.toContain(id);
    expect(maskCartId(id)).toHaveLength(5);
  });

  it('key one checkout per attempt', () => {
    expect(checkoutKeyOf('ab', 0)).not.toBe(checkoutKeyOf('ab', 1));
    expect(checkoutKeyOf('ab', 0)).toBe(checkoutKeyOf('ab', 0));
  });
});

describe('mergeLines', () => {
  it('adds quantities to an existing line, which keeps its id and accepted price', () => {
    const merged = mergeLines([line()], [addition({ quantity: 2, unit_price_minor: 1500n })], limits);
    expect(merged).toEqual([line({ quantity: 3 })]);
  });

  it('keeps two variants of one product on lines of their own', () => {
    const merged = mergeLines(
      [line({ variant_id: 'v1' })],
      [addition({ variant_id: 'v2' }), addition({ variant_id: 'v1', quantity: 2 })],
      limits,
    );
    expect(merged.map((each) => [each.variant_id, each.quantity])).toEqual([
      ['v1', 3],
      ['v2', 1],
    ]);
  });

  it('keeps every product once, with the total quantity asked for (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ product: fc.integer({ min: 0, max: 9 }), quantity: fc.integer({ min: 1, max: 5 }) }),
          {
            maxLength: 30,
          },
        ),
        (adds) => {
          const merged = mergeLines(
            [],
            adds.map((each) => addition({ product_id: `p${each.product}`, quantity: each.quantity })),
            { maxLineQuantity: 1_000 },
          );
          const expected = new Map<string, number>();
          for (const each of adds)
            expected.set(`p${each.product}`, (expected.get(`p${each.product}`) ?? 0) + each.quantity);
          expect(new Map(merged.map((each) => [each.product_id, each.quantity]))).toEqual(expected);
        },
      ),
    );
  });

  it('refuses a second currency, too many lines and a quantity above the limit', () => {
    expect(() => mergeLines([line()], [addition({ product_id: 'p2', currency: 'USD' })], limits)).toThrow(
      expect.objectContaining({ code: 'mixed_currencies' }),
    );
    const many = Array.from({ length: MAX_CART_LINES + 1 }, (_, index) =>
      addition({ product_id: `p${index}` }),
    );
    expect(() => mergeLines([], many, limits)).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
    expect(() => mergeLines([line({ quantity: 100 })], [addition()], limits)).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
  });
});

describe('checkQuantity', () => {
  it('allows the stock, refuses beyond it (409) and beyond the limit (400)', () => {
    expect(() => checkQuantity(5, product, limits)).not.toThrow();
    expect(() => checkQuantity(6, product, limits)).toThrow(
      expect.objectContaining({ code: 'insufficient_stock' }),
    );
    expect(() => checkQuantity(101, { ...product, stock: 1000 }, limits)).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
  });
});

describe('price changes', () => {
  it('are a different price or currency; a product that is gone is no price change', () => {
    expect(priceChanged(line(), product)).toBe(false);
    expect(priceChanged(line(), { ...product, unitPriceMinor: 1001n })).toBe(true);
    expect(priceChanged(line(), { ...product, currency: 'USD' })).toBe(true);
    expect(priceChanged(line(), undefined)).toBe(false);
  });

  it('are shown with the old and the new price', () => {
    expect(presentLine(line({ quantity: 2 }), { ...product, unitPriceMinor: 1200n })).toEqual({
      id: 'l1',
      product_id: 'p1',
      variant_id: null,
      seller_id: 's1',
      title: 'Shirt',
      quantity: 2,
      unit_price: '1000',
      current_unit_price: '1200',
      price_changed: true,
      available_stock: 5,
      in_stock: true,
      currency: 'IDR',
    });
    expect(presentLine(line(), undefined)).toMatchObject({ current_unit_price: null, in_stock: false });
  });

  it('refuse a checkout naming each stale line, and only those', () => {
    const lines = [line(), line({ id: 'l2', product_id: 'p2' })];
    const now = new Map([
      ['p1', product],
      ['p2', { ...product, id: 'p2', unitPriceMinor: 900n }],
    ]);
    const error = pricesChangedError(lines, now);
    expect(error).toMatchObject({ kind: 'conflict', code: 'cart_prices_changed' });
    expect(error!.details.fields!.map((field) => field.field)).toEqual(['lines.l2']);
    expect(pricesChangedError([line()], new Map([['p1', product]]))).toBeUndefined();
  });
});

describe('cartTotals', () => {
  it('sums the accepted prices exactly in minor units', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            price: fc.bigInt({ min: 0n, max: 10n ** 12n }),
            quantity: fc.integer({ min: 1, max: 10_000 }),
          }),
        ),
        (lines) => {
          const totals = cartTotals(
            lines.map((each) => line({ unit_price_minor: each.price, quantity: each.quantity })),
          );
          expect(totals.subtotalMinor).toBe(
            lines.reduce((sum, each) => sum + each.price * BigInt(each.quantity), 0n),
          );
          expect(totals.currency).toBe(lines.length === 0 ? null : 'IDR');
        },
      ),
    );
  });
});
