import { describe, expect, it } from 'vitest';
import { checkShippingRule, type ShippingRateRule, shippingFee } from './shipping.rules.js';

const option = (over: Partial<ShippingRateRule>): ShippingRateRule => ({
  kind: 'flat',
  currency: 'IDR',
  amountMinor: 10_000n,
  freeAboveMinor: null,
  regions: [],
  ...over,
});

describe('shippingFee', () => {
  it('charges a flat rate anywhere', () => {
    expect(shippingFee(option({}), { country: 'KE' }, 1n)).toBe(10_000n);
  });

  it('makes shipping free from the threshold, the threshold itself included', () => {
    const freeAbove = option({ kind: 'free_above', freeAboveMinor: 100_000n });
    expect(shippingFee(freeAbove, { country: 'ID' }, 99_999n)).toBe(10_000n);
    expect(shippingFee(freeAbove, { country: 'ID' }, 100_000n)).toBe(0n);
  });

  it('takes the most specific region, then the country, then the fallback amount', () => {
    const perRegion = option({
      kind: 'per_region',
      amountMinor: null,
      regions: [
        { country: 'ID', region: null, amountMinor: 20_000n },
        { country: 'ID', region: 'Jawa Barat', amountMinor: 9_000n },
      ],
    });
    expect(shippingFee(perRegion, { country: 'ID', region: ' jawa barat ' }, 0n)).toBe(9_000n);
    expect(shippingFee(perRegion, { country: 'ID', region: 'Bali' }, 0n)).toBe(20_000n);
    expect(shippingFee(perRegion, { country: 'ID' }, 0n)).toBe(20_000n);
    expect(shippingFee(perRegion, { country: 'MY' }, 0n)).toBeUndefined();
    expect(shippingFee({ ...perRegion, amountMinor: 50_000n }, { country: 'MY' }, 0n)).toBe(50_000n);
  });
});

describe('checkShippingRule', () => {
  it('accepts a well-formed option of each kind', () => {
    expect(checkShippingRule(option({}))).toEqual([]);
    expect(checkShippingRule(option({ kind: 'free_above', freeAboveMinor: 1n }))).toEqual([]);
    expect(
      checkShippingRule(
        option({
          kind: 'per_region',
          amountMinor: null,
          regions: [{ country: 'ID', region: null, amountMinor: 1n }],
        }),
      ),
    ).toEqual([]);
  });

  it('names each field that does not fit the kind', () => {
    const fields = (over: Partial<ShippingRateRule>) =>
      checkShippingRule(option(over)).map((p) => `${p.field}:${p.code}`);
    expect(fields({ amountMinor: null })).toEqual(['amount:required']);
    expect(fields({ kind: 'free_above' })).toEqual(['free_above:required']);
    expect(fields({ freeAboveMinor: 5n })).toEqual(['free_above:not_allowed']);
    expect(fields({ regions: [{ country: 'ID', region: null, amountMinor: 1n }] })).toEqual([
      'regions:not_allowed',
    ]);
    expect(fields({ kind: 'per_region', amountMinor: null })).toEqual(['regions:required']);
    expect(
      fields({
        kind: 'per_region',
        regions: [
          { country: 'ID', region: 'Bali', amountMinor: 1n },
          { country: 'ID', region: 'bali ', amountMinor: 2n },
        ],
      }),
    ).toEqual(['regions.1:duplicate']);
  });
});
