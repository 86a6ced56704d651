import type { Kysely } from 'kysely';
import { type Actor, authorize } from '../../platform/auth/policy.js';
import { withTransactionRetry } from '../../platform/db/retry.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import { type AppError, invalid, invalidField, isAppError } from '../../platform/errors.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { PaymentProvider } from './payments.providers.js';
import { PaymentsRepository } from './payments.repository.js';
import {
  newPaymentCode,
  type PricedLine,
  priceLines,
  type PublicPayment,
  toPublicPayment,
} from './payments.rules.js';

export interface CheckoutInput {
  items: { product_id: string; quantity: number }[];
  payment_method?: string;
}

interface Attempt {
  lines: PricedLine[];
  currency: string;
  totalMinor: bigint;
}

const MAX_CODE_ATTEMPTS = 3;

/**
 * Checkout: stock, order, items, payment and (for methods that settle at once) the ledger
 * posting commit in one database transaction, or none of them does.
 */
export class Checkout {
  constructor(
    private readonly db: Kysely<object>,
    private readonly catalog: CatalogService,
    private readonly providers: ReadonlyMap<string, PaymentProvider>,
    private readonly options: { defaultMethod: string; feeBps: number },
  ) {}

  /**
   * Creates an order and its payment. With an idempotency key, a retry returns the first
   * payment (a unique index guarantees there is only ever one).
   * @throws `validation_failed` (400), `product_not_found` (404), `insufficient_stock` (409),
   * `mixed_currencies` (400)
   */
  async create(
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
    if (idempotencyKey) {
      const earlier = await this.earlier(buyer.userId, idempotencyKey);
      if (earlier) return earlier;
    }
    let attempt: Attempt | undefined;
    try {
      const { payment, items } = await withTransactionRetry(() =>
        this.db.transaction().execute(async (trx) => {
          const reserved = await this.catalog.reserveStock(
            trx,
            input.items.map((item) => ({ productId: item.product_id, quantity: item.quantity })),
          );
          const currency = reserved[0]!.currency;
          if (reserved.some((line) => line.currency !== currency)) {
            throw invalid('mixed_currencies', 'all items of one order must be priced in one currency');
          }
          const lines = priceLines(reserved, this.options.feeBps);
          attempt = {
            lines,
            currency,
            totalMinor: lines.reduce((sum, line) => sum + line.subtotalMinor, 0n),
          };
          const repo = PaymentsRepository.in(trx);
          const { orderId, items } = await repo.insertOrder({
            buyerId: buyer.userId,
            ...attempt,
            items: lines,
          });
          const pending = await this.insertPayment(repo, orderId, {
            buyerId: buyer.userId,
            method,
            status: 'pending',
            attempt,
            idempotencyKey,
          });
          const outcome = await provider.authorize({ trx, payment: pending, items });
          const payment =
            outcome.status === 'succeeded'
              ? await repo.updatePayment(pending.id, 'pending', {
                  status: 'succeeded',
                  ledger_transaction_id: outcome.ledgerTransactionId,
                })
              : await repo.updatePayment(pending.id, 'pending', {
                  expires_at: outcome.expiresAt,
                  payment_url: outcome.paymentUrl ?? null,
                  token: outcome.token ?? null,
                  provider_reference: outcome.providerReference ?? null,
                });
          return { payment: payment!, items };
        }),
      );
      await this.catalog.stockChanged(items.map((item) => item.product_id));
      return toPublicPayment(payment, items);
    } catch (error) {
      if (idempotencyKey && isUniqueViolation(error, 'payments_idempotency_idx')) {
        // A concurrent request with the same key won the race; answer with its payment.
        const earlier = await this.earlier(buyer.userId, idempotencyKey);
        if (earlier) return earlier;
      }
      if (isAppError(error) && error.code === 'insufficient_funds' && attempt) {
        return this.recordFailure(buyer.userId, method, attempt, error, idempotencyKey);
      }
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
    const { payment, items } = await this.db.transaction().execute(async (trx) => {
      const repo = PaymentsRepository.in(trx);
      const { orderId, items } = await repo.insertOrder({ buyerId, ...attempt, items: attempt.lines });
      const payment = await this.insertPayment(repo, orderId, {
        buyerId,
        method,
        status: 'failed',
        attempt,
        idempotencyKey,
        failureCode: error.code,
      });
      return { payment, items };
    });
    return toPublicPayment(payment, items);
  }

  private async insertPayment(
    repo: PaymentsRepository,
    orderId: string,
    p: {
      buyerId: string;
      method: string;
      status: 'pending' | 'failed';
      attempt: Attempt;
      idempotencyKey?: string;
      failureCode?: string;
    },
  ) {
    for (let tries = 1; ; tries++) {
      try {
        return await repo.insertPayment(orderId, {
          buyer_id: p.buyerId,
          payment_code: newPaymentCode(),
          method: p.method,
          status: p.status,
          currency: p.attempt.currency,
          amount_minor: p.attempt.totalMinor,
          idempotency_key: p.idempotencyKey ?? null,
          failure_code: p.failureCode ?? null,
        });
      } catch (error) {
        // One in 10^12: another payment drew the same code. Draw again.
        if (tries < MAX_CODE_ATTEMPTS && isUniqueViolation(error, 'payments_payment_code_key')) continue;
        throw error;
      }
    }
  }

  private async earlier(buyerId: string, key: string): Promise<PublicPayment | undefined> {
    const repo = PaymentsRepository.of(this.db);
    const payment = await repo.findByIdempotencyKey(buyerId, key);
    return payment ? toPublicPayment(payment, await repo.orderItems(payment.order_id)) : undefined;
  }
}
