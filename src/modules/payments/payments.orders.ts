import type { Kysely } from 'kysely';
import { decodeTimeCursor, encodeTimeCursor } from '../../platform/db/keyset.js';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { notFound } from '../../platform/errors.js';
import { noPaymentEvents, type PaymentEvents } from './payments.events.js';
import { type FulfilmentAction, nextFulfilment } from './payments.fulfilment-state.js';
import { type FulfilmentChanges, OrdersRepository } from './payments.orders.repository.js';
import {
  orderItemEventData,
  type PublicOrder,
  type PublicOrderDetail,
  type PublicOrderItem,
  toPublicOrder,
  toPublicOrderDetail,
  toPublicOrderItem,
  visibleItems,
} from './payments.orders.rules.js';
import { RefundsRepository } from './payments.refunds.repository.js';
import { PaymentsRepository } from './payments.repository.js';

/** Refunds shown with an order: as many as a payment can take. */
const MAX_LISTED_REFUNDS = 100;

export interface Shipment {
  carrier: string;
  tracking_number: string;
}

/**
 * Orders as their buyer, their sellers and admins see them, and the fulfilment of their
 * items: shipped by the item's seller, then delivered. Cancellation on a full refund is the
 * refund's doing (payments.refund-settlement.ts), in the refund's transaction.
 */
export class Orders {
  private readonly repo: OrdersRepository;

  constructor(
    private readonly db: Kysely<object>,
    private readonly events: PaymentEvents = noPaymentEvents,
  ) {
    this.repo = OrdersRepository.of(db);
  }

  /**
   * A buyer's orders, the orders holding a seller's items (with only those items), or all
   * (admins); newest first, by an opaque cursor.
   * @throws `validation_failed` (400) for a cursor this did not give out.
   */
  async list(
    actor: Actor | undefined,
    query: { limit: number; cursor?: string },
  ): Promise<{ items: PublicOrder[]; nextCursor: string | null }> {
    const me = authorize(actor);
    const after = query.cursor === undefined ? undefined : decodeTimeCursor(query.cursor);
    const filter =
      me.role === 'admin' ? {} : me.role === 'seller' ? { sellerId: me.userId } : { buyerId: me.userId };
    const rows = await this.repo.listOrders(filter, query.limit, after);
    const page = rows.slice(0, query.limit);
    const ids = page.map((row) => row.id);
    const [items, payments] = await Promise.all([
      PaymentsRepository.of(this.db).itemsOfOrders(ids),
      this.repo.paymentsOfOrders(ids),
    ]);
    const last = page.at(-1);
    return {
      items: page.map((row) =>
        toPublicOrder(
          row,
          payments.get(row.id),
          visibleItems(me, row.buyer_id, items.get(row.id) ?? []) ?? [],
        ),
      ),
      nextCursor:
        rows.length > query.limit && last
          ? encodeTimeCursor({ createdAt: last.cursor_key, id: last.id })
          : null,
    };
  }

  /** @throws `order_not_found` (404) for anyone but its buyer, a seller of its items and admins. */
  async retrieve(actor: Actor | undefined, id: string): Promise<PublicOrderDetail> {
    const me = authorize(actor);
    const order = await this.repo.findOrder(id);
    if (!order) throw notFound('order');
    const items = visibleItems(me, order.buyer_id, await PaymentsRepository.of(this.db).orderItems(id));
    if (!items) throw notFound('order');
    const payment = await this.repo.paymentOfOrder(id);
    const refunds = payment
      ? await RefundsRepository.of(this.db).listForPayment(payment.id, MAX_LISTED_REFUNDS)
      : [];
    const repo = PaymentsRepository.of(this.db);
    const everyShipment = await repo.orderShipments(id);
    // A seller sees their own shipment, as their own items; the tax by rate is the buyer's.
    const ownOnly = me.role === 'seller' && me.userId !== order.buyer_id;
    const shipments = ownOnly ? everyShipment.filter((each) => each.seller_id === me.userId) : everyShipment;
    const taxLines = ownOnly ? [] : await repo.orderTaxLines(id);
    return toPublicOrderDetail(order, payment, items, refunds, { shipments, taxLines });
  }

  /**
   * The item's seller (or an admin) ships it; `order.shipped` is written in the same
   * transaction. Not idempotent by itself: a second shipment of the item is refused (send an
   * Idempotency-Key to have a retry answered with the first response).
   * @throws `order_not_found`, `order_item_not_found` (404), `item_not_shippable` (409: the
   * item is not unfulfilled, or its payment is not in)
   */
  ship(
    actor: Actor | undefined,
    orderId: string,
    itemId: string,
    shipment: Shipment,
  ): Promise<PublicOrderItem> {
    return this.fulfil(actor, orderId, itemId, 'ship', (now) => ({
      carrier: shipment.carrier,
      tracking_number: shipment.tracking_number,
      shipped_at: now,
    }));
  }

  /**
   * Marks a shipped item delivered (its seller or an admin); `order.delivered` is written in
   * the same transaction.
   * @throws `order_not_found`, `order_item_not_found` (404), `item_not_deliverable` (409)
   */
  deliver(actor: Actor | undefined, orderId: string, itemId: string): Promise<PublicOrderItem> {
    return this.fulfil(actor, orderId, itemId, 'deliver', (now) => ({ delivered_at: now }));
  }

  private async fulfil(
    actor: Actor | undefined,
    orderId: string,
    itemId: string,
    action: Exclude<FulfilmentAction, 'cancel'>,
    changes: (now: Date) => Omit<FulfilmentChanges, 'fulfilment_status'>,
  ): Promise<PublicOrderItem> {
    const me = authorize(actor, { roles: ['seller', 'admin'] });
    const { item, currency } = await this.db.transaction().execute(async (trx) => {
      const repo = OrdersRepository.in(trx);
      const order = await repo.findOrder(orderId);
      if (!order) throw notFound('order');
      // The payment before the item, in the order a settling refund locks them.
      const payment = await repo.paymentOfOrder(orderId, { lock: 'share' });
      const item = await repo.findItem(orderId, itemId, { lock: true });
      // A seller with no item in the order is told the order is not there, not that the item is not.
      if (me.role !== 'admin' && item?.seller_id !== me.userId) {
        const all = await PaymentsRepository.in(trx).orderItems(orderId);
        if (!all.some((each) => each.seller_id === me.userId)) throw notFound('order');
        throw notFound('order_item');
      }
      if (!item) throw notFound('order_item');
      if (!payment) throw new Error(`order ${orderId} has no payment`);
      const to = nextFulfilment(action, item.fulfilment_status, payment.status);
      const moved = await repo.updateFulfilment(item.id, item.fulfilment_status, {
        ...changes(new Date()),
        fulfilment_status: to,
      });
      const type = action === 'ship' ? 'order.shipped' : 'order.delivered';
      await this.events.emitOrder(trx, type, orderItemEventData(order.buyer_id, moved!));
      return { item: moved!, currency: order.currency };
    });
    return toPublicOrderItem(item, currency);
  }
}
