import { describe, expect, it } from 'vitest';
import {
  checkOptionNames,
  chooseVariant,
  normalizeOptions,
  productTotals,
  refuseProductLevelStock,
  type VariantRow,
} from './catalog.variants.rules.js';

const variant = (id: string, overrides: Partial<VariantRow> = {}): VariantRow => ({
  id,
  product_id: 'p1',
  sku: `SKU-${id}`,
  options: { size: id },
  price_minor: 1000n,
  stock: 1,
  position: 0,
  version: 1,
  created_at: new Date(0),
  updated_at: new Date(0),
  ...overrides,
});

describe('variant options', () => {
  it('are stored with lower-case trimmed names, trimmed values and sorted keys', () => {
    expect(JSON.stringify(normalizeOptions({ Size: ' M ', colour: 'Red' }))).toBe(
      '{"colour":"Red","size":"M"}',
    );
  });

  it('refuses none, more than three, blank or over-long text, and a name given twice', () => {
    for (const options of [
      {},
      { a: '1', b: '2', c: '3', d: '4' },
      { size: '  ' },
      { ' ': 'M' },
      { size: 'x'.repeat(51) },
      { Size: 'M', size: 'L' },
      { size: 42 },
    ]) {
      expect(() => normalizeOptions(options as Record<string, unknown>)).toThrow(
        expect.objectContaining({ code: 'validation_failed' }),
      );
    }
  });

  it('must name what the product’s other variants name', () => {
    const siblings = [variant('s', { options: { colour: 'red', size: 'S' } })];
    expect(() => checkOptionNames({ size: 'M', colour: 'red' }, siblings)).not.toThrow();
    expect(() => checkOptionNames({ size: 'M' }, siblings)).toThrow(
      expect.objectContaining({ code: 'variant_options_mismatch' }),
    );
    expect(() => checkOptionNames({ material: 'silk' }, [])).not.toThrow();
  });
});

describe('the product row’s copy of its variants', () => {
  it('is their total stock and lowest price; nothing without variants', () => {
    expect(
      productTotals([
        variant('a', { stock: 3, price_minor: 500n }),
        variant('b', { stock: 4, price_minor: 200n }),
      ]),
    ).toEqual({ stock: 7, priceMinor: 200n });
    expect(productTotals([])).toBeUndefined();
  });

  it('takes no product-level price or stock while variants exist', () => {
    expect(() => refuseProductLevelStock(2, ['stock'])).toThrow(
      expect.objectContaining({ code: 'product_has_variants' }),
    );
    expect(() => refuseProductLevelStock(2, [])).not.toThrow();
    expect(() => refuseProductLevelStock(0, ['price', 'stock'])).not.toThrow();
  });
});

describe('choosing the variant a line buys', () => {
  const two = [variant('a'), variant('b')];
  it('takes the one named, or a product’s only one', () => {
    expect(chooseVariant(two, 'b', 'Shirt')).toBe(two[1]);
    expect(chooseVariant([two[0]!], undefined, 'Shirt')).toBe(two[0]);
    expect(chooseVariant(two, 'zzz', 'Shirt')).toBe('missing');
  });

  it('asks for a choice among several', () => {
    expect(() => chooseVariant(two, undefined, 'Shirt')).toThrow(
      expect.objectContaining({ code: 'variant_required' }),
    );
  });
});
