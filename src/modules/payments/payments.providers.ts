import type { Transaction } from 'kysely';
import type { AccountRef, LedgerService } from '../ledger/ledger.service.js';
import { purchaseEntries } from './payments.rules.js';
import type { OrderItemRow, PaymentRow } from './payments.tables.js';
/** What a provider needs to take a payment; the payment row itself is written after it. */
export interface AuthorizeContext {
  trx: Transaction<object>;
  paymentId: string;
  buyerId: string;
  currency: string;
  items: readonly { seller_id: string; subtotal_minor: bigint; fee_minor: bigint }[];
}

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
   * For gateways: runs after the checkout committed its pending payment, outside any
   * database transaction. A failure here fails the payment and releases its stock.
   */
  afterCommit?(
    payment: PaymentRow,
    items: readonly OrderItemRow[],
  ): Promise<{ paymentUrl: string; token: string; providerReference: string }>;
  /** Gives money back through the gateway before the refund is recorded (inside its transaction). */
  refund?(payment: PaymentRow, amountMinor: bigint, refundId: string, reason: string): Promise<void>;
}

/** Posts the purchase: payer → sellers (less the fee) and platform fees. Idempotent per payment. */
export async function postPurchase(
  ledger: LedgerService,
  provider: PaymentProvider,
  { trx, paymentId, buyerId, currency, items }: AuthorizeContext,
): Promise<string> {
  const { transactionId } = await ledger.post(trx, {
    kind: 'purchase',
    reference: paymentId,
    currency,
    entries: purchaseEntries(provider.payerAccount(buyerId, currency), items, currency),
  });
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
