import { type Kysely, sql } from 'kysely';
import type { PaymentLinks, RefundLinks, RefundSums } from './payments.reconcile.rules.js';
import type { PaymentRow } from './payments.tables.js';

export type PaymentPageRow = PaymentLinks & { updated_at: Date };

/**
 * Reconciliation's SQL over the payments module's own tables, and nothing else: read-only,
 * in keyset pages so that memory and statement time stay flat however many payments exist.
 */
export class ReconcileQueries {
  constructor(private readonly db: Kysely<object>) {}

  /** The next `limit` payments after `after` (or from the start), in id order. */
  async paymentsPage(after: string | undefined, limit: number): Promise<PaymentPageRow[]> {
    const { rows } = await sql<PaymentPageRow>`
      SELECT id, status, method, ledger_transaction_id, refunded_minor, refund_pending_minor, updated_at
      FROM payments
      WHERE ${after === undefined ? sql`true` : sql`id > ${after}::uuid`}
      ORDER BY id
      LIMIT ${limit}`.execute(this.db);
    return rows;
  }

  /**
   * Every refund of the payments in (after, last]: the same range as one page of payments,
   * read as one range scan of the refunds' payment index instead of a list of ids.
   */
  async refundsOfPaymentRange(after: string | undefined, last: string): Promise<RefundLinks[]> {
    const { rows } = await sql<RefundLinks>`
      SELECT id, payment_id, status, amount_minor, ledger_transaction_id
      FROM refunds
      WHERE payment_id <= ${last}::uuid ${after === undefined ? sql`` : sql`AND payment_id > ${after}::uuid`}
      ORDER BY payment_id, id`.execute(this.db);
    return rows;
  }

  /** Whole payment rows, which the gateways are asked about. */
  async payments(ids: readonly string[]): Promise<PaymentRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await sql<PaymentRow>`
      SELECT * FROM payments WHERE id = ANY(${ids}::uuid[])`.execute(this.db);
    return rows;
  }

  /** What each payment's refunds add up to now, by state (outside any snapshot: the latest). */
  async refundSums(paymentIds: readonly string[]): Promise<Map<string, RefundSums>> {
    if (paymentIds.length === 0) return new Map();
    const { rows } = await sql<{ payment_id: string; succeeded: bigint; pending: bigint }>`
      SELECT payment_id,
        coalesce(sum(amount_minor) FILTER (WHERE status = 'succeeded'), 0)::bigint AS succeeded,
        coalesce(sum(amount_minor) FILTER (WHERE status = 'pending'), 0)::bigint AS pending
      FROM refunds WHERE payment_id = ANY(${paymentIds}::uuid[])
      GROUP BY payment_id`.execute(this.db);
    return new Map(
      rows.map((row) => [row.payment_id, { succeededMinor: row.succeeded, pendingMinor: row.pending }]),
    );
  }
}
