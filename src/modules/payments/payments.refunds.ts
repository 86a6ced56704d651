import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { forbidden, invalidField, notFound, unprocessable } from '../../platform/errors.js';
import { type ParseAmountError, parseAmount } from '../../platform/money.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { noPaymentEvents, type PaymentEvents } from './payments.events.js';
import type { PaymentProvider } from './payments.providers.js';
import { RefundSettlement } from './payments.refund-settlement.js';
import { RefundsRepository } from './payments.refunds.repository.js';
import { PaymentsRepository } from './payments.repository.js';
import { type PublicRefund, refundEntries, toPublicPayment, toPublicRefund } from './payments.rules.js';
import { paymentOwners } from './payments.service.js';
import type { PaymentRow } from './payments.tables.js';

export interface RefundInput {
  amount?: string;
  reason: string;
  restock?: boolean;
}

/** What refunds need, shared by both phases. */
export interface RefundDeps {
  db: Kysely<object>;
  catalog: CatalogService;
  ledger: LedgerService;
  providers: ReadonlyMap<string, PaymentProvider>;
  logger: Logger;
  timing: RefundTiming;
  events?: PaymentEvents;
}

export interface RefundTiming {
  /** How long a pending refund waits before the reconciler first asks the gateway about it. */
  firstCheckDelayMs: number;
  /** The longest wait between two checks of one refund. */
  maxCheckDelayMs: number;
}

const AMOUNT_MESSAGES: Record<ParseAmountError, string> = {
  not_a_number: 'amount must be a decimal number',
  too_many_decimals: 'amount has more decimals than the currency allows',
  not_positive: 'amount must be greater than zero',
  too_large: 'amount is too large',
  unsupported_currency: 'the payment currency is not supported',
};

/** Refunds one payment takes, failed ones included (Midtrans allows 50 per transaction). */
const MAX_REFUNDS_PER_PAYMENT = 100;

/**
 * The refund key the gateway sees: derived from the caller's Idempotency-Key when there is
 * one (so even a retry whose first attempt never reached our database asks for the same
 * refund), else the refund's own id. At most 50 characters, as Midtrans allows.
 */
export function refundKeyFor(
  paymentId: string,
  createdBy: string,
  idempotencyKey: string | undefined,
  id: string,
) {
  if (!idempotencyKey) return id;
  const digest = createHash('sha256')
    .update(`${paymentId}\n${createdBy}\n${idempotencyKey}`)
    .digest('base64url');
  return `rk_${digest.slice(0, 43)}`;
}

/**
 * Refunds in two phases, as Stripe and Adyen model them. Phase 1, one short transaction
 * under the payment's lock: check what is left to refund and that the sellers' accounts
 * can give their shares back, place a ledger hold for them, write the refund `pending`.
 * Phase 2, with no transaction open and no row locked: ask the provider, then post the
 * hold (`succeeded`) or void it (`failed`); an answer that never comes leaves the refund
 * `pending` for the reconciler (RefundReconciler), which asks the gateway later. So money
 * can never leave through the gateway without the ledger having reserved it first.
 */
export class Refunds {
  private readonly db: Kysely<object>;
  private readonly ledger: LedgerService;
  private readonly providers: ReadonlyMap<string, PaymentProvider>;
  private readonly timing: RefundTiming;
  private readonly events: PaymentEvents;
  private readonly refunds: RefundsRepository;
  /** Phase 2 and the reconciler (payments.refund-settlement.ts). */
  readonly settlement: RefundSettlement;

  constructor(deps: RefundDeps) {
    ({ db: this.db, ledger: this.ledger, providers: this.providers, timing: this.timing } = deps);
    this.events = deps.events ?? noPaymentEvents;
    this.refunds = RefundsRepository.of(deps.db);
    this.settlement = new RefundSettlement(deps);
  }

  /**
   * Refunds all (no amount) or part of a payment. Idempotent by key: a retry answers the
   * refund made first, and if that one is still pending asks the gateway again with the
   * same refund key (which the gateway executes at most once).
   * @throws `payment_not_found` (404), `refund_requires_admin` (403),
   * `refund_exceeds_remaining`, `payment_not_refundable`, `insufficient_funds` (422: a
   * seller has already been paid out; the gateway is then never asked)
   */
  async refund(
    actor: Actor | undefined,
    paymentId: string,
    input: RefundInput,
    idempotencyKey?: string,
  ): Promise<PublicRefund> {
    const me = authorize(actor, { roles: ['seller', 'admin'] });
    const placed = await this.db.transaction().execute(async (trx) => {
      const payments = PaymentsRepository.in(trx);
      const refunds = RefundsRepository.in(trx);
      const payment = await payments.findPayment(paymentId, { lock: true });
      if (!payment) throw notFound('payment');
      const items = await payments.orderItems(payment.order_id);
      authorize(me, { object: { kind: 'payment', ownerIds: items.map((item) => item.seller_id) } });
      // A retry (same caller, same key) is answered, never placed twice; the payment's lock
      // serialises concurrent retries.
      const earlier = idempotencyKey ? await refunds.findByKey(me.userId, idempotencyKey) : undefined;
      if (earlier) {
        // Only the same refund again is a retry; anything else reusing the key is a mistake.
        const sameAmount =
          input.amount === undefined || this.parse(input.amount, payment.currency) === earlier.amount_minor;
        if (!sameAmount || earlier.payment_id !== payment.id || earlier.reason !== input.reason) {
          throw unprocessable(
            'idempotency_key_reused',
            'this idempotency key was already used for a different refund; use a new key for a new request',
          );
        }
        return { refund: earlier, payment };
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
      const remaining = payment.amount_minor - payment.refunded_minor - payment.refund_pending_minor;
      const amount = input.amount === undefined ? remaining : this.parse(input.amount, payment.currency);
      if (remaining <= 0n || amount > remaining) {
        const pending = payment.refund_pending_minor > 0n ? ' (refunds still pending count as refunded)' : '';
        throw unprocessable(
          'refund_exceeds_remaining',
          `the refund is larger than what is left to refund${pending}`,
        );
      }
      const provider = this.providerOf(payment);
      const id = randomUUID();
      const all = await refunds.listForPayment(payment.id, MAX_REFUNDS_PER_PAYMENT);
      if (all.length >= MAX_REFUNDS_PER_PAYMENT) {
        throw unprocessable('too_many_refunds', `a payment takes at most ${MAX_REFUNDS_PER_PAYMENT} refunds`);
      }
      // Each refund splits over what the payment's standing refunds left to each account.
      const standing = all.filter((each) => each.status !== 'failed').map((each) => each.id);
      const earlierEntries = await this.ledger.entriesByReferences(trx, 'refund', standing);
      // The hold reserves each seller's and the platform's share: a seller who has been paid
      // out cannot give it back, and that is refused here, before any gateway is asked.
      const { transactionId } = await this.ledger.hold(trx, {
        kind: 'refund',
        reference: id,
        currency: payment.currency,
        entries: refundEntries(
          provider.payerAccount(payment.buyer_id, payment.currency),
          await payments.ledgerLines(payment.order_id, items),
          payment.currency,
          amount,
          earlierEntries,
        ),
      });
      const refund = await refunds.insert({
        id,
        payment_id: payment.id,
        amount_minor: amount,
        currency: payment.currency,
        reason: input.reason,
        restock: input.restock ?? false,
        status: 'pending',
        refund_key: refundKeyFor(payment.id, me.userId, idempotencyKey, id),
        failure_code: null,
        failure_message: null,
        created_by: me.userId,
        ledger_transaction_id: transactionId,
        idempotency_key: idempotencyKey ?? null,
        next_check_at: new Date(Date.now() + this.timing.firstCheckDelayMs),
      });
      const reserved = await refunds.reserve(payment.id, amount);
      await this.events.emitRefund(trx, 'refund.created', toPublicRefund(refund, payment.method), {
        payment: toPublicPayment(reserved!, items),
      });
      return { refund, payment: reserved! };
    });
    if (placed.refund.status !== 'pending') return toPublicRefund(placed.refund, placed.payment.method);
    return this.settlement.execute(placed.refund, placed.payment);
  }

  /** @throws `refund_not_found` (404) for anyone who may not see its payment. */
  async retrieveRefund(actor: Actor | undefined, id: string): Promise<PublicRefund> {
    const me = authorize(actor);
    const refund = await this.refunds.find(id);
    if (!refund) throw notFound('refund');
    const payment = await this.visiblePayment(me, refund.payment_id, 'refund');
    return toPublicRefund(refund, payment.method);
  }

  /** A payment's refunds, oldest first. @throws `payment_not_found` (404) as retrieving the payment does. */
  async listRefunds(actor: Actor | undefined, paymentId: string): Promise<PublicRefund[]> {
    const me = authorize(actor);
    const payment = await this.visiblePayment(me, paymentId, 'payment');
    const rows = await this.refunds.listForPayment(payment.id, MAX_REFUNDS_PER_PAYMENT);
    return rows.map((row) => toPublicRefund(row, payment.method));
  }

  private async visiblePayment(
    me: Actor,
    paymentId: string,
    what: 'payment' | 'refund',
  ): Promise<PaymentRow> {
    const payments = PaymentsRepository.of(this.db);
    const payment = await payments.findPayment(paymentId);
    if (!payment) throw notFound(what);
    const items = await payments.orderItems(payment.order_id);
    try {
      authorize(me, { object: { kind: 'payment', ownerIds: paymentOwners(payment, items) } });
    } catch {
      throw notFound(what);
    }
    return payment;
  }

  private providerOf(payment: PaymentRow): PaymentProvider {
    const provider = this.providers.get(payment.method);
    if (!provider) throw new Error(`no provider for ${payment.method}`);
    return provider;
  }

  private parse(amount: string, currency: string): bigint {
    const parsed = parseAmount(amount, currency);
    if (!parsed.ok) throw invalidField('amount', parsed.error, AMOUNT_MESSAGES[parsed.error]);
    return parsed.minor;
  }
}
