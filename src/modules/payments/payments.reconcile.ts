import type { Kysely } from 'kysely';
import type { LedgerService } from '../ledger/ledger.service.js';
import { PaymentsRepository } from './payments.repository.js';

/**
 * The payments side of reconciliation: every payment that took money has its purchase
 * in the ledger, every refund its reversal, and each payment's refunded amount equals the
 * sum of its refunds. Read-only; returns what is wrong.
 */
export async function checkPaymentsAgainstLedger(
  db: Kysely<object>,
  ledger: LedgerService,
): Promise<string[]> {
  const repo = PaymentsRepository.of(db);
  const violations: string[] = [];
  for (const payment of await repo.paymentsWithLedgerLinks()) {
    const posted = await ledger.transactionByReference('purchase', payment.id);
    if (!posted || posted.status !== 'posted' || posted.id !== payment.ledger_transaction_id) {
      violations.push(`payment ${payment.id} (${payment.status}) has no posted purchase in the ledger`);
    }
  }
  const refunded = await repo.refundedSums();
  for (const refund of await repo.refundsWithLedgerLinks()) {
    const posted = await ledger.transactionByReference('refund', refund.id);
    if (!posted || posted.id !== refund.ledger_transaction_id) {
      violations.push(`refund ${refund.id} of payment ${refund.payment_id} has no reversal in the ledger`);
    }
  }
  for (const payment of await repo.refundedTotals()) {
    const sum = refunded.get(payment.id) ?? 0n;
    if (sum !== payment.refunded_minor) {
      violations.push(
        `payment ${payment.id} says ${payment.refunded_minor} refunded, its refunds add up to ${sum}`,
      );
    }
  }
  return violations;
}
