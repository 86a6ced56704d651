import { randomUUID } from 'node:crypto';
import {
  canTransition,
  isRefundable,
  paymentTypeFor,
  type PayOutcome,
  type TransactionStatus,
} from './sandbox.state.js';
import type { SnapRequest } from './sandbox.validation.js';

export interface SandboxRefund {
  refundChargebackId: number;
  refundKey: string;
  amount: bigint;
  reason: string | undefined;
  createdAt: Date;
  /** The status the transaction reached with this refund, replayed for a repeated key. */
  statusAfter: TransactionStatus;
}

export interface SandboxTransaction {
  orderId: string;
  token: string;
  transactionId: string;
  grossAmount: bigint;
  customerDetails: unknown;
  itemDetails: unknown[] | undefined;
  /** Where the payment page sends the customer back (Snap's `callbacks.finish`). */
  finishUrl?: string;
  /** `created`: a Snap token nobody has paid with yet. */
  status: TransactionStatus | 'created';
  paymentType: 'credit_card' | 'bank_transfer' | undefined;
  createdAt: Date;
  transactionTime: Date | undefined;
  settlementTime: Date | undefined;
  refunds: SandboxRefund[];
  refundedAmount: bigint;
}

export type SandboxErrorCode =
  'duplicate_order' | 'not_found' | 'invalid_transition' | 'not_refundable' | 'refund_amount_invalid';

export class SandboxError extends Error {
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const MAX_TRANSACTIONS = 10_000;
const MAX_REFUNDS = 50;

/**
 * Transactions in memory, keyed by order id (and Snap token). Synchronous, so each call is
 * atomic. It keeps the newest MAX_TRANSACTIONS: kept across restarts, a sandbox in daily use
 * would otherwise fill up once and refuse every payment from then on.
 */
export class TransactionStore {
  private readonly byOrderId = new Map<string, SandboxTransaction>();
  private readonly orderIdByToken = new Map<string, string>();

  /** Every transaction, oldest first (what a restart must get back). */
  list(): SandboxTransaction[] {
    return [...this.byOrderId.values()];
  }

  /** Takes back transactions kept from an earlier run, oldest first. */
  restore(transactions: readonly SandboxTransaction[]): void {
    for (const transaction of transactions.slice(-MAX_TRANSACTIONS)) this.add(transaction);
  }

  /** @throws `duplicate_order` */
  create(request: SnapRequest, now = new Date()): SandboxTransaction {
    if (this.byOrderId.has(request.orderId)) {
      throw new SandboxError('duplicate_order', 'transaction_details.order_id sudah digunakan');
    }
    const transaction: SandboxTransaction = {
      orderId: request.orderId,
      token: randomUUID(),
      transactionId: randomUUID(),
      grossAmount: request.grossAmount,
      customerDetails: request.customerDetails,
      itemDetails: request.itemDetails,
      ...(request.finishUrl ? { finishUrl: request.finishUrl } : {}),
      status: 'created',
      paymentType: undefined,
      createdAt: now,
      transactionTime: undefined,
      settlementTime: undefined,
      refunds: [],
      refundedAmount: 0n,
    };
    this.add(transaction);
    return transaction;
  }

  private add(transaction: SandboxTransaction): void {
    // Map order is insertion order: the first key is the oldest transaction.
    const oldest = this.byOrderId.size >= MAX_TRANSACTIONS ? this.byOrderId.values().next().value : undefined;
    if (oldest) {
      this.byOrderId.delete(oldest.orderId);
      this.orderIdByToken.delete(oldest.token);
    }
    this.byOrderId.set(transaction.orderId, transaction);
    this.orderIdByToken.set(transaction.token, transaction.orderId);
  }

  get(orderId: string): SandboxTransaction | undefined {
    return this.byOrderId.get(orderId);
  }

  byToken(token: string): SandboxTransaction | undefined {
    const orderId = this.orderIdByToken.get(token);
    return orderId === undefined ? undefined : this.byOrderId.get(orderId);
  }

  /** @throws `not_found`, `invalid_transition` */
  pay(orderId: string, outcome: PayOutcome, now = new Date()): SandboxTransaction {
    const transaction = this.byOrderId.get(orderId);
    if (!transaction) throw new SandboxError('not_found', "Transaction doesn't exist.");
    if (!canTransition(transaction.status, outcome)) {
      throw new SandboxError(
        'invalid_transition',
        `a ${transaction.status} transaction cannot become ${outcome}`,
      );
    }
    transaction.paymentType ??= paymentTypeFor(outcome);
    transaction.transactionTime ??= now;
    if (outcome === 'settlement') transaction.settlementTime = now;
    transaction.status = outcome;
    return transaction;
  }

  /**
   * Refunds `amount` (default: all that is left). Idempotent per refund key: a key seen
   * before returns its first refund and changes nothing.
   * @throws `not_found`, `not_refundable`, `refund_amount_invalid`
   */
  refund(
    orderId: string,
    {
      refundKey,
      amount,
      reason,
    }: { refundKey: string; amount: bigint | undefined; reason: string | undefined },
    now = new Date(),
  ): { transaction: SandboxTransaction; refund: SandboxRefund; replayed: boolean } {
    const transaction = this.byOrderId.get(orderId);
    if (!transaction || transaction.status === 'created') {
      throw new SandboxError('not_found', "Transaction doesn't exist.");
    }
    const earlier = transaction.refunds.find((refund) => refund.refundKey === refundKey);
    if (earlier) return { transaction, refund: earlier, replayed: true };
    if (!isRefundable(transaction.status) || transaction.refunds.length >= MAX_REFUNDS) {
      throw new SandboxError('not_refundable', 'Merchant cannot modify the status of the transaction');
    }
    const left = transaction.grossAmount - transaction.refundedAmount;
    const refundAmount = amount ?? left;
    if (refundAmount <= 0n || refundAmount > left) {
      throw new SandboxError(
        'refund_amount_invalid',
        'Refund amount must be positive and at most the amount left',
      );
    }
    transaction.refundedAmount += refundAmount;
    transaction.status = transaction.refundedAmount === transaction.grossAmount ? 'refund' : 'partial_refund';
    const refund: SandboxRefund = {
      refundChargebackId: transaction.refunds.length + 1,
      refundKey,
      amount: refundAmount,
      reason,
      createdAt: now,
      statusAfter: transaction.status,
    };
    transaction.refunds.push(refund);
    return { transaction, refund, replayed: false };
  }
}
