import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { tablesOf } from '../../platform/db/database.js';
import { ledgerLinesOf } from './payments.order-pricing.js';
import type { LedgerLine, PricedLine } from './payments.rules.js';
import type { PaymentStatus } from './payments.state.js';
import type {
  OrderItemRow,
  OrderShipmentRow,
  OrderShipmentsTable,
  OrderTaxLineRow,
  OrderTaxLinesTable,
  PaymentRow,
  PaymentsTable,
  PaymentsTables,
} from './payments.tables.js';

type Executor = Kysely<PaymentsTables> | Transaction<PaymentsTables>;

export interface NewOrder {
  buyerId: string;
  currency: string;
  totalMinor: bigint;
  items: readonly PricedLine[];
  /** A priced order's shipments and tax lines (pricingRowsOf), written with it. */
  pricing?: {
    shippingAddressId: string;
    destination: { country: string; region?: string | null };
    rows: (orderId: string) => { shipments: OrderShipmentsTable[]; taxLines: OrderTaxLinesTable[] };
  };
}

export type NewPayment = Pick<
  PaymentsTable,
  'buyer_id' | 'payment_code' | 'method' | 'status' | 'currency' | 'amount_minor' | 'idempotency_key'
> &
  Partial<
    Pick<
      PaymentsTable,
      'failure_code' | 'expires_at' | 'ledger_transaction_id' | 'payment_url' | 'token' | 'provider_reference'
    >
  >;

/** An order's item rows as checkout writes them, fulfilment at its start. */
const itemRowsOf = (orderId: string, lines: readonly PricedLine[]): OrderItemRow[] =>
  lines.map((item) => ({
    id: randomUUID(),
    order_id: orderId,
    product_id: item.productId,
    seller_id: item.sellerId,
    product_name: item.name,
    variant_id: item.variant?.id ?? null,
    variant_sku: item.variant?.sku ?? null,
    variant_options: item.variant?.options ?? null,
    quantity: item.quantity,
    unit_price_minor: item.unitPriceMinor,
    fee_minor: item.feeMinor,
    subtotal_minor: item.subtotalMinor,
    restocked_quantity: 0,
    fulfilment_status: 'unfulfilled',
    carrier: null,
    tracking_number: null,
    shipped_at: null,
    delivered_at: null,
  }));

/** What an item row's insert sets: the fulfilment columns keep their defaults. */
const insertableItem = ({
  restocked_quantity: _r,
  fulfilment_status: _f,
  carrier: _c,
  tracking_number: _t,
  shipped_at: _s,
  delivered_at: _d,
  variant_options,
  ...item
}: OrderItemRow) => ({
  ...item,
  variant_options:
    variant_options === null ? null : sql<Record<string, string>>`${JSON.stringify(variant_options)}::jsonb`,
});

/** SQL for orders, their items and payments, and nothing else (refunds: RefundsRepository). */
export class PaymentsRepository {
  constructor(private readonly db: Executor) {}

  static of(db: Kysely<object>): PaymentsRepository {
    return new PaymentsRepository(tablesOf<PaymentsTables>(db));
  }

  static in(trx: Transaction<object>): PaymentsRepository {
    return new PaymentsRepository(trx as unknown as Transaction<PaymentsTables>);
  }

  /**
   * The order, its items and its payment in ONE statement (data-modifying CTEs): checkout
   * is a hot path and every round trip to the database is latency under a row lock. Ids
   * come from the caller, so the items are known without reading them back.
   */
  createOrderWithPayment(
    order: NewOrder,
    payment: NewPayment & { id: string },
  ): Promise<{
    payment: PaymentRow;
    items: OrderItemRow[];
  }> {
    const orderId = randomUUID();
    const written = this.createOrdersWithPayments([{ order, payment, orderId }]).then(([first]) => first!);
    if (!order.pricing) return written;
    const { shipments, taxLines } = order.pricing.rows(orderId);
    // A priced order is a cart's checkout, not the hot path: two more statements, after the order.
    return written.then(async (result) => {
      await this.db.insertInto('order_shipments').values(shipments).execute();
      if (taxLines.length > 0) await this.db.insertInto('order_tax_lines').values(taxLines).execute();
      return result;
    });
  }

  /**
   * Several orders with their items and payments in one statement, in the order given
   * (checkouts committed together); a priced order's shipments and tax lines are not written
   * here (createOrderWithPayment writes them).
   */
  async createOrdersWithPayments(
    orders: readonly { order: NewOrder; payment: NewPayment & { id: string }; orderId?: string }[],
  ): Promise<{ payment: PaymentRow; items: OrderItemRow[] }[]> {
    const made = orders.map(({ order, payment, orderId = randomUUID() }) => ({
      order,
      payment,
      orderId,
      items: itemRowsOf(orderId, order.items),
    }));
    const rows = await this.db
      .with('new_order', (db) =>
        db.insertInto('orders').values(
          made.map(({ order, orderId }) => ({
            id: orderId,
            buyer_id: order.buyerId,
            currency: order.currency,
            total_minor: order.totalMinor,
            shipping_address_id: order.pricing?.shippingAddressId ?? null,
            destination_country: order.pricing?.destination.country ?? null,
            destination_region: order.pricing?.destination.region ?? null,
          })),
        ),
      )
      .with('new_items', (db) =>
        // Fulfilment starts at the columns' defaults: only what checkout decides is written.
        db.insertInto('order_items').values(made.flatMap(({ items }) => items.map(insertableItem))),
      )
      .insertInto('payments')
      .values(made.map(({ payment, orderId }) => ({ ...payment, order_id: orderId })))
      .returningAll()
      .execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return made.map(({ payment, items }) => ({ payment: byId.get(payment.id)!, items }));
  }

  orderShipments(orderId: string): Promise<OrderShipmentRow[]> {
    return this.db
      .selectFrom('order_shipments')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('seller_id')
      .execute();
  }

  orderTaxLines(orderId: string): Promise<OrderTaxLineRow[]> {
    return this.db
      .selectFrom('order_tax_lines')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('tax_rate_id')
      .execute();
  }

  /** What the ledger moves for the order (ledgerLinesOf): its shipments, or its items. */
  async ledgerLines(orderId: string, items?: readonly OrderItemRow[]): Promise<LedgerLine[]> {
    const rows = items ?? (await this.orderItems(orderId));
    return ledgerLinesOf(rows, await this.orderShipments(orderId));
  }

  findPayment(id: string, options: { lock?: boolean } = {}): Promise<PaymentRow | undefined> {
    let query = this.db.selectFrom('payments').selectAll().where('id', '=', id);
    if (options.lock) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  findByIdempotencyKey(buyerId: string, key: string): Promise<PaymentRow | undefined> {
    return this.db
      .selectFrom('payments')
      .selectAll()
      .where('buyer_id', '=', buyerId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }

  orderItems(orderId: string): Promise<OrderItemRow[]> {
    return this.db
      .selectFrom('order_items')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('id')
      .execute();
  }

  /** Items of many orders at once, for listing pages. */
  async itemsOfOrders(orderIds: string[]): Promise<Map<string, OrderItemRow[]>> {
    const byOrder = new Map<string, OrderItemRow[]>();
    if (orderIds.length === 0) return byOrder;
    const rows = await this.db
      .selectFrom('order_items')
      .selectAll()
      .where('order_id', 'in', orderIds)
      .orderBy('id')
      .execute();
    for (const row of rows) byOrder.set(row.order_id, [...(byOrder.get(row.order_id) ?? []), row]);
    return byOrder;
  }

  /** Moves a payment only from the status the caller saw: two racing transitions cannot both apply. */
  updatePayment(
    id: string,
    from: PaymentStatus,
    changes: Partial<
      Pick<
        PaymentsTable,
        | 'status'
        | 'ledger_transaction_id'
        | 'failure_code'
        | 'payment_url'
        | 'token'
        | 'provider_reference'
        | 'expires_at'
      >
    > & { refunded_minor?: bigint },
  ): Promise<PaymentRow | undefined> {
    return this.db
      .updateTable('payments')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .where('status', '=', from)
      .returningAll()
      .executeTakeFirst();
  }

  /** Pending payments past their expiry, locked, skipping ones another worker holds. */
  duePayments(now: Date, limit: number): Promise<PaymentRow[]> {
    return this.db
      .selectFrom('payments')
      .selectAll()
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  }

  /** One page of payments visible to a caller, newest first (keyset on created_at, id). */
  listPayments(
    filter: { buyerId?: string; sellerId?: string },
    limit: number,
    after?: { createdAt: string; id: string },
  ) {
    let query = this.db
      .selectFrom('payments')
      .selectAll('payments')
      .select(sql<string>`payments.created_at::text`.as('cursor_key'));
    if (filter.buyerId) query = query.where('payments.buyer_id', '=', filter.buyerId);
    if (filter.sellerId) {
      const sellerId = filter.sellerId;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('order_items')
            .select('order_items.id')
            .whereRef('order_items.order_id', '=', 'payments.order_id')
            .where('order_items.seller_id', '=', sellerId),
        ),
      );
    }
    if (after) {
      query = query.where(
        sql<boolean>`(payments.created_at, payments.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
      );
    }
    return query
      .orderBy('payments.created_at', 'desc')
      .orderBy('payments.id', 'desc')
      .limit(limit + 1)
      .execute();
  }

  async markRestocked(itemId: string, quantity: number): Promise<void> {
    await this.db
      .updateTable('order_items')
      .set((eb) => ({ restocked_quantity: eb('restocked_quantity', '+', quantity) }))
      .where('id', '=', itemId)
      .execute();
  }
}
