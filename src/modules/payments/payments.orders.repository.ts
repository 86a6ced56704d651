import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import { CANCELED_BY_FULL_REFUND, type FulfilmentStatus } from './payments.fulfilment-state.js';
import type { OrderItemRow, OrderItemsTable, PaymentRow, PaymentsTables } from './payments.tables.js';

type Executor = Kysely<PaymentsTables> | Transaction<PaymentsTables>;

export type FulfilmentChanges = Partial<
  Pick<OrderItemsTable, 'carrier' | 'tracking_number' | 'shipped_at' | 'delivered_at'>
> & { fulfilment_status: FulfilmentStatus };

/** SQL for reading orders and moving their items' fulfilment, and nothing else. */
export class OrdersRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): OrdersRepository {
    return new OrdersRepository(tablesOf<PaymentsTables>(db));
  }

  static in(trx: Transaction<object>): OrdersRepository {
    return new OrdersRepository(trx as unknown as Transaction<PaymentsTables>);
  }

  findOrder(id: string) {
    return this.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * The order's payment. `lock: 'share'` holds it against a refund settling meanwhile
   * (which locks it for update, payment before items, as this does) while letting the
   * shipments of the order's other items go on at the same time.
   */
  paymentOfOrder(orderId: string, options: { lock?: 'share' } = {}): Promise<PaymentRow | undefined> {
    let query = this.db.selectFrom('payments').selectAll().where('order_id', '=', orderId);
    if (options.lock) query = query.forShare();
    return query.executeTakeFirst();
  }

  /** The payments of many orders at once, for listing pages (one payment per order). */
  async paymentsOfOrders(orderIds: string[]): Promise<Map<string, PaymentRow>> {
    if (orderIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('payments').selectAll().where('order_id', 'in', orderIds).execute();
    return new Map(rows.map((row) => [row.order_id, row]));
  }

  findItem(
    orderId: string,
    itemId: string,
    options: { lock?: boolean } = {},
  ): Promise<OrderItemRow | undefined> {
    let query = this.db
      .selectFrom('order_items')
      .selectAll()
      .where('id', '=', itemId)
      .where('order_id', '=', orderId);
    if (options.lock) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** Moves an item only from the state the caller saw: two racing moves cannot both apply. */
  updateFulfilment(itemId: string, from: FulfilmentStatus, changes: FulfilmentChanges) {
    return this.db
      .updateTable('order_items')
      .set(changes)
      .where('id', '=', itemId)
      .where('fulfilment_status', '=', from)
      .returningAll()
      .executeTakeFirst();
  }

  /** Cancels in one statement every item of the order a full refund cancels; returns them. */
  cancelForFullRefund(orderId: string): Promise<OrderItemRow[]> {
    return this.db
      .updateTable('order_items')
      .set({ fulfilment_status: 'canceled' })
      .where('order_id', '=', orderId)
      .where('fulfilment_status', 'in', CANCELED_BY_FULL_REFUND)
      .returningAll()
      .execute();
  }

  /** One page of orders visible to a caller, newest first (keyset on created_at, id). */
  listOrders(
    filter: { buyerId?: string; sellerId?: string },
    limit: number,
    after?: { createdAt: string; id: string },
  ) {
    let query = this.db
      .selectFrom('orders')
      .selectAll('orders')
      .select(sql<string>`orders.created_at::text`.as('cursor_key'));
    if (filter.buyerId) query = query.where('orders.buyer_id', '=', filter.buyerId);
    if (filter.sellerId) {
      const sellerId = filter.sellerId;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('order_items')
            .select('order_items.id')
            .whereRef('order_items.order_id', '=', 'orders.id')
            .where('order_items.seller_id', '=', sellerId),
        ),
      );
    }
    if (after) {
      query = query.where(
        sql<boolean>`(orders.created_at, orders.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
      );
    }
    return query
      .orderBy('orders.created_at', 'desc')
      .orderBy('orders.id', 'desc')
      .limit(limit + 1)
      .execute();
  }
}
