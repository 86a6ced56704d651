import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { formatAmount } from '../../platform/money.js';
import { PaymentsReportsRepository } from './payments.reports.repository.js';
import {
  bucketsOf,
  fillSeries,
  resolveRange,
  type SalesFigures,
  type SalesInterval,
} from './payments.sales-buckets.js';

export interface SalesQuery {
  from?: string;
  to?: string;
  interval?: SalesInterval;
}

/** Sales figures as the API answers them: counts as numbers, money as decimal strings. */
export interface PublicSalesFigures {
  orders: number;
  units: number;
  gross: string;
  fees: string;
  net: string;
  refunded: string;
}

export interface SalesReport {
  from: string;
  to: string;
  interval: SalesInterval;
  series: {
    currency: string;
    totals: PublicSalesFigures;
    buckets: (PublicSalesFigures & { start: string })[];
  }[];
}

const figures = (values: SalesFigures, currency: string): PublicSalesFigures => ({
  orders: values.orders,
  units: values.units,
  gross: formatAmount(values.grossMinor, currency),
  fees: formatAmount(values.feesMinor, currency),
  net: formatAmount(values.netMinor, currency),
  refunded: formatAmount(values.refundedMinor, currency),
});

/** Sellers' sales over time, for their dashboard's chart. */
export class SellerSales {
  private readonly repo: PaymentsReportsRepository;

  constructor(
    db: Kysely<object>,
    /** The currency of the zero series shown when nothing sold in the range. */
    private readonly defaultCurrency: string,
  ) {
    this.repo = new PaymentsReportsRepository(db);
  }

  /**
   * The calling seller's sales per bucket and currency over a range (default the last 30
   * UTC days), every bucket present. Counts payments that took money (succeeded, partially
   * refunded, refunded), by the time they were made.
   * @throws `role_not_allowed` (403); `validation_failed` (400): `invalid_date`,
   * `invalid_range`, `range_too_long`
   */
  async report(actor: Actor | undefined, query: SalesQuery, now = new Date()): Promise<SalesReport> {
    const seller = authorize(actor, { roles: ['seller'] });
    const interval = query.interval ?? 'day';
    const range = resolveRange(query, now);
    const rows = await this.repo.salesBySeller(seller.userId, range, interval);
    const series = fillSeries(
      bucketsOf(range, interval),
      rows.map((row) => ({
        bucket: row.bucket,
        currency: row.currency,
        orders: row.orders,
        units: Number(row.units),
        grossMinor: row.gross,
        feesMinor: row.fees,
        netMinor: row.net,
        refundedMinor: row.refunded,
      })),
      this.defaultCurrency,
    );
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      interval,
      series: series.map(({ currency, totals, buckets }) => ({
        currency,
        totals: figures(totals, currency),
        buckets: buckets.map(({ start, ...values }) => ({ start, ...figures(values, currency) })),
      })),
    };
  }
}
