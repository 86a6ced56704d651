import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { withTransactionRetry } from '../../platform/db/retry.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { type AppError, invalid, invalidField, isAppError, unprocessable } from '../../platform/errors.js';
import { recordCheckout } from '../../platform/metrics/metrics.registry.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { ReservedLine, UnitPrice } from '../catalog/catalog.stock.js';
import { type CheckoutInput, checkExpectedPrices, stockLineOf } from './payments.checkout-lines.js';
import type { OrderPricing } from '../pricing/pricing.service.js';
import {
  type Attempt,
  ledgerLinesOfAttempt,
  preparePricing,
  pricingRowsOf,
  priceAttempt,
  receiptPricingOf,
} from './payments.order-pricing.js';
import { eventForStatus, noPaymentEvents, type PaymentEvents } from './payments.events.js';
import { type CheckoutGroupSettings, CheckoutGroups } from './payments.checkout-groups.js';
import { checkOrderLimits, type OrderLimits } from './payments.limits.js';
import type { PaymentProvider } from './payments.providers.js';
import { PaymentsRepository } from './payments.repository.js';
import type { PaymentStatus } from './payments.state.js';
import type { OrderItemRow, PaymentRow } from './payments.tables.js';
import type { PaymentsService } from './payments.service.js';
import { isSameCheckout, newPaymentCode, type PublicPayment, toPublicPayment } from './payments.rules.js';

/** Stops a checkout whose idempotency key already made a payment, before it writes anything. */
class KeyAlreadyUsed extends Error {}

/**
 * The first payment made under a key, for its retry. The REST edge refuses a different
 * request under a used key before it gets here; this holds the line for every other edge.
 * @throws `idempotency_key_reused` (422)
 */
function replayOf(earlier: PublicPayment, input: CheckoutInput, method: string): PublicPayment {
  if (!isSameCheckout(input, method, earlier)) {
    throw unprocessable(
      'idempotency_key_reused',
      'this idempotency key was already used for a different checkout; use a new key for a new request',
    );
  }
  return earlier;
}

export type { CheckoutInput } from './payments.checkout-lines.js';

const mixedCurrencies = () =>
  invalid('mixed_currencies', 'all items of one order must be priced in one currency');

/**
 * Checkout: stock, order, items, payment and (for methods that settle at once) the ledger
 * posting commit in one database transaction, or none of them does. Its statements are
 * ordered so that no hot row is locked for long: prices read without a lock, the buyer's
 * wallet (one per buyer) locked by the ledger, the seller's and the fee account's credits
 * added to shard rows (ledger.shards.ts), then order, payment and outbox, and the
 * conditional stock decrement last.
 */
export class Checkout {
  constructor(
    private readonly db: Kysely<object>,
    private readonly catalog: CatalogService,
    private readonly providers: ReadonlyMap<string, PaymentProvider>,
    private readonly payments: PaymentsService,
    private readonly options: {
      defaultMethod: string;
      feeBps: number;
      limits: OrderLimits;
      /**
       * Wallet checkouts that arrive while `slots` transactions of them run are queued and
       * committed together, up to `maxGroup` in one transaction (payments.checkout-groups.ts);
       * without it, or with `maxGroup` 1, every checkout has a transaction of its own.
       */
      groups?: CheckoutGroupSettings;
    },
    private readonly events: PaymentEvents = noPaymentEvents,
  ) {
    const groups = options.groups;
    if (groups && groups.maxGroup > 1) {
      this.groups = new CheckoutGroups(
        {
          db,
          catalog,
          providers,
          events,
          feeBps: options.feeBps,
          refuseAboveLimits: (input, prices) => this.refuseAboveLimits(input, prices),
          placeAlone: (member) =>
            this.placeAlone(member.buyerId, member.input, member.method, providers.get(member.method)!),
        },
        groups,
      );
    }
  }

  private readonly groups?: CheckoutGroups;

  private pricing?: OrderPricing;

  /** Takes priced orders (shipping, tax, discounts) from now on: wired once the modules it reads exist. */
  priceWith(pricing: OrderPricing): void {
    this.pricing = pricing;
  }

  /**
   * Creates an order and its payment. With an idempotency key, a retry returns the first
   * payment (a unique index guarantees there is only ever one).
   * Nothing is reserved or written for an order above the limits (OrderLimits).
   * @throws `validation_failed` (400; an `amount_too_large` field above the limits),
   * `product_not_found` (404), `insufficient_stock` (409), `mixed_currencies` (400),
   * `price_changed` (409) when the price kept changing during every attempt,
   * `price_changed_since_quote` (409) when a line's `expected_unit_price_minor` is not its price,
   * `checkouts_busy` (503, nothing written) when a queued wallet checkout waited past CHECKOUT_MAX_WAIT
   */
  create(actor: Actor | undefined, input: CheckoutInput, idempotencyKey?: string): Promise<PublicPayment> {
    return recordCheckout(() => this.place(actor, input, idempotencyKey));
  }

  private async place(
    actor: Actor | undefined,
    input: CheckoutInput,
    idempotencyKey?: string,
  ): Promise<PublicPayment> {
    const buyer = authorize(actor, { roles: ['buyer'] });
    const method = input.payment_method ?? this.options.defaultMethod;
    const provider = this.providers.get(method);
    if (!provider) {
      throw invalidField(
        'payment_method',
        'unsupported_payment_method',
        `payment_method ${method} is not available`,
      );
    }
    if (this.groups?.takes(provider, input, idempotencyKey))
      return this.groups.place(buyer.userId, input, method);
    return this.placeAlone(buyer.userId, input, method, provider, idempotencyKey);
  }

  private async placeAlone(
    buyerId: string,
    input: CheckoutInput,
    method: string,
    provider: PaymentProvider,
    idempotencyKey?: string,
  ): Promise<PublicPayment> {
    let attempt: Attempt | undefined;
    // Set once this attempt's payment is committed: what fails after it (opening the payment
    // at a gateway) is this payment's own outcome, not a reason to look for an earlier one.
    let committed = false;
    try {
      // Only a priced order (shipping, tax, discounts) needs its prices before the transaction;
      // every order's limits are checked on the prices read inside it, before anything is
      // locked or written.
      const prepared = input.pricing
        ? await preparePricing(this.pricing, input, buyerId, await this.checkLimits(input))
        : undefined;
      // A clash of random payment codes (one in 10^12) aborts the transaction like a
      // deadlock would; running it again draws a new code. So does a price changed between
      // the quote and the stock decrement: the retry charges the new price, never a stale one.
      const retryable = (error: unknown) =>
        isUniqueViolation(error, 'payments_payment_code_key') ||
        (isAppError(error) && error.code === 'price_changed');
      // The lines whose stock the attempt sent to be taken: a decrement that took nothing
      // fails the transaction at its COMMIT, and what it took nothing of is read then.
      let taking: ReservedLine[] | undefined;
      const notTaken = async (error: unknown) => {
        throw (taking && (await this.catalog.whyNotTaken(error, taking))) ?? error;
      };
      const { payment, items } = await withTransactionRetry(
        () =>
          this.db
            .transaction()
            .execute(async (trx) => {
              // A payment this key already made is looked up in the quote's round trip, not in
              // one of its own before the transaction: both go out together. A key's second
              // checkout then stops before writing, and the catch below answers with the first.
              const earlier =
                idempotencyKey === undefined
                  ? undefined
                  : PaymentsRepository.of(trx)
                      .findByIdempotencyKey(buyerId, idempotencyKey)
                      .catch(() => undefined);
              // Prices and stock are read without a lock; the product rows (THE hot rows of a
              // flash sale) are locked by takeStock, the last statement before COMMIT, so they
              // are held for the commit only, not for the ledger and order writes.
              // The limits hold for the prices charged, and refuse an order before a line does.
              const reserved = await this.catalog.quoteStock(trx, input.items.map(stockLineOf), (prices) =>
                this.refuseAboveLimits(input, prices),
              );
              if (earlier && (await earlier)) throw new KeyAlreadyUsed();
              const currency = reserved[0]!.currency;
              const charged = new Map(reserved.map((line) => [line.key, line]));
              checkExpectedPrices(input.items, charged);
              attempt = priceAttempt(this.pricing, prepared, this.options.feeBps, {
                input,
                reserved,
                currency,
              });
              const paymentId = randomUUID();
              const outcome = await provider.authorize({
                trx,
                paymentId,
                buyerId: buyerId,
                currency,
                items: ledgerLinesOfAttempt(attempt),
              });
              // A gateway's pay link exists only after this commits: its payment is announced
              // (payment.created) once it has one, so the pending mail and webhooks carry it.
              const announce = outcome.status === 'succeeded' || !provider.afterCommit;
              const written = await this.write(trx, buyerId, method, attempt, announce, {
                id: paymentId,
                idempotencyKey,
                ...(outcome.status === 'succeeded'
                  ? { status: 'succeeded', ledger_transaction_id: outcome.ledgerTransactionId }
                  : {
                      status: 'pending',
                      expires_at: outcome.expiresAt,
                      payment_url: outcome.paymentUrl ?? null,
                      token: outcome.token ?? null,
                      provider_reference: outcome.providerReference ?? null,
                    }),
              });
              if (attempt.priced?.discounts.length) {
                await this.pricing!.redeem(trx, {
                  discountIds: attempt.priced.discounts.map((discount) => discount.id),
                  buyerId: buyerId,
                  paymentId,
                });
              }
              taking = reserved;
              await this.catalog.takeStock(trx, reserved);
              return written;
            })
            .catch(notTaken),
        retryable,
      );
      committed = true;
      await this.catalog.stockChanged(items.map((item) => item.product_id));
      if (provider.afterCommit)
        return toPublicPayment(await this.openAtGateway(provider, payment, items), items);
      return toPublicPayment(payment, items);
    } catch (error) {
      // A key that already made a payment gets that payment again, whatever stopped this
      // attempt: the lookup in the transaction found it, a concurrent request with the key
      // won the race (the unique index), or the order can no longer be placed (sold out,
      // repriced, above the limits, the funds spent by the first). Only failures pay for this
      // extra read; a new key's checkout never makes it.
      if (idempotencyKey && !committed) {
        const earlier = await this.earlier(buyerId, idempotencyKey).catch(() => undefined);
        if (earlier) return replayOf(earlier, input, method);
        if (error instanceof KeyAlreadyUsed) throw new Error('a payment of this idempotency key vanished');
      }
      if (isAppError(error) && error.code === 'insufficient_funds' && attempt) {
        return this.recordFailure(buyerId, method, attempt, error, idempotencyKey);
      }
      throw error;
    }
  }

  /**
   * A priced order's prices, read before its transaction to price shipping and tax, and
   * refused there already when above the limits.
   */
  private async checkLimits(input: CheckoutInput) {
    const prices = await this.catalog.prices(input.items.map(stockLineOf));
    this.refuseAboveLimits(input, prices);
    return prices;
  }

  /**
   * Refuses an order above the limits at the prices given (or in several currencies): such
   * an order must not lock rows, nor reach a bigint column or a gateway. Products that do
   * not exist are left to quoteStock's 404.
   */
  private refuseAboveLimits(input: CheckoutInput, prices: ReadonlyMap<string, UnitPrice>): void {
    if (new Set([...prices.values()].map((price) => price.currency)).size > 1) throw mixedCurrencies();
    checkOrderLimits(input.items, (id) => prices.get(id), this.options.limits);
  }

  /**
   * Asks the gateway for its side of a committed pending payment. If the gateway fails,
   * the payment fails too and its stock goes back: nothing stays half-made.
   */
  private async openAtGateway(provider: PaymentProvider, payment: PaymentRow, items: OrderItemRow[]) {
    try {
      const opened = await provider.afterCommit!(payment, items);
      const updated = await this.db.transaction().execute(async (trx) => {
        const row = await PaymentsRepository.in(trx).updatePayment(payment.id, 'pending', {
          payment_url: opened.paymentUrl,
          token: opened.token,
          provider_reference: opened.providerReference,
        });
        if (row) {
          const shipments = await PaymentsRepository.in(trx).orderShipments(row.order_id);
          await this.events.emit(
            trx,
            'payment.created',
            toPublicPayment(row, items),
            receiptPricingOf(shipments, row.currency),
          );
        }
        return row;
      });
      return updated ?? payment;
    } catch (error) {
      await this.payments.fail(payment.id, 'gateway_unavailable');
      throw error;
    }
  }

  /**
   * The payer could not pay: the reservation was rolled back with everything else, and the
   * attempt is kept as a failed payment so the buyer sees what happened.
   */
  private async recordFailure(
    buyerId: string,
    method: string,
    attempt: Attempt,
    error: AppError,
    idempotencyKey?: string,
  ): Promise<PublicPayment> {
    const { payment, items } = await this.db.transaction().execute((trx) =>
      this.write(trx, buyerId, method, attempt, true, {
        id: randomUUID(),
        idempotencyKey,
        status: 'failed',
        failure_code: error.code,
      }),
    );
    return toPublicPayment(payment, items);
  }

  /** Order, items and payment in one statement, and (when `announce`) the payment's events. */
  private async write(
    trx: Transaction<object>,
    buyerId: string,
    method: string,
    attempt: Attempt,
    announce: boolean,
    outcome: { id: string; idempotencyKey?: string; status: PaymentStatus } & Partial<
      Pick<
        PaymentRow,
        | 'ledger_transaction_id'
        | 'expires_at'
        | 'payment_url'
        | 'token'
        | 'provider_reference'
        | 'failure_code'
      >
    >,
  ) {
    const { id, idempotencyKey, ...rest } = outcome;
    const written = await PaymentsRepository.in(trx).createOrderWithPayment(
      {
        buyerId,
        currency: attempt.currency,
        totalMinor: attempt.totalMinor,
        items: attempt.lines,
        pricing: attempt.priced && {
          shippingAddressId: attempt.shippingAddressId!,
          destination: attempt.priced.destination,
          rows: (orderId) => pricingRowsOf(orderId, attempt.priced!),
        },
      },
      {
        ...rest,
        id,
        buyer_id: buyerId,
        payment_code: newPaymentCode(),
        method,
        currency: attempt.currency,
        amount_minor: attempt.totalMinor,
        idempotency_key: idempotencyKey ?? null,
      },
    );
    if (announce) {
      const shown = toPublicPayment(written.payment, written.items);
      const settled = eventForStatus(written.payment.status);
      const pricing = attempt.priced
        ? receiptPricingOf(pricingRowsOf('', attempt.priced).shipments, attempt.currency)
        : {};
      await this.events.emit(trx, settled ? ['payment.created', settled] : 'payment.created', shown, pricing);
    }
    return written;
  }

  private async earlier(buyerId: string, key: string): Promise<PublicPayment | undefined> {
    const repo = PaymentsRepository.of(this.db);
    const payment = await repo.findByIdempotencyKey(buyerId, key);
    return payment ? toPublicPayment(payment, await repo.orderItems(payment.order_id)) : undefined;
  }
}
