/**
 * What reconciliation expects of payments and refunds, as plain functions over plain rows:
 * each returns the line that describes a broken row, or undefined when the row is sound.
 */

/** A payment as reconciliation reads it. */
export interface PaymentLinks {
  id: string;
  status: string;
  method: string;
  ledger_transaction_id: string | null;
  refunded_minor: bigint;
  refund_pending_minor: bigint;
}

/** A refund as reconciliation reads it. */
export interface RefundLinks {
  id: string;
  payment_id: string;
  status: string;
  amount_minor: bigint;
  ledger_transaction_id: string;
}

/** A ledger transaction as the ledger reports it: a hold reads pending, posted (settled) or voided. */
export interface LedgerLink {
  id: string;
  status: string;
}

/** What a payment's refunds add up to, by state. */
export interface RefundSums {
  succeededMinor: bigint;
  pendingMinor: bigint;
}

/** Statuses in which the purchase has been booked: the money was taken. */
export const TOOK_MONEY: readonly string[] = ['succeeded', 'partially_refunded', 'refunded'];

/** The ledger state each refund state goes with (two-phase refunds, migration 0011). */
const LEDGER_STATE_OF_REFUND: Readonly<Record<string, string>> = {
  succeeded: 'posted',
  pending: 'pending',
  failed: 'voided',
};

export function sumRefunds(refunds: readonly Pick<RefundLinks, 'status' | 'amount_minor'>[]): RefundSums {
  let succeededMinor = 0n;
  let pendingMinor = 0n;
  for (const refund of refunds) {
    if (refund.status === 'succeeded') succeededMinor += refund.amount_minor;
    else if (refund.status === 'pending') pendingMinor += refund.amount_minor;
  }
  return { succeededMinor, pendingMinor };
}

/**
 * A payment that took money has its posted purchase, the one it points at; what it says
 * is refunded and pending equals what its refunds add up to in each state.
 */
export function paymentProblems(
  payment: PaymentLinks,
  purchase: LedgerLink | undefined,
  sums: RefundSums,
): string | undefined {
  const problems: string[] = [];
  if (TOOK_MONEY.includes(payment.status)) {
    if (!purchase || purchase.status !== 'posted') problems.push('has no posted purchase in the ledger');
    else if (purchase.id !== payment.ledger_transaction_id)
      problems.push(`points at ${payment.ledger_transaction_id}, but its purchase is ${purchase.id}`);
  }
  if (payment.refunded_minor !== sums.succeededMinor)
    problems.push(
      `says ${payment.refunded_minor} refunded, its succeeded refunds add up to ${sums.succeededMinor}`,
    );
  if (payment.refund_pending_minor !== sums.pendingMinor)
    problems.push(
      `says ${payment.refund_pending_minor} pending refund, its pending refunds add up to ${sums.pendingMinor}`,
    );
  if (problems.length === 0) return undefined;
  return `payment ${payment.id} (${payment.status}) ${problems.join('; ')}`;
}

/** A refund's ledger transaction is the one it points at, in the state its own status implies. */
export function refundProblems(refund: RefundLinks, reversal: LedgerLink | undefined): string | undefined {
  const label = `refund ${refund.id} (${refund.status}) of payment ${refund.payment_id}`;
  if (!reversal) return `${label} has no transaction in the ledger`;
  if (reversal.id !== refund.ledger_transaction_id)
    return `${label} points at ${refund.ledger_transaction_id}, but its ledger transaction is ${reversal.id}`;
  const expected = LEDGER_STATE_OF_REFUND[refund.status];
  if (reversal.status !== expected)
    return `${label} has a ${reversal.status} ledger transaction, expected ${expected ?? 'none'}`;
  return undefined;
}

/**
 * Whether a gateway's refunded total fits ours: at least what succeeded here, and at most
 * that plus what is still pending (a pending refund may already be done at the gateway,
 * its answer not yet back).
 */
export function gatewayAgrees(ours: RefundSums, gatewayMinor: bigint): boolean {
  return gatewayMinor >= ours.succeededMinor && gatewayMinor <= ours.succeededMinor + ours.pendingMinor;
}

export function gatewayDisagreement(
  payment: Pick<PaymentLinks, 'id' | 'method'>,
  ours: RefundSums,
  gatewayMinor: bigint,
): string {
  return (
    `payment ${payment.id} (${payment.method}): the gateway says ${gatewayMinor} refunded, ` +
    `our succeeded refunds add up to ${ours.succeededMinor} (${ours.pendingMinor} pending)`
  );
}
