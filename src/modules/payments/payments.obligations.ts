import type { Kysely, Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import type { PaymentsTables } from './payments.tables.js';

/** What must happen before a person's account may be erased: one kind of open business. */
export interface Obligation {
  /** `payment_pending`, `order_not_delivered`, `order_to_fulfil`, `refund_pending`. */
  code: string;
  /** The objects concerned (payment, order or refund ids), at most LISTED of them. */
  ids: string[];
  message: string;
}

const LISTED = 20;
/** Paid payments whose goods are still owed; a payment refunded in full cancels them. */
const PAID = ['succeeded', 'partially_refunded'] as const;
const UNDELIVERED = ['unfulfilled', 'shipped'] as const;

/**
 * The open business a person has as a buyer and as a seller: the payments module's own
 * reading of "open" for the privacy module's erasure preconditions. Read in the caller's
 * transaction when given, so the check and the erasure see one state.
 */
export class PaymentObligations {
  constructor(private readonly db: Kysely<object>) {}

  async of(userId: string, trx?: Transaction<object>): Promise<Obligation[]> {
    const db = tablesOf<PaymentsTables>(trx ?? this.db);
    const pending = await db
      .selectFrom('payments')
      .select('id')
      .where('buyer_id', '=', userId)
      .where('status', '=', 'pending')
      .limit(LISTED)
      .execute();
    const undeliveredItems = (side: 'buyer' | 'seller') => {
      let query = db
        .selectFrom('order_items')
        .innerJoin('payments', 'payments.order_id', 'order_items.order_id')
        .select('order_items.order_id')
        .distinct()
        .where('payments.status', 'in', [...PAID])
        .where('order_items.fulfilment_status', 'in', [...UNDELIVERED]);
      query =
        side === 'buyer'
          ? query.where('payments.buyer_id', '=', userId)
          : query.where('order_items.seller_id', '=', userId);
      return query.limit(LISTED).execute();
    };
    const asBuyer = await undeliveredItems('buyer');
    const asSeller = await undeliveredItems('seller');
    const refunds = await db
      .selectFrom('refunds')
      .innerJoin('payments', 'payments.id', 'refunds.payment_id')
      .select('refunds.id')
      .where('refunds.status', '=', 'pending')
      .where((eb) =>
        eb.or([
          eb('payments.buyer_id', '=', userId),
          eb.exists(
            eb
              .selectFrom('order_items')
              .select('order_items.id')
              .whereRef('order_items.order_id', '=', 'payments.order_id')
              .where('order_items.seller_id', '=', userId),
          ),
        ]),
      )
      .limit(LISTED)
      .execute();
    const found: Obligation[] = [];
    if (pending.length > 0) {
      found.push({
        code: 'payment_pending',
        ids: pending.map((row) => row.id),
        message: 'pay, cancel or let expire your pending payments',
      });
    }
    if (asBuyer.length > 0) {
      found.push({
        code: 'order_not_delivered',
        ids: asBuyer.map((row) => row.order_id),
        message: 'orders you paid for are not delivered yet (or refunded in full)',
      });
    }
    if (asSeller.length > 0) {
      found.push({
        code: 'order_to_fulfil',
        ids: asSeller.map((row) => row.order_id),
        message: 'orders of your products are paid but not delivered yet (or refunded in full)',
      });
    }
    if (refunds.length > 0) {
      found.push({
        code: 'refund_pending',
        ids: refunds.map((row) => row.id),
        message: 'refunds are still pending with the payment provider',
      });
    }
    return found;
  }
}
