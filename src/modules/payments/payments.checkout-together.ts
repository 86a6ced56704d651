import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { isAppError } from '../../platform/errors.js';
import { currentTraceparent } from '../../platform/tracing/tracing.js';
import type { CatalogService } from '../catalog/catalog.service.js';
import type { ReservedLine, UnitPrice } from '../catalog/catalog.stock.js';
import { mergeLines, unitKeyOf } from '../catalog/catalog.stock.js';
import { type CheckoutInput, checkExpectedPrices, stockLineOf } from './payments.checkout-lines.js';
import { eventForStatus, type PaymentEvents } from './payments.events.js';
import { type Attempt, ledgerLinesOfAttempt, priceAttempt } from './payments.order-pricing.js';
import type { PaymentProvider } from './payments.providers.js';
import { PaymentsRepository } from './payments.repository.js';
import { newPaymentCode, toPublicPayment } from './payments.rules.js';
import type { OrderItemRow, PaymentRow } from './payments.tables.js';

/** One checkout of a group: a wallet order priced by its items alone, without an idempotency key. */
export interface GroupMember {
  buyerId: string;
  input: CheckoutInput;
  method: string;
  /** Runs `write` in the checkout's own request context, so what is written for it carries its trace. */
  inContext<R>(write: () => R): R;
}

export interface GroupDeps {
  catalog: CatalogService;
  provider: PaymentProvider & Required<Pick<PaymentProvider, 'authorizeMany'>>;
  events: PaymentEvents;
  feeBps: number;
  /** The order limits and the one-currency rule, on the prices of this member's lines. */
  refuseAboveLimits(input: CheckoutInput, prices: ReadonlyMap<string, UnitPrice>): void;
}

export type Written = { payment: PaymentRow; items: OrderItemRow[] };

/** One line per key for a member's items, quantities added up, priced from the group's quote. */
const reservedOf = (input: CheckoutInput, quoted: ReadonlyMap<string, ReservedLine>): ReservedLine[] =>
  mergeLines(input.items.map(stockLineOf)).map((line) => ({
    ...quoted.get(unitKeyOf(line.productId, line.variantId))!,
    quantity: line.quantity,
  }));

const keyOfItem = (item: CheckoutInput['items'][number]) => unitKeyOf(item.product_id, item.variant_id);

/** Keeps only what a member's own lines cost, so its limits and currency rule see nothing else. */
function pricesOf(input: CheckoutInput, prices: ReadonlyMap<string, UnitPrice>): Map<string, UnitPrice> {
  const own = new Map<string, UnitPrice>();
  for (const item of input.items) {
    const key = keyOfItem(item);
    const price = prices.get(key);
    if (price) own.set(key, price);
  }
  return own;
}

/**
 * Places several checkouts in the caller's transaction with the statements of one: one
 * quote for every line, with the buyers' wallets locked in its round trip, one ledger batch
 * for every payment (written without waiting; the sellers' and the fee account's credits
 * on one shard row each), one insert of
 * every order, item and payment, each payment's events, and one conditional decrement per
 * product for the whole group, last, before the one COMMIT. So the group shares its round
 * trips, its durable commit and the hot rows' single lock, where alone each would pay for
 * them.
 *
 * Returns the members it placed. A member it cannot place as the others (above the limits,
 * a price changed since shown, a wallet that cannot pay) is left out, with nothing written
 * for it, and is answered by the caller placing it alone, which refuses it or records its
 * failed payment exactly as before, and so is one that names a product or variant not for
 * sale. What fails the whole group (a product short of stock for the group's total, which
 * its decrement finds at COMMIT) throws, and the transaction commits nothing.
 */
export async function placeTogether(
  trx: Transaction<object>,
  deps: GroupDeps,
  members: readonly GroupMember[],
): Promise<Map<GroupMember, Written>> {
  const left = new Set<GroupMember>();
  const leaveOut = (member: GroupMember, error: unknown) => {
    if (!isAppError(error)) throw error;
    left.add(member);
  };
  // The buyers' wallets are locked in the quote's round trip, not one of their own.
  const payers = await deps.provider.lockPayersAhead?.(
    trx,
    members.map((member) => member.buyerId),
  );
  // Quoted at quantity 0: the stock read is no verdict on the group (a member it leaves
  // out must not refuse the others); the group's decrement, last, takes it or fails it.
  const quoted = await deps.catalog.quoteStock(
    trx,
    members.flatMap((member) => member.input.items.map((item) => ({ ...stockLineOf(item), quantity: 0 }))),
    (prices) => {
      for (const member of members) {
        const own = pricesOf(member.input, prices);
        // A line without a price names no product or variant for sale: alone, the member
        // hears which; here it must not fail the others.
        if (own.size < new Set(member.input.items.map(keyOfItem)).size) left.add(member);
        else {
          try {
            deps.refuseAboveLimits(member.input, own);
          } catch (error) {
            leaveOut(member, error);
          }
        }
      }
    },
    { skipUnpriced: true },
  );
  const byKey = new Map(quoted.map((line) => [line.key, line]));
  const attempts = new Map<GroupMember, { attempt: Attempt; reserved: ReservedLine[] }>();
  for (const member of members) {
    if (left.has(member)) continue;
    try {
      const reserved = reservedOf(member.input, byKey);
      checkExpectedPrices(member.input.items, new Map(reserved.map((line) => [line.key, line])));
      const attempt = priceAttempt(undefined, undefined, deps.feeBps, {
        input: member.input,
        reserved,
        currency: reserved[0]!.currency,
      });
      attempts.set(member, { attempt, reserved });
    } catch (error) {
      leaveOut(member, error);
    }
  }
  const trying = [...attempts.keys()];
  const paymentIds = trying.map(() => randomUUID());
  const outcomes = trying.length
    ? await deps.provider.authorizeMany(
        trx,
        trying.map((member, i) => {
          const { attempt } = attempts.get(member)!;
          return {
            paymentId: paymentIds[i]!,
            buyerId: member.buyerId,
            currency: attempt.currency,
            items: ledgerLinesOfAttempt(attempt),
          };
        }),
        payers,
      )
    : [];
  const paid = trying.flatMap((member, i) => {
    const outcome = outcomes[i]!;
    return outcome.status === 'succeeded'
      ? [{ member, id: paymentIds[i]!, ledgerTransactionId: outcome.ledgerTransactionId }]
      : [];
  });
  if (paid.length === 0) return new Map();
  const written = await PaymentsRepository.in(trx).createOrdersWithPayments(
    paid.map(({ member, id, ledgerTransactionId }) => {
      const { attempt } = attempts.get(member)!;
      return {
        order: {
          buyerId: member.buyerId,
          currency: attempt.currency,
          totalMinor: attempt.totalMinor,
          items: attempt.lines,
        },
        payment: {
          id,
          status: 'succeeded' as const,
          ledger_transaction_id: ledgerTransactionId,
          buyer_id: member.buyerId,
          payment_code: newPaymentCode(),
          method: member.method,
          currency: attempt.currency,
          amount_minor: attempt.totalMinor,
          idempotency_key: null,
        },
      };
    }),
  );
  const settled = eventForStatus('succeeded');
  // Every payment's events in one statement, each in the trace of its own request.
  await deps.events.emitEach(
    trx,
    settled ? ['payment.created', settled] : 'payment.created',
    paid.map(({ member }, i) => ({
      payment: toPublicPayment(written[i]!.payment, written[i]!.items),
      traceparent: member.inContext(currentTraceparent),
    })),
  );
  // One decrement per product (and variant) for the whole group.
  await deps.catalog.takeStock(trx, mergeLines(paid.flatMap(({ member }) => attempts.get(member)!.reserved)));
  return new Map(paid.map(({ member }, i) => [member, written[i]!]));
}
