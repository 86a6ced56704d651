import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateProportionally,
  CURRENCY_DECIMALS,
  currencyDecimals,
  formatAmount,
  isSupportedCurrency,
  MAX_AMOUNT_MINOR,
  parseAmount,
  percentOfMinor,
  sumMinor,
  gatewayAmount,
} from './money.js';

const currencies = Object.keys(CURRENCY_DECIMALS);

describe('currencies', () => {
  it.each([
    ['IDR', 0],
    ['KES', 2],
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['JPY', 0],
    ['SGD', 2],
    ['MYR', 2],
  ])('knows that %s has %i minor digits', (code, decimals) => {
    expect(isSupportedCurrency(code)).toBe(true);
    expect(currencyDecimals(code)).toBe(decimals);
  });

  it.each(['XXX', 'usd', '', 'toString', '__proto__', 'constructor'])('does not support %j', (code) => {
    expect(isSupportedCurrency(code)).toBe(false);
    expect(() => currencyDecimals(code)).toThrow(RangeError);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(CURRENCY_DECIMALS)).toBe(true);
  });
});

describe('parseAmount', () => {
  it.each([
    ['1000000', 'IDR', 1_000_000n],
    ['12.5', 'USD', 1250n],
    ['12.50', 'USD', 1250n],
    ['0.99', 'USD', 99n],
    ['0.05', 'EUR', 5n],
    ['7', 'GBP', 700n],
    ['500', 'JPY', 500n],
  ])('reads %s %s as %s minor units', (text, currency, minor) => {
    expect(parseAmount(text, currency)).toEqual({ ok: true, minor });
  });

  it('accepts leading zeros', () => {
    expect(parseAmount('007', 'IDR')).toEqual({ ok: true, minor: 7n });
    expect(parseAmount('007.10', 'USD')).toEqual({ ok: true, minor: 710n });
  });

  it.each([
    '',
    ' ',
    '1e5',
    '+1',
    '1,000',
    '1.',
    '.5',
    '0x10',
    'Infinity',
    'NaN',
    ' 1',
    '1 ',
    '1\n',
    '1.2.3',
    '١٢٣', // Arabic-Indic digits: only ASCII digits are numbers here
    '１２', // full-width digits
    '1_000',
    '--1',
  ])('refuses %j as not a number', (text) => {
    expect(parseAmount(text, 'USD')).toEqual({ ok: false, error: 'not_a_number' });
  });

  it.each(['-1', '-0.50', '-0'])('refuses the negative amount %j as not positive', (text) => {
    expect(parseAmount(text, 'USD')).toEqual({ ok: false, error: 'not_positive' });
    expect(parseAmount(text, 'USD', { allowZero: true })).toEqual({ ok: false, error: 'not_positive' });
  });

  it.each([
    ['1.5', 'IDR'],
    ['1.0', 'JPY'],
    ['1.005', 'USD'],
    ['1.500', 'USD'],
    ['0.000', 'EUR'],
  ])('refuses more decimals than the currency allows: %s %s', (text, currency) => {
    expect(parseAmount(text, currency)).toEqual({ ok: false, error: 'too_many_decimals' });
  });

  it.each(['0', '0.00', '000', '0.0'])('refuses zero (%j) unless asked to allow it', (text) => {
    expect(parseAmount(text, 'USD')).toEqual({ ok: false, error: 'not_positive' });
    expect(parseAmount(text, 'USD', { allowZero: true })).toEqual({ ok: true, minor: 0n });
  });

  it('accepts exactly the largest amount and refuses one minor unit more', () => {
    expect(parseAmount(MAX_AMOUNT_MINOR.toString(), 'IDR')).toEqual({ ok: true, minor: MAX_AMOUNT_MINOR });
    expect(parseAmount((MAX_AMOUNT_MINOR + 1n).toString(), 'IDR')).toEqual({ ok: false, error: 'too_large' });
    expect(parseAmount('10000000000000.00', 'USD')).toEqual({ ok: true, minor: MAX_AMOUNT_MINOR });
    expect(parseAmount('10000000000000.01', 'USD')).toEqual({ ok: false, error: 'too_large' });
  });

  it('refuses an enormous number as too large without reading it all into a bigint', () => {
    expect(parseAmount('9'.repeat(10_000), 'USD')).toEqual({ ok: false, error: 'too_large' });
  });

  it('judges the size of a number padded with leading zeros by its value', () => {
    expect(parseAmount('0'.repeat(100) + '5', 'IDR')).toEqual({ ok: true, minor: 5n });
  });

  it.each(['XXX', 'usd', 'toString'])('refuses the unsupported currency %j', (currency) => {
    expect(parseAmount('1', currency)).toEqual({ ok: false, error: 'unsupported_currency' });
  });
});

describe('formatAmount', () => {
  it.each([
    [1_000_000n, 'IDR', '1000000'],
    [1250n, 'USD', '12.50'],
    [5n, 'USD', '0.05'],
    [0n, 'USD', '0.00'],
    [0n, 'JPY', '0'],
    [100n, 'EUR', '1.00'],
    [-5n, 'USD', '-0.05'],
    [-1250n, 'GBP', '-12.50'],
    [-300n, 'IDR', '-300'],
  ])('writes %s minor units of %s as %j', (minor, currency, text) => {
    expect(formatAmount(minor, currency)).toBe(text);
  });

  it('refuses an unsupported currency', () => {
    expect(() => formatAmount(1n, 'XXX')).toThrow(RangeError);
  });

  it('writes every positive amount so that it parses back to itself', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...currencies),
        fc.bigInt({ min: 1n, max: MAX_AMOUNT_MINOR }),
        (currency, minor) => {
          expect(parseAmount(formatAmount(minor, currency), currency)).toEqual({ ok: true, minor });
        },
      ),
    );
  });
});

describe('gatewayAmount', () => {
  it('gives the same whole number for every amount up to the largest safe integer', () => {
    expect(gatewayAmount(1n)).toBe(1);
    expect(gatewayAmount(MAX_AMOUNT_MINOR)).toBe(1e15);
    expect(gatewayAmount(BigInt(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: BigInt(Number.MAX_SAFE_INTEGER) }), (minor) => {
        const amount = gatewayAmount(minor);
        expect(Number.isSafeInteger(amount)).toBe(true);
        expect(BigInt(amount)).toBe(minor);
      }),
    );
  });

  it.each([
    ['zero', 0n],
    ['a negative amount', -1n],
    ['one above the largest safe integer', BigInt(Number.MAX_SAFE_INTEGER) + 1n],
    ['an amount beyond a bigint column', 2n ** 63n],
  ])('refuses %s', (_label, minor) => {
    expect(() => gatewayAmount(minor)).toThrow(RangeError);
  });

  it('refuses a value that is not a bigint, so a float or a string never reaches a gateway', () => {
    for (const value of [1.5, 100, Number.NaN, '100', undefined]) {
      expect(() => gatewayAmount(value as unknown as bigint)).toThrow(RangeError);
    }
  });
});

describe('sumMinor', () => {
  it('adds amounts exactly, beyond what a double can hold', () => {
    expect(sumMinor([2n ** 60n, 1n, -3n])).toBe(2n ** 60n - 2n);
  });

  it('sums nothing to zero', () => {
    expect(sumMinor([])).toBe(0n);
  });
});

describe('percentOfMinor', () => {
  it.each([
    [1001n, 250, 25n], // 25.025
    [1002n, 250, 25n], // 25.05
    [1020n, 250, 26n], // 25.5: a half rounds up
    [1019n, 250, 25n], // 25.475
    [1000n, 0, 0n],
    [1000n, 10_000, 1000n],
    [1n, 5000, 1n], // 0.5
    [1n, 4999, 0n],
    [0n, 250, 0n],
  ])('takes from %s at %s bps exactly %s, rounding halves up', (amount, bps, fee) => {
    expect(percentOfMinor(amount, bps)).toBe(fee);
    expect(percentOfMinor(amount, BigInt(bps))).toBe(fee);
  });

  it('mirrors a negative amount so a refund returns the fee the charge took', () => {
    expect(percentOfMinor(-1020n, 250)).toBe(-26n);
    expect(percentOfMinor(-1001n, 250)).toBe(-25n);
  });

  it.each([-1, 10_001, 2.5, Number.NaN, Number.POSITIVE_INFINITY, -1n, 10_001n])(
    'refuses %s basis points',
    (bps) => {
      expect(() => percentOfMinor(1000n, bps)).toThrow(RangeError);
    },
  );

  it('is monotonic in the amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -MAX_AMOUNT_MINOR, max: MAX_AMOUNT_MINOR }),
        fc.bigInt({ min: 0n, max: 1000n }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, step, bps) => {
          expect(percentOfMinor(amount + step, bps)).toBeGreaterThanOrEqual(percentOfMinor(amount, bps));
        },
      ),
    );
  });

  it('never takes more than the amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_AMOUNT_MINOR }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, bps) => {
          const fee = percentOfMinor(amount, bps);
          expect(fee).toBeGreaterThanOrEqual(0n);
          expect(fee).toBeLessThanOrEqual(amount);
        },
      ),
    );
  });

  it('is within half a minor unit of the exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_AMOUNT_MINOR }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, bps) => {
          // |fee − amount·bps/10000| ≤ 1/2, scaled by 20000 to stay in integers.
          const error = percentOfMinor(amount, bps) * 20_000n - amount * BigInt(bps) * 2n;
          expect(error).toBeGreaterThan(-10_000n);
          expect(error).toBeLessThanOrEqual(10_000n);
        },
      ),
    );
  });
});

describe('allocateProportionally', () => {
  it('splits by weight when the shares are whole', () => {
    expect(allocateProportionally(1000n, [1n, 3n])).toEqual([250n, 750n]);
  });

  it('gives the leftover unit to the largest remainder', () => {
    // Exact shares 3.33… and 6.67…: the second has the larger remainder, so it gets the unit.
    expect(allocateProportionally(10n, [1n, 2n])).toEqual([3n, 7n]);
  });

  it('breaks ties between equal remainders in favour of the earlier index', () => {
    expect(allocateProportionally(10n, [1n, 1n, 1n])).toEqual([4n, 3n, 3n]);
    expect(allocateProportionally(1n, [1n, 1n])).toEqual([1n, 0n]);
    expect(allocateProportionally(2n, [1n, 1n, 1n])).toEqual([1n, 1n, 0n]);
  });

  it('gives nothing to a zero weight', () => {
    expect(allocateProportionally(7n, [0n, 1n, 0n, 1n])).toEqual([0n, 4n, 0n, 3n]);
  });

  it('splits a refund across fee and seller in the same proportion as the charge', () => {
    const fee = percentOfMinor(10_000n, 250);
    expect(allocateProportionally(4_001n, [fee, 10_000n - fee])).toEqual([100n, 3_901n]);
  });

  it('splits a negative total as the mirror of the positive one', () => {
    expect(allocateProportionally(-10n, [1n, 1n, 1n])).toEqual([-4n, -3n, -3n]);
  });

  it('splits zero into zeros', () => {
    expect(allocateProportionally(0n, [1n, 2n])).toEqual([0n, 0n]);
  });

  it.each([
    ['no weights', []],
    ['a negative weight', [1n, -1n]],
    ['weights that are all zero', [0n, 0n]],
  ])('refuses %s', (_, weights) => {
    expect(() => allocateProportionally(10n, weights)).toThrow(RangeError);
  });

  const allocation = fc.record({
    total: fc.bigInt({ min: -MAX_AMOUNT_MINOR, max: MAX_AMOUNT_MINOR }),
    weights: fc
      .array(fc.bigInt({ min: 0n, max: MAX_AMOUNT_MINOR }), { minLength: 1, maxLength: 20 })
      .filter((weights) => weights.some((weight) => weight > 0n)),
  });

  it('always sums to exactly the total', () => {
    fc.assert(
      fc.property(allocation, ({ total, weights }) => {
        expect(sumMinor(allocateProportionally(total, weights))).toBe(total);
      }),
    );
  });

  it('never gives a part outside the floor and ceiling of its exact share', () => {
    fc.assert(
      fc.property(allocation, ({ total, weights }) => {
        const weightSum = sumMinor(weights);
        allocateProportionally(total, weights).forEach((part, index) => {
          const numerator = total * (weights[index] as bigint);
          // Compare part·Σw with the exact share's numerator: floor ≤ part ≤ ceil
          // is the same as numerator − Σw < part·Σw < numerator + Σw.
          expect(part * weightSum).toBeGreaterThan(numerator - weightSum);
          expect(part * weightSum).toBeLessThan(numerator + weightSum);
        });
      }),
    );
  });
});
