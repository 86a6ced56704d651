import type { Kysely, Transaction } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { decodeTimeCursor, encodeTimeCursor } from '../../platform/db/keyset.js';
import { isAppError, notFound } from '../../platform/errors.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { eventForStatus, noPaymentEvents, type PaymentEvents } from './payments.events.js';
import { type PaymentProvider, postPurchase } from './payments.providers.js';
import { receiptPricingOf } from './payments.order-pricing.js';
import { PaymentsRepository } from './payments.repository.js';
import { type PublicPayment, toPublicPayment } from './payments.rules.js';
import { assertTransition, canTransition, type PaymentStatus, RELEASES_STOCK } from './payments.state.js';
import type { OrderItemRow, PaymentRow } from './payments.tables.js';

/** Who may see a payment: its buyer, a seller of one of its items, an admin. */
export const paymentOwners = (payment: PaymentRow, items: readonly OrderItemRow[]) => [
  payment.buyer_id,
  ...items.map((item) => item.seller_id),
];

/** Reading payments and moving pending ones: capture, cancel, expire. */
export class PaymentsService {
  private readonly repo: PaymentsRepository;

  constructor(
    private readonly db: Kysely<object>,
    private readonly catalog: CatalogService,
    private readonly ledger: LedgerService,
    private readonly providers: ReadonlyMap<string, PaymentProvider>,
    private readonly events: PaymentEvents = noPaymentEvents,
  ) {
    this.repo = PaymentsRepository.of(db);
  }

  /** @throws `payment_not_found` (404) for anyone but its buyer, its sellers and admins. */
  async retrieve(actor: Actor | undefined, id: string): Promise<PublicPayment> {
    const payment = await this.repo.findPayment(id);
    if (!payment) throw notFound('payment');
    const items = await this.repo.orderItems(payment.order_id);
    authorize(actor, { object: { kind: 'payment', ownerIds: paymentOwners(payment, items) } });
    return toPublicPayment(payment, items);
  }

  /** A buyer sees their payments, a seller the payments for their products, an admin all. */
  async list(
    actor: Actor | undefined,
    query: { limit: number; cursor?: string },
  ): Promise<{ items: PublicPayment[]; nextCursor: string | null }> {
    const me = authorize(actor);
    const after = query.cursor === undefined ? undefined : decodeTimeCursor(query.cursor);
    const filter =
      me.role === 'admin' ? {} : me.role === 'seller' ? { sellerId: me.userId } : { buyerId: me.userId };
    const rows = await this.repo.listPayments(filter, query.limit, after);
    const page = rows.slice(0, query.limit);
    const items = await this.repo.itemsOfOrders(page.map((row) => row.order_id));
    const last = page.at(-1);
    return {
      items: page.map((row) => toPublicPayment(row, items.get(row.order_id) ?? [])),
      nextCursor:
        rows.length > query.limit && last
          ? encodeTimeCursor({ createdAt: last.cursor_key, id: last.id })
          : null,
    };
  }

  /**
   * Settles a pending payment made outside the platform (admins confirm a transfer): the
   * ledger records the money arriving and the payment succeeds, in one transaction.
   * @throws `payment_not_found` (404), `invalid_payment_transition` (422)
   */
  async capture(actor: Actor | undefined, id: string): Promise<PublicPayment> {
    authorize(actor, { roles: ['admin'] });
    return this.settleSucceeded(id);
  }

  private settleSucceeded(id: string): Promise<PublicPayment> {
    return this.move(id, 'succeeded', async (trx, payment, items) => {
      const provider = this.providers.get(payment.method);
      if (!provider) throw new Error(`no provider for ${payment.method}`);
      const context = {
        trx,
        paymentId: payment.id,
        buyerId: payment.buyer_id,
        currency: payment.currency,
        items: await PaymentsRepository.in(trx).ledgerLines(payment.order_id, items),
      };
      return { ledger_transaction_id: await postPurchase(this.ledger, provider, context) };
    });
  }

  /** The raw payment for a gateway notification (no actor: the caller proved it is the gateway). */
  findForGateway(id: string): Promise<PaymentRow | undefined> {
    return this.repo.findPayment(id);
  }

  /** A pending payment fails (its gateway refused it); its stock goes back. */
  async fail(id: string, failureCode: string): Promise<PublicPayment> {
    return this.move(id, 'failed', async () => ({ failure_code: failureCode }));
  }

  /**
   * Applies a status the gateway reported. Idempotent: the status the payment already has
   * changes nothing; a move the state machine does not allow (a late `expire` after a
   * settlement) is reported as ignored, never applied.
   */
  async applyGatewayStatus(id: string, to: PaymentStatus): Promise<'applied' | 'duplicate' | 'ignored'> {
    const current = await this.repo.findPayment(id);
    if (!current) return 'ignored';
    if (current.status === to) return 'duplicate';
    if (!canTransition(current.status, to)) return 'ignored';
    try {
      if (to === 'succeeded') await this.settleSucceeded(id);
      else await this.move(id, to, async () => ({}));
      return 'applied';
    } catch (error) {
      // A concurrent delivery of the same notification got there first.
      if (isAppError(error) && error.code === 'invalid_payment_transition') return 'duplicate';
      throw error;
    }
  }

  /** The buyer (or an admin) gives up a pending payment; its stock goes back. */
  async cancel(actor: Actor | undefined, id: string): Promise<PublicPayment> {
    const me = authorize(actor, { roles: ['buyer', 'admin'] });
    return this.move(id, 'canceled', async (_trx, payment) => {
      authorize(me, { object: { kind: 'payment', ownerIds: [payment.buyer_id] } });
      return {};
    });
  }

  private releaseDiscounts?: (trx: Transaction<object>, paymentId: string) => Promise<void>;

  /**
   * Gives a payment's discount uses back when it fails, expires or is cancelled (as its
   * stock): wired once the discounts module exists.
   */
  releasesDiscountsWith(release: (trx: Transaction<object>, paymentId: string) => Promise<void>): void {
    this.releaseDiscounts = release;
  }

  /** Expires pending payments whose time is up, releasing their stock. Safe in several instances at once. */
  async expireDue(now = new Date(), batch = 100): Promise<number> {
    const released: string[] = [];
    const count = await this.db.transaction().execute(async (trx) => {
      const repo = PaymentsRepository.in(trx);
      const due = await repo.duePayments(now, batch);
      for (const payment of due) {
        const items = await repo.orderItems(payment.order_id);
        const expired = await repo.updatePayment(payment.id, 'pending', { status: 'expired' });
        await this.catalog.releaseStock(trx, stockLines(items));
        await this.releaseDiscounts?.(trx, payment.id);
        await this.events.emit(
          trx,
          'payment.expired',
          toPublicPayment(expired!, items),
          receiptPricingOf(await repo.orderShipments(payment.order_id), payment.currency),
        );
        released.push(...items.map((item) => item.product_id));
      }
      return due.length;
    });
    await this.catalog.stockChanged(released);
    return count;
  }

  private async move(
    id: string,
    to: PaymentStatus,
    effect: (
      trx: Transaction<object>,
      payment: PaymentRow,
      items: OrderItemRow[],
    ) => Promise<{ ledger_transaction_id?: string; failure_code?: string }>,
  ): Promise<PublicPayment> {
    const { payment, items } = await this.db.transaction().execute(async (trx) => {
      const repo = PaymentsRepository.in(trx);
      const current = await repo.findPayment(id, { lock: true });
      if (!current) throw notFound('payment');
      const items = await repo.orderItems(current.order_id);
      assertTransition(current.status, to);
      const changes = await effect(trx, current, items);
      const updated = await repo.updatePayment(id, current.status, { status: to, ...changes });
      if (RELEASES_STOCK.has(to)) {
        await this.catalog.releaseStock(trx, stockLines(items));
        await this.releaseDiscounts?.(trx, id);
      }
      const event = eventForStatus(to);
      if (event) {
        const shipments = await repo.orderShipments(current.order_id);
        await this.events.emit(
          trx,
          event,
          toPublicPayment(updated!, items),
          receiptPricingOf(shipments, current.currency),
        );
      }
      return { payment: updated!, items };
    });
    if (RELEASES_STOCK.has(to)) await this.catalog.stockChanged(items.map((item) => item.product_id));
    return toPublicPayment(payment, items);
  }
}

export const stockLines = (items: readonly OrderItemRow[]) =>
  items.map((item) => ({
    productId: item.product_id,
    ...(item.variant_id ? { variantId: item.variant_id } : {}),
    quantity: item.quantity - item.restocked_quantity,
  }));
