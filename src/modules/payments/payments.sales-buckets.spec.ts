import { describe, expect, it } from 'vitest';
import {
  bucketsOf,
  bucketStart,
  fillSeries,
  MAX_RANGE_DAYS,
  resolveRange,
  type SalesRow,
} from './payments.sales-buckets.js';

const now = new Date('2026-03-15T13:45:00Z');
const refusal = (query: { from?: string; to?: string }) => {
  try {
    resolveRange(query, now);
    return undefined;
  } catch (error) {
    const field = (error as { details: { fields: { field: string; code: string }[] } }).details.fields[0]!;
    return `${field.field}:${field.code}`;
  }
};
const iso = (range: { from: Date; to: Date }) => [range.from.toISOString(), range.to.toISOString()];

describe('the range of a sales query', () => {
  it('defaults to the 30 UTC days ending with today', () => {
    expect(iso(resolveRange({}, now))).toEqual(['2026-02-14T00:00:00.000Z', '2026-03-16T00:00:00.000Z']);
    expect(bucketsOf(resolveRange({}, now), 'day')).toHaveLength(30);
  });

  it('includes the whole day of a date-only to, and takes date-times as they are', () => {
    expect(iso(resolveRange({ from: '2026-01-01', to: '2026-01-31' }, now))).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
    expect(iso(resolveRange({ from: '2026-01-01T07:00:00+07:00', to: '2026-01-02T00:00:00Z' }, now))).toEqual(
      ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z'],
    );
  });

  it('counts the default start back from a given end', () => {
    expect(iso(resolveRange({ to: '2026-01-31' }, now))[0]).toBe('2026-01-02T00:00:00.000Z');
  });

  it('refuses dates that do not exist, date-times without an offset, and anything else', () => {
    expect(refusal({ from: '2026-02-30' })).toBe('from:invalid_date');
    expect(refusal({ from: '2026-01-01T00:00:00' })).toBe('from:invalid_date');
    expect(refusal({ to: 'yesterday' })).toBe('to:invalid_date');
    expect(refusal({ from: '2026-13-01' })).toBe('from:invalid_date');
  });

  it('refuses a range that ends before it starts, or spans more than a leap year', () => {
    expect(refusal({ from: '2026-02-01', to: '2026-01-01' })).toBe('from:invalid_range');
    expect(refusal({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toBe('from:invalid_range');
    expect(refusal({ from: '2024-01-01', to: '2024-12-31' })).toBeUndefined();
    expect(refusal({ from: '2024-01-01', to: '2025-01-01' })).toBe('to:range_too_long');
    expect(bucketsOf(resolveRange({ from: '2024-01-01', to: '2024-12-31' }, now), 'day')).toHaveLength(
      MAX_RANGE_DAYS,
    );
  });
});

describe('buckets', () => {
  it('start at UTC midnight, on Mondays, and on the first of the month', () => {
    const at = new Date('2026-03-15T23:59:59.999Z'); // a Sunday
    expect(bucketStart(at, 'day').toISOString()).toBe('2026-03-15T00:00:00.000Z');
    expect(bucketStart(at, 'week').toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(bucketStart(new Date('2026-03-16T00:00:00Z'), 'week').toISOString()).toBe(
      '2026-03-16T00:00:00.000Z',
    );
    expect(bucketStart(at, 'month').toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('cover every part of the range, including partial buckets at either end', () => {
    const range = resolveRange({ from: '2026-01-28', to: '2026-03-02' }, now);
    expect(bucketsOf(range, 'month')).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
    expect(bucketsOf(range, 'week')).toEqual([
      '2026-01-26',
      '2026-02-02',
      '2026-02-09',
      '2026-02-16',
      '2026-02-23',
      '2026-03-02',
    ]);
    expect(bucketsOf(resolveRange({ from: '2025-12-31', to: '2026-01-01' }, now), 'day')).toEqual([
      '2025-12-31',
      '2026-01-01',
    ]);
  });
});

describe('series', () => {
  const row = (bucket: string, currency: string, grossMinor: bigint): SalesRow => ({
    bucket,
    currency,
    orders: 1,
    units: 2,
    grossMinor,
    feesMinor: grossMinor / 10n,
    netMinor: grossMinor - grossMinor / 10n,
    refundedMinor: 0n,
  });

  it('fill every bucket of every currency sold in, zeros where nothing sold, with totals', () => {
    const series = fillSeries(
      ['2026-01-01', '2026-01-02', '2026-01-03'],
      [row('2026-01-03', 'USD', 500n), row('2026-01-01', 'IDR', 1000n), row('2026-01-03', 'IDR', 3000n)],
      'IDR',
    );
    expect(series.map((s) => s.currency)).toEqual(['IDR', 'USD']);
    expect(series[0]!.buckets.map((b) => [b.start, b.grossMinor])).toEqual([
      ['2026-01-01', 1000n],
      ['2026-01-02', 0n],
      ['2026-01-03', 3000n],
    ]);
    expect(series[0]!.totals).toEqual({
      orders: 2,
      units: 4,
      grossMinor: 4000n,
      feesMinor: 400n,
      netMinor: 3600n,
      refundedMinor: 0n,
    });
    expect(series[1]!.buckets.map((b) => b.orders)).toEqual([0, 0, 1]);
  });

  it('give a zero series in the fallback currency when nothing sold', () => {
    const [only, ...rest] = fillSeries(['2026-01-01'], [], 'IDR');
    expect(rest).toEqual([]);
    expect(only).toEqual({
      currency: 'IDR',
      totals: { orders: 0, units: 0, grossMinor: 0n, feesMinor: 0n, netMinor: 0n, refundedMinor: 0n },
      buckets: [
        {
          start: '2026-01-01',
          orders: 0,
          units: 0,
          grossMinor: 0n,
          feesMinor: 0n,
          netMinor: 0n,
          refundedMinor: 0n,
        },
      ],
    });
  });
});
