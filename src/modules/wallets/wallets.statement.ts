import type { HoldState } from '../ledger/ledger.rules.js';

/**
 * How a wallet's ledger entries read on a statement: a description, the object they belong
 * to, and where the money stands. Plain functions over plain data (tested beside this file).
 */

export type ReferenceType = 'payment' | 'refund' | 'payout' | 'top_up' | 'other';
export type EntryStatus = 'posted' | 'pending' | 'settled' | 'voided';

export interface StatementInput {
  kind: string;
  transactionId: string;
  /** The posting's reference (for a settlement, its hold's). */
  reference: string;
  /** The hold a settlement settles. */
  settles: string | null;
  amountMinor: bigint;
  hold: HoldState | undefined;
  /** Whether `reference` names a gateway top-up of the wallets module. */
  isGatewayTopUp: boolean;
}

export interface StatementLine {
  description: string;
  reference_type: ReferenceType;
  reference_id: string;
  status: EntryStatus;
  balance: 'available' | 'pending';
}

const HOLD_STATUS: Record<HoldState, EntryStatus> = {
  pending: 'pending',
  posted: 'settled',
  voided: 'voided',
};

/**
 * The id a person knows the movement by, as the API gave it to them: a payment's id, a
 * refund's, a payout's (its hold's), a gateway top-up's; a test top-up was answered with its
 * ledger transaction's id.
 */
function referenceOf(input: StatementInput): { reference_type: ReferenceType; reference_id: string } {
  switch (input.kind) {
    case 'purchase':
      return { reference_type: 'payment', reference_id: input.reference };
    case 'refund':
      return { reference_type: 'refund', reference_id: input.reference };
    case 'payout':
      return { reference_type: 'payout', reference_id: input.settles ?? input.transactionId };
    case 'top_up':
      return {
        reference_type: 'top_up',
        reference_id: input.isGatewayTopUp ? input.reference : input.transactionId,
      };
    default:
      return { reference_type: 'other', reference_id: input.transactionId };
  }
}

function describe(input: StatementInput): string {
  const credit = input.amountMinor > 0n;
  switch (input.kind) {
    case 'top_up':
      return 'Top-up';
    case 'purchase':
      return credit ? 'Sale' : 'Purchase';
    case 'refund':
      return credit ? 'Refund received' : 'Refund given';
    case 'payout':
      return input.hold ? 'Payout requested' : 'Payout paid';
    default: {
      const words = input.kind.replaceAll('_', ' ');
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}

/**
 * One statement line. A hold's entry is `pending` money (reserved by a debit, promised by a
 * credit) in whatever state the hold is now; its settlement is a line of its own that moved
 * the `available` balance.
 */
export function statementLine(input: StatementInput): StatementLine {
  return {
    description: describe(input),
    ...referenceOf(input),
    status: input.hold ? HOLD_STATUS[input.hold] : 'posted',
    balance: input.hold ? 'pending' : 'available',
  };
}

/** A payout as sellers and admins see it, from its hold's state. */
export const PAYOUT_STATUS: Record<HoldState, 'pending' | 'paid' | 'canceled'> = {
  pending: 'pending',
  posted: 'paid',
  voided: 'canceled',
};

export const HOLD_STATE_OF_PAYOUT: Record<'pending' | 'paid' | 'canceled', HoldState> = {
  pending: 'pending',
  paid: 'posted',
  canceled: 'voided',
};
