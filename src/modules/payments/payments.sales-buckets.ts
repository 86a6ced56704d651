import { invalidField } from '../../platform/errors.js';

/**
 * A seller's sales report as plain functions: the date range a query asks for, the buckets
 * that cover it (UTC days, ISO weeks from Monday, months) and the zero-filled series a chart
 * draws without gaps. The database sums per bucket; everything else is here, without I/O.
 */

export type SalesInterval = 'day' | 'week' | 'month';

export const DEFAULT_RANGE_DAYS = 30;
/** A leap year of days: wider ranges would be a report, not a chart. */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 86_400_000;
const DATE_ONLY = /^(\d{4})-(\d\d)-(\d\d)$/;
// RFC 3339 date-time: an offset or Z is required, so no input means "local time" by accident.
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/i;

export interface SalesRange {
  from: Date;
  /** Exclusive. */
  to: Date;
}

const startOfUtcDay = (at: Date) =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));

/** A moment, or for a date only the start of that UTC day (`end`: of the next, so the day is included). */
function parseBound(field: 'from' | 'to', text: string, end: boolean): Date {
  const date = DATE_ONLY.exec(text);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const at = new Date(Date.UTC(year, month - 1, day + (end ? 1 : 0)));
    const real = new Date(Date.UTC(year, month - 1, day));
    if (real.getUTCFullYear() === year && real.getUTCMonth() === month - 1 && real.getUTCDate() === day) {
      return at;
    }
  } else if (DATE_TIME.test(text)) {
    const at = new Date(text);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw invalidField(
    field,
    'invalid_date',
    `${field} must be a date (YYYY-MM-DD) or an RFC 3339 date-time with an offset`,
  );
}

/**
 * The range a query asks for: `from` inclusive, `to` exclusive, except that a date-only
 * `to` includes its whole day. Without `to`, up to the end of today (UTC); without `from`,
 * the DEFAULT_RANGE_DAYS days before `to`.
 * @throws `validation_failed` (400): `invalid_date`, `invalid_range` (from not before to),
 * `range_too_long` (above MAX_RANGE_DAYS days)
 */
export function resolveRange(query: { from?: string; to?: string }, now: Date): SalesRange {
  const to =
    query.to === undefined
      ? new Date(startOfUtcDay(now).getTime() + DAY_MS)
      : parseBound('to', query.to, true);
  const from =
    query.from === undefined
      ? new Date(startOfUtcDay(new Date(to.getTime() - 1)).getTime() - (DEFAULT_RANGE_DAYS - 1) * DAY_MS)
      : parseBound('from', query.from, false);
  if (from.getTime() >= to.getTime()) {
    throw invalidField('from', 'invalid_range', 'from must be before to');
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw invalidField('to', 'range_too_long', `a range may span at most ${MAX_RANGE_DAYS} days`);
  }
  return { from, to };
}

/** The start of the bucket holding `at`, as the database's date_trunc in UTC computes it. */
export function bucketStart(at: Date, interval: SalesInterval): Date {
  const day = startOfUtcDay(at);
  if (interval === 'day') return day;
  if (interval === 'month') return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY_MS);
}

function nextBucket(start: Date, interval: SalesInterval): Date {
  if (interval === 'day') return new Date(start.getTime() + DAY_MS);
  if (interval === 'week') return new Date(start.getTime() + 7 * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** A bucket's key: its first day, YYYY-MM-DD (the database groups by the same text). */
export const bucketKey = (start: Date): string => start.toISOString().slice(0, 10);

/** Every bucket that overlaps the range, in order: at most MAX_RANGE_DAYS + 1. */
export function bucketsOf(range: SalesRange, interval: SalesInterval): string[] {
  const keys: string[] = [];
  for (let start = bucketStart(range.from, interval); start < range.to; start = nextBucket(start, interval)) {
    keys.push(bucketKey(start));
  }
  return keys;
}

export interface SalesFigures {
  orders: number;
  units: number;
  grossMinor: bigint;
  feesMinor: bigint;
  /** What the seller gets: gross less fees and the tax owed, plus platform-funded discounts. */
  netMinor: bigint;
  refundedMinor: bigint;
}

export interface SalesRow extends SalesFigures {
  bucket: string;
  currency: string;
}

export interface SalesSeries {
  currency: string;
  totals: SalesFigures;
  buckets: (SalesFigures & { start: string })[];
}

const ZERO: SalesFigures = {
  orders: 0,
  units: 0,
  grossMinor: 0n,
  feesMinor: 0n,
  netMinor: 0n,
  refundedMinor: 0n,
};

const add = (a: SalesFigures, b: SalesFigures): SalesFigures => ({
  orders: a.orders + b.orders,
  units: a.units + b.units,
  grossMinor: a.grossMinor + b.grossMinor,
  feesMinor: a.feesMinor + b.feesMinor,
  netMinor: a.netMinor + b.netMinor,
  refundedMinor: a.refundedMinor + b.refundedMinor,
});

/**
 * One series per currency sold in, every bucket present (zeros where nothing sold), in
 * currency order. With no sales at all, one zero series in `fallbackCurrency`, so a chart
 * still has its axis. Rows outside `buckets` (none, if the query used the same range) are ignored.
 */
export function fillSeries(buckets: readonly string[], rows: readonly SalesRow[], fallbackCurrency: string) {
  const currencies = [...new Set(rows.map((row) => row.currency))].sort();
  if (currencies.length === 0) currencies.push(fallbackCurrency);
  return currencies.map((currency): SalesSeries => {
    const byBucket = new Map<string, SalesFigures>();
    for (const row of rows) {
      if (row.currency === currency) byBucket.set(row.bucket, add(byBucket.get(row.bucket) ?? ZERO, row));
    }
    const filled = buckets.map((start) => ({ start, ...(byBucket.get(start) ?? ZERO) }));
    return { currency, totals: filled.reduce<SalesFigures>(add, ZERO), buckets: filled };
  });
}
