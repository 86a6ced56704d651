import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineTax, selectTaxRate, type TaxRateRule } from './taxes.rules.js';

const rate = (id: string, over: Partial<TaxRateRule> = {}): TaxRateRule => ({
  id,
  country: 'ID',
  region: null,
  taxClass: 'standard',
  rateBps: 1100,
  inclusive: true,
  currency: null,
  ...over,
});

describe('selectTaxRate', () => {
  const rates = [
    rate('country'),
    rate('country-idr', { currency: 'IDR' }),
    rate('bali', { region: 'Bali' }),
    rate('food', { taxClass: 'food', rateBps: 0 }),
  ];
  const pick = (line: { country?: string; region?: string | null; taxClass?: string; currency?: string }) =>
    selectTaxRate(rates, { country: 'ID', taxClass: 'standard', currency: 'USD', ...line })?.id;

  it('prefers the region, then the currency, then the whole country', () => {
    expect(pick({ region: 'bali' })).toBe('bali');
    expect(pick({ region: 'Bali', currency: 'IDR' })).toBe('bali');
    expect(pick({ currency: 'IDR' })).toBe('country-idr');
    expect(pick({ region: 'Jawa Barat' })).toBe('country');
  });

  it('matches the class and country exactly, or nothing', () => {
    expect(pick({ taxClass: 'food' })).toBe('food');
    expect(pick({ taxClass: 'books' })).toBeUndefined();
    expect(pick({ country: 'MY' })).toBeUndefined();
  });
});

describe('lineTax', () => {
  it('extracts an inclusive tax and adds an exclusive one, half up', () => {
    expect(lineTax(111_000n, 1100, true)).toBe(11_000n);
    // 1000 × 1100 / 11100 = 99.099… → 99; 1005 × 11% = 110.55 → 111.
    expect(lineTax(1_000n, 1100, true)).toBe(99n);
    expect(lineTax(1_005n, 1100, false)).toBe(111n);
    expect(lineTax(5n, 1000, false)).toBe(1n);
  });

  it('never exceeds the amount when inclusive, nor the rate when exclusive', () => {
    fc.assert(
      fc.property(fc.bigInt(0n, 10n ** 15n), fc.integer({ min: 0, max: 10_000 }), (amount, bps) => {
        const inclusive = lineTax(amount, bps, true);
        expect(inclusive >= 0n && inclusive <= amount).toBe(true);
        const exclusive = lineTax(amount, bps, false);
        expect(exclusive * 10_000n - amount * BigInt(bps) <= 5_000n).toBe(true);
      }),
    );
  });

  it('refuses a rate outside 0..10000 bps and a negative amount', () => {
    expect(() => lineTax(1n, 10_001, true)).toThrow(RangeError);
    expect(() => lineTax(-1n, 10, true)).toThrow(RangeError);
  });
});
