import { type Kysely, sql } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { SalesInterval } from './payments.sales-buckets.js';
import type { PaymentStatus } from './payments.state.js';
import type { PaymentRow, PaymentsTables } from './payments.tables.js';

/** Payments that took money: what a sales report counts. */
const SOLD: readonly PaymentStatus[] = ['succeeded', 'partially_refunded', 'refunded'];

export interface SalesBucketRow {
  bucket: string;
  currency: string;
  orders: number;
  units: bigint;
  gross: bigint;
  fees: bigint;
  net: bigint;
  refunded: bigint;
}

/** Read-only reporting SQL over orders, their items and payments (sales, admin search). */
export class PaymentsReportsRepository {
  private readonly db: Kysely<PaymentsTables>;

  constructor(db: Kysely<object>) {
    this.db = tablesOf<PaymentsTables>(db);
  }

  /**
   * A seller's sales per bucket (the bucket's first day, UTC) and currency. Per payment
   * the seller's lines are summed first, so an order counts once however many of the
   * seller's lines it has. `gross` is what the buyer paid for the seller's part: their
   * lines, or for a priced order (a cart's) their shipment's total (goods, shipping and
   * added tax, less discounts). `refunded` is the seller's share of each payment's settled
   * refunds, in proportion to that part: refunds are split that way in the ledger too, so
   * it is exact for one seller and within a unit per payment for several.
   */
  async salesBySeller(
    sellerId: string,
    range: { from: Date; to: Date },
    interval: SalesInterval,
  ): Promise<SalesBucketRow[]> {
    const { rows } = await sql<SalesBucketRow>`
      SELECT bucket, currency, count(*)::int AS orders, sum(units)::bigint AS units,
        sum(gross)::bigint AS gross, sum(fees)::bigint AS fees, sum(net)::bigint AS net,
        sum(refunded)::bigint AS refunded
      FROM (
        SELECT to_char(date_trunc(${interval}::text, p.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS bucket,
          p.currency, sum(i.quantity) AS units,
          coalesce(max(s.total_minor), sum(i.subtotal_minor)) AS gross, sum(i.fee_minor) AS fees,
          coalesce(max(s.seller_share_minor), sum(i.subtotal_minor) - sum(i.fee_minor)) AS net,
          trunc(p.refunded_minor::numeric * coalesce(max(s.total_minor), sum(i.subtotal_minor)) / p.amount_minor)
            AS refunded
        FROM order_items i JOIN payments p ON p.order_id = i.order_id
        LEFT JOIN order_shipments s ON s.order_id = i.order_id AND s.seller_id = i.seller_id
        WHERE i.seller_id = ${sellerId}::uuid
          AND p.status = ANY(${[...SOLD]}::text[])
          AND p.created_at >= ${range.from}::timestamptz AND p.created_at < ${range.to}::timestamptz
        GROUP BY p.id
      ) per_payment
      GROUP BY bucket, currency
      ORDER BY bucket, currency`.execute(this.db);
    return rows;
  }

  /**
   * One page (`limit + 1` rows) of every payment, newest first (keyset on created_at, id).
   * `codePrefix` is a LIKE-escaped prefix of the payment code (a whole code matches itself).
   */
  searchPayments(
    filter: { codePrefix?: string; status?: PaymentStatus },
    limit: number,
    after?: { createdAt: string; id: string },
  ): Promise<(PaymentRow & { cursor_key: string })[]> {
    let query = this.db
      .selectFrom('payments')
      .selectAll()
      .select(sql<string>`created_at::text`.as('cursor_key'));
    if (filter.codePrefix !== undefined) query = query.where('payment_code', 'like', `${filter.codePrefix}%`);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (after) {
      query = query.where(
        sql<boolean>`(created_at, id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
      );
    }
    return query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
  }
}
