import type { Transaction } from 'kysely';
import type { AccountRef, LedgerService, LockedAccounts, PostInput } from '../ledger/ledger.service.js';
import { type LedgerLine, purchaseEntries } from './payments.rules.js';
import type { OrderItemRow, PaymentRow } from './payments.tables.js';
/** What a provider needs to take a payment; the payment row itself is written after it. */
export interface AuthorizeContext {
  trx: Transaction<object>;
  paymentId: string;
  buyerId: string;
  currency: string;
  /** What the ledger moves: the order's items, or a priced order's shipments (ledgerLinesOf). */
  items: readonly LedgerLine[];
}

/** What lockPayersAhead locked, read when authorizeMany needs it. */
export type PayersLocked = () => Promise<LockedAccounts>;

export type Authorization =
  | { status: 'succeeded'; ledgerTransactionId: string }
  | { status: 'pending'; expiresAt: Date; paymentUrl?: string; token?: string; providerReference?: string };

/**
 * A way to pay. Checkout, capture and refunds only talk to this interface, so a new
 * method (Midtrans, a card processor) is one more implementation and nothing else.
 */
export interface PaymentProvider {
  readonly method: string;
  /** The ledger account the money comes from, and the one refunds send it back to. */
  payerAccount(buyerId: string, currency: string): AccountRef;
  /**
   * Runs inside the checkout transaction, after the stock is reserved and before the order
   * and payment rows are written (they carry its outcome).
   * @throws `insufficient_funds` (the checkout then records a failed payment)
   */
  authorize(context: AuthorizeContext): Promise<Authorization>;
  /**
   * Authorizes several checkouts' payments in one go, inside their common transaction, each
   * as `authorize` would alone after the ones before it; a payment it cannot take is
   * `refused` with the code `authorize` would throw, and nothing is written for it. Only
   * providers that settle at once (no afterCommit) offer it: checkouts are then committed
   * together (payments.checkout-together.ts).
   */
  authorizeMany?(
    trx: Transaction<object>,
    contexts: readonly Omit<AuthorizeContext, 'trx'>[],
    payers?: PayersLocked,
  ): Promise<(Authorization | { status: 'refused'; code: string })[]>;
  /**
   * With authorizeMany: starts locking what these buyers pay from, inside their common
   * transaction, without waiting, so the lock shares the round trip of the statement sent
   * next. Its answer goes to authorizeMany as `payers`.
   */
  lockPayersAhead?(trx: Transaction<object>, buyerIds: readonly string[]): Promise<PayersLocked>;
  /**
   * For gateways: runs after the checkout committed its pending payment, outside any
   * database transaction. A failure here fails the payment and releases its stock. The
   * payment's `payment.created` event is written with what this answers (its pay link), in
   * the transaction that stores it.
   */
  afterCommit?(
    payment: PaymentRow,
    items: readonly OrderItemRow[],
  ): Promise<{ paymentUrl: string; token: string; providerReference: string }>;
  /**
   * Gives money back through the gateway: phase 2 of a refund, called with no database
   * transaction open and no row locked, after the ledger holds the refund. `refundKey` is
   * the same on every retry of one refund, so the gateway executes it at most once.
   * Never throws for the gateway's own answer: a timeout or a 5xx is `unknown`.
   * Providers without it (the wallet) settle refunds locally at once.
   */
  refund?(payment: PaymentRow, request: GatewayRefundRequest): Promise<GatewayRefundOutcome>;
  /**
   * What the gateway says of a refund sent earlier whose answer never came (the
   * reconciler asks): `absent` when the gateway has no record of it (the request never
   * arrived, so sending it again with the same key is safe), `unknown` when it cannot be
   * reached.
   */
  refundStatus?(payment: PaymentRow, refundKey: string): Promise<GatewayRefundOutcome | { status: 'absent' }>;
  /**
   * How much the gateway says it has refunded on this payment, for reconciliation;
   * undefined when it cannot be asked (unreachable, or it does not know the payment).
   */
  refundedByGateway?(payment: PaymentRow): Promise<bigint | undefined>;
}

export interface GatewayRefundRequest {
  refundKey: string;
  amountMinor: bigint;
  reason: string;
}

/** The gateway's answer to a refund: done, definitely refused, or not known (yet). */
export type GatewayRefundOutcome =
  | { status: 'succeeded' }
  | { status: 'failed'; code: string; message: string }
  | { status: 'unknown'; message: string };

/** The purchase's posting: payer → sellers (less the fee) and platform fees, referenced by the payment. */
const purchaseOf = (
  provider: PaymentProvider,
  { paymentId, buyerId, currency, items }: Omit<AuthorizeContext, 'trx'>,
): PostInput => ({
  kind: 'purchase',
  reference: paymentId,
  currency,
  entries: purchaseEntries(provider.payerAccount(buyerId, currency), items, currency),
});

/** Posts the purchase. Idempotent per payment. */
export async function postPurchase(
  ledger: LedgerService,
  provider: PaymentProvider,
  context: AuthorizeContext,
): Promise<string> {
  const { transactionId } = await ledger.post(context.trx, purchaseOf(provider, context));
  return transactionId;
}

/** The inbuilt processor: pays from the buyer's wallet and settles at once. */
export class WalletProvider implements PaymentProvider {
  readonly method = 'wallet';
  constructor(private readonly ledger: LedgerService) {}

  payerAccount(buyerId: string, currency: string): AccountRef {
    return { kind: 'user_wallet', ownerId: buyerId, currency };
  }

  async authorize(context: AuthorizeContext): Promise<Authorization> {
    return { status: 'succeeded', ledgerTransactionId: await postPurchase(this.ledger, this, context) };
  }

  /**
   * Every purchase in one ledger batch (set-based writes, each wallet locked once): a
   * wallet that cannot pay is refused `insufficient_funds`, decided in order as postBatch
   * decides, and the others are posted. A payment id is new, so its reference is never
   * taken: the batch is written as one of new references, its writes not waited for. Were
   * one taken, the caller's transaction fails and commits nothing of any purchase.
   */
  async authorizeMany(
    trx: Transaction<object>,
    contexts: readonly Omit<AuthorizeContext, 'trx'>[],
    payers?: PayersLocked,
  ): Promise<(Authorization | { status: 'refused'; code: string })[]> {
    const { results } = await this.ledger.postBatch(
      trx,
      contexts.map((context) => purchaseOf(this, context)),
      { newReferences: true, ...(payers ? { locked: payers } : {}) },
    );
    return results.map((result) =>
      result.status === 'posted'
        ? { status: 'succeeded', ledgerTransactionId: result.transactionId }
        : { status: 'refused', code: result.status === 'rejected' ? result.code : 'ledger_reference_taken' },
    );
  }

  /** Every wallet of these buyers, in any currency: a checkout's is known only from its quote. */
  lockPayersAhead(trx: Transaction<object>, buyerIds: readonly string[]): Promise<PayersLocked> {
    return this.ledger.lockWalletsAhead(trx, buyerIds);
  }
}

/**
 * Paid outside the platform (bank transfer, cash on delivery): the payment waits until an
 * admin captures it, the buyer cancels it, or it expires. The money enters through the
 * gateway clearing account when captured.
 */
export class ManualProvider implements PaymentProvider {
  readonly method = 'manual';
  constructor(private readonly expiryMs: number) {}

  payerAccount(_buyerId: string, currency: string): AccountRef {
    return { kind: 'gateway_clearing', currency };
  }

  async authorize(): Promise<Authorization> {
    return { status: 'pending', expiresAt: new Date(Date.now() + this.expiryMs) };
  }
}
