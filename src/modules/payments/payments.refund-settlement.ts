import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { notFound } from '../../platform/errors.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import { noPaymentEvents, type PaymentEvents } from './payments.events.js';
import type { GatewayRefundOutcome, PaymentProvider } from './payments.providers.js';
import { assertRefundMove, nextCheckDelayMs } from './payments.refund-state.js';
import { OrdersRepository } from './payments.orders.repository.js';
import { RefundsRepository } from './payments.refunds.repository.js';
import type { RefundDeps, RefundTiming } from './payments.refunds.js';
import { PaymentsRepository } from './payments.repository.js';
import { type PublicRefund, toPublicPayment, toPublicRefund } from './payments.rules.js';
import { stockLines } from './payments.service.js';
import { assertTransition, statusAfterRefund } from './payments.state.js';
import type { PaymentRow, RefundRow } from './payments.tables.js';

/**
 * Phase 2 of a refund and everything after it: asking the provider with no row locked,
 * and applying its final answer (post or void the hold) once, whoever gets there first:
 * the request that placed the refund, a retry of it, or the reconciler, which asks the
 * gateway about refunds whose answer never came.
 */
export class RefundSettlement {
  private readonly db: Kysely<object>;
  private readonly catalog: CatalogService;
  private readonly ledger: LedgerService;
  private readonly providers: ReadonlyMap<string, PaymentProvider>;
  private readonly logger: Logger;
  private readonly timing: RefundTiming;
  private readonly events: PaymentEvents;
  private readonly refunds: RefundsRepository;

  constructor(deps: RefundDeps) {
    ({ db: this.db, catalog: this.catalog, ledger: this.ledger, providers: this.providers } = deps);
    ({ logger: this.logger, timing: this.timing } = deps);
    this.events = deps.events ?? noPaymentEvents;
    this.refunds = RefundsRepository.of(deps.db);
  }

  /**
   * One pass of the reconciler over pending refunds whose check is due: the gateway is
   * asked what became of each, and a refund it never received is sent again under its
   * key. Answers that still do not come push the next check further out.
   * Returns how many refunds reached a final state.
   */
  async reconcileDue(now = new Date(), batch = 50): Promise<number> {
    let settled = 0;
    for (const refund of await this.refunds.due(now, batch)) {
      const payments = PaymentsRepository.of(this.db);
      const payment = await payments.findPayment(refund.payment_id);
      if (!payment) continue;
      const provider = this.providerOf(payment);
      let outcome: GatewayRefundOutcome | { status: 'absent' } = { status: 'succeeded' };
      if (provider.refundStatus) outcome = await provider.refundStatus(payment, refund.refund_key);
      if (outcome.status === 'absent') outcome = await this.askProvider(provider, payment, refund);
      if (outcome.status === 'unknown') {
        const delayMs = nextCheckDelayMs(
          refund.check_attempts + 1,
          this.timing.firstCheckDelayMs,
          this.timing.maxCheckDelayMs,
        );
        await this.refunds.postpone(refund.id, new Date(now.getTime() + delayMs));
        this.logger.warn(
          { refundId: refund.id, reason: outcome.message },
          'refund still unconfirmed by its gateway',
        );
        continue;
      }
      await this.settle(refund.id, outcome);
      settled += 1;
    }
    return settled;
  }

  /** Phase 2: the provider is asked with no row locked, and its answer settles the refund. */
  async execute(refund: RefundRow, payment: PaymentRow): Promise<PublicRefund> {
    const provider = this.providerOf(payment);
    const outcome = await this.askProvider(provider, payment, refund);
    if (outcome.status === 'unknown') {
      this.logger.warn(
        { refundId: refund.id, reason: outcome.message },
        'refund left pending: no answer from the gateway',
      );
      // The reconciler may have settled it meanwhile; answer what is true now.
      const current = (await this.refunds.find(refund.id)) ?? refund;
      return toPublicRefund(current, payment.method);
    }
    return this.settle(refund.id, outcome);
  }

  private async askProvider(
    provider: PaymentProvider,
    payment: PaymentRow,
    refund: RefundRow,
  ): Promise<GatewayRefundOutcome> {
    // The wallet (and any provider without a gateway) gives money back in the ledger alone.
    if (!provider.refund) return { status: 'succeeded' };
    try {
      return await provider.refund(payment, {
        refundKey: refund.refund_key,
        amountMinor: refund.amount_minor,
        reason: refund.reason,
      });
    } catch (error) {
      return { status: 'unknown', message: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * Applies the provider's final answer: the hold is posted and the payment's refunded
   * amount grows, or the hold is voided and the reservation goes; once, whoever calls.
   */
  private async settle(
    refundId: string,
    outcome: Exclude<GatewayRefundOutcome, { status: 'unknown' }>,
  ): Promise<PublicRefund> {
    let restocked: string[] = [];
    const result = await this.db.transaction().execute(async (trx) => {
      const payments = PaymentsRepository.in(trx);
      const refunds = RefundsRepository.in(trx);
      const current = await refunds.find(refundId);
      if (!current) throw notFound('refund');
      // The payment first, as phase 1 locks it: settlers and new refunds queue in one order.
      const payment = (await payments.findPayment(current.payment_id, { lock: true }))!;
      const refund = (await refunds.find(refundId, { lock: true }))!;
      // Settled meanwhile (by the reconciler, or a retry): the first answer stands.
      if (refund.status !== 'pending') return { refund, payment };
      assertRefundMove(refund.status, outcome.status);
      const items = await payments.orderItems(payment.order_id);
      if (outcome.status === 'failed') {
        await this.ledger.voidPending(trx, refund.ledger_transaction_id);
        const released = await refunds.release(payment.id, refund.amount_minor, { refunded: false });
        const failed = await refunds.settle(refund.id, 'failed', {
          code: outcome.code,
          message: outcome.message,
        });
        await this.events.emitRefund(trx, 'refund.failed', toPublicRefund(failed!, payment.method), {
          payment: toPublicPayment(released!, items),
        });
        return { refund: failed!, payment: released! };
      }
      await this.ledger.postPending(trx, refund.ledger_transaction_id);
      const status = statusAfterRefund(payment.amount_minor, payment.refunded_minor, refund.amount_minor);
      assertTransition(payment.status, status);
      const updated = await refunds.release(payment.id, refund.amount_minor, {
        refunded: true,
        status,
        from: payment.status,
      });
      if (refund.restock) {
        const lines = stockLines(items).filter((line) => line.quantity > 0);
        await this.catalog.releaseStock(trx, lines);
        for (const item of items)
          await payments.markRestocked(item.id, item.quantity - item.restocked_quantity);
        restocked = lines.map((line) => line.productId);
      }
      // Nothing refunded in full is still to be sent: its undelivered items are canceled with
      // the refund, so no seller ships (or is told to ship) goods already paid back.
      if (status === 'refunded') await OrdersRepository.in(trx).cancelForFullRefund(payment.order_id);
      const succeeded = await refunds.settle(refund.id, 'succeeded');
      const after = toPublicPayment(updated!, await payments.orderItems(payment.order_id));
      const publicRefund = toPublicRefund(succeeded!, payment.method);
      await this.events.emitRefund(trx, 'refund.succeeded', publicRefund, { payment: after });
      await this.events.emit(trx, 'payment.refunded', after, {
        refund: { id: refund.id, amount: publicRefund.amount, reason: refund.reason },
      });
      return { refund: succeeded!, payment: updated! };
    });
    await this.catalog.stockChanged(restocked);
    return toPublicRefund(result.refund, result.payment.method);
  }

  private providerOf(payment: PaymentRow): PaymentProvider {
    const provider = this.providers.get(payment.method);
    if (!provider) throw new Error(`no provider for ${payment.method}`);
    return provider;
  }
}
