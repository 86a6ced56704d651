import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { forbidden, notFound, unprocessable } from '../../platform/errors.js';
import { formatAmount, type ParseAmountError, parseAmount } from '../../platform/money.js';
import { invalidField } from '../../platform/errors.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { noPaymentEvents, type PaymentEvents } from './payments.events.js';
import type { PaymentProvider } from './payments.providers.js';
import { PaymentsRepository } from './payments.repository.js';
import { type PublicPayment, refundEntries, toPublicPayment } from './payments.rules.js';
import { stockLines } from './payments.service.js';
import { assertTransition, statusAfterRefund } from './payments.state.js';

export interface RefundInput {
  amount?: string;
  reason: string;
  restock?: boolean;
}

const AMOUNT_MESSAGES: Record<ParseAmountError, string> = {
  not_a_number: 'amount must be a decimal number',
  too_many_decimals: 'amount has more decimals than the currency allows',
  not_positive: 'amount must be greater than zero',
  too_large: 'amount is too large',
  unsupported_currency: 'the payment currency is not supported',
};

/** Refunds: full or partial, several per payment, never more than what is left. */
export class Refunds {
  constructor(
    private readonly db: Kysely<object>,
    private readonly catalog: CatalogService,
    private readonly ledger: LedgerService,
    private readonly providers: ReadonlyMap<string, PaymentProvider>,
    private readonly events: PaymentEvents = noPaymentEvents,
  ) {}

  /**
   * Gives money back: the ledger reverses the purchase proportionally (each seller's share
   * and the platform's fee), the payment becomes partially_refunded or refunded, and the
   * stock optionally returns; all in one transaction under a lock on the payment, so two
   * concurrent refunds can never together exceed the amount paid.
   * Idempotent by key: a retry with the same key answers the payment as it is.
   * @throws `payment_not_found` (404), `refund_exceeds_remaining`, `payment_not_refundable`,
   * `insufficient_funds` (422: a seller has already been paid out)
   */
  async refund(
    actor: Actor | undefined,
    paymentId: string,
    input: RefundInput,
    idempotencyKey?: string,
  ): Promise<PublicPayment> {
    const me = authorize(actor, { roles: ['seller', 'admin'] });
    let restocked: string[] = [];
    const result = await this.db.transaction().execute(async (trx) => {
      const repo = PaymentsRepository.in(trx);
      const payment = await repo.findPayment(paymentId, { lock: true });
      if (!payment) throw notFound('payment');
      const items = await repo.orderItems(payment.order_id);
      authorize(me, { object: { kind: 'payment', ownerIds: items.map((item) => item.seller_id) } });
      // A retry of a refund already made (same caller, same key) is answered, not repeated:
      // the gateway must not be asked twice. The payment lock serialises concurrent retries.
      if (idempotencyKey && (await repo.findRefundByKey(me.userId, idempotencyKey))) {
        return { payment, items };
      }
      if (me.role === 'seller' && items.some((item) => item.seller_id !== me.userId)) {
        throw forbidden(
          'refund_requires_admin',
          'this payment includes other sellers’ items; an admin must refund it',
        );
      }
      if (payment.status !== 'succeeded' && payment.status !== 'partially_refunded') {
        throw unprocessable('payment_not_refundable', `a ${payment.status} payment cannot be refunded`);
      }
      const remaining = payment.amount_minor - payment.refunded_minor;
      const amount = input.amount === undefined ? remaining : this.parse(input.amount, payment.currency);
      if (amount > remaining) {
        throw unprocessable('refund_exceeds_remaining', 'the refund is larger than what is left to refund');
      }
      const status = statusAfterRefund(payment.amount_minor, payment.refunded_minor, amount);
      assertTransition(payment.status, status);
      const provider = this.providers.get(payment.method);
      if (!provider) throw new Error(`no provider for ${payment.method}`);
      const refundId = randomUUID();
      // The gateway gives the money back first; if it refuses, nothing is recorded here.
      await provider.refund?.(payment, amount, refundId, input.reason);
      const { transactionId } = await this.ledger.post(trx, {
        kind: 'refund',
        reference: refundId,
        currency: payment.currency,
        entries: refundEntries(
          provider.payerAccount(payment.buyer_id, payment.currency),
          items,
          payment.currency,
          amount,
        ),
      });
      await repo.insertRefund({
        id: refundId,
        payment_id: payment.id,
        amount_minor: amount,
        reason: input.reason,
        restock: input.restock ?? false,
        created_by: me.userId,
        ledger_transaction_id: transactionId,
        idempotency_key: idempotencyKey ?? null,
      });
      const updated = await repo.updatePayment(payment.id, payment.status, {
        status,
        refunded_minor: payment.refunded_minor + amount,
      });
      if (input.restock) {
        const lines = stockLines(items).filter((line) => line.quantity > 0);
        await this.catalog.releaseStock(trx, lines);
        for (const item of items) await repo.markRestocked(item.id, item.quantity - item.restocked_quantity);
        restocked = lines.map((line) => line.productId);
      }
      const after = { payment: updated!, items: await repo.orderItems(payment.order_id) };
      await this.events.emit(trx, 'payment.refunded', toPublicPayment(after.payment, after.items), {
        refund: { id: refundId, amount: formatAmount(amount, payment.currency), reason: input.reason },
      });
      return after;
    });
    await this.catalog.stockChanged(restocked);
    return toPublicPayment(result.payment, result.items);
  }

  private parse(amount: string, currency: string): bigint {
    const parsed = parseAmount(amount, currency);
    if (!parsed.ok) throw invalidField('amount', parsed.error, AMOUNT_MESSAGES[parsed.error]);
    return parsed.minor;
  }
}
